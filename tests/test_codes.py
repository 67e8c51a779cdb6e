"""Subject codes settled across tables: the readings below are what OCR made of samples 001/002."""

from __future__ import annotations

from extractor.codes import misplaced, settle_codes


def _rows(*pairs):
    return {"present": True, "rows": [{"code": c, "name": n, "total": "1"} for c, n in pairs]}


CLASSES = [("208", "社会保障和就业支出"), ("20801", "人力资源和社会保障管理事务"),
           ("2080199", "其他人力资源和社会保障管理事务支出"), ("20805", "行政事业单位养老支出"),
           ("2080505", "机关事业单位基本养老保险缴费支出"), ("2080506", "机关事业单位职业年金缴费支出"),
           ("20806", "企业改革补助"), ("2080699", "其他企业改革发展补助"),
           ("210", "卫生健康支出"), ("21011", "行政事业单位医疗"), ("2101101", "行政单位医疗"),
           ("2101103", "公务员医疗补助")]


def _read(replace: dict[int, tuple]) -> dict:
    pairs = list(CLASSES)
    for i, pair in replace.items():
        pairs[i] = pair
    return _rows(*pairs)


def test_broken_codes_take_the_other_tables_reading():
    tables = {"t2": _read({11: ("210", "公务员医疗补助")}),  # 款/项 digits lost
              "t3": _read({3: ("20605", "行政事业单位养老支出")}),  # 8 read as 6, not under 208
              "t5": _read({}),
              "t7": {"present": True, "rows": [
                  {"code": "21011", "name": "公务员医疗补助", "project_name": "x", "total": "2"}]}}
    settle_codes(tables)
    assert tables["t2"]["rows"][11]["code"] == "2101103"
    assert tables["t3"]["rows"][3]["code"] == "20805"
    assert tables["t7"]["rows"][0]["code"] == "2101103"
    # Rows read right are untouched.
    assert [r["code"] for r in tables["t5"]["rows"]] == [c for c, _ in CLASSES]


def test_a_well_formed_code_printed_differently_is_kept():
    # 002's t3 prints 2080609 where t2 and t5 print 2080699: the gold keeps what is printed.
    tables = {"t2": _read({}), "t3": _read({7: ("2080609", "其他企业改革发展补助")}), "t5": _read({})}
    settle_codes(tables)
    assert tables["t3"]["rows"][7]["code"] == "2080609"


def test_a_lost_name_is_taken_from_the_other_tables():
    tables = {"t2": _read({}), "t5": _read({2: ("2080199", None)}), "t3": _read({})}
    settle_codes(tables)
    assert tables["t5"]["rows"][2]["name"] == "其他人力资源和社会保障管理事务支出"


def test_misplaced_codes():
    rows = [{"code": c} for c in ("208", "20801", "2080101", "20605", "2080501", "210", "2080199")]
    assert misplaced(rows) == {3, 4, 6}
