"""OCR'd outline labels mended: the misreads are what OCR made of Jiangsu js09's bilevel scan."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from extractor import templates
from extractor.outline import chinese, mend_outlines, numeral, renumber, snap
from schemas import Document, RunInfo

from .conftest import SAMPLES

PRINTED = ["一、一般公共服务支出", "二、外交支出", "三、国防支出", "四、公共安全支出", "五、教育支出",
           "六、科学技术支出", "七、文化体育与传媒支出", "八、社会保障和就业支出", "九、医疗卫生与计划生育支出",
           "十、节能环保支出", "十一、城乡社区支出", "十二、农林水支出", "十三、交通运输支出",
           "十四、资源勘探信息等支出", "十五、商业服务业等支出", "十六、金融支出", "十七、国土海洋气象等支出",
           "十八、住房保障支出", "十九、粮油物资储备支出", "二十、其他支出"]
# js09's 收支总表 as the bilevel scan read it: numerals lost or garbled, 十二 read 十, 国土 read 国上.
READ = {0: "般公共服务支出", 2: "、国防支出", 4: "瓦、教育支出", 9: "1、节能环保支出", 10: "1、城乡社区支出",
        11: "十、农林水支出", 13: "1四、资源勘探信息等支出", 14: "十丘、商业服务业等支出", 16: "十七、国上海洋气象等支出"}


def _doc(names: list[str], pages_ocr: list[int], extra: dict | None = None, template="jiangsu-2017") -> dict:
    rows = [{"code": None, "name": n, "amount": None} for n in names]
    rows[0]["amount"] = "16992.37"
    data = Document(doc_id="d", template=template, run=RunInfo(engine="layout", pages_ocr=pages_ocr)).model_dump(mode="python")
    data["tables"]["t1"].update(present=True, pages=[1], rows=rows, extra=extra or {})
    data["provenance"] = {f"/tables/t1/rows/{i}/name": {"page": 1, "bbox": (0, i, 10, i + 1)} for i in range(len(rows))}
    for label in extra or {}:
        data["provenance"][f"/tables/t1/extra/{label}"] = {"page": 1, "bbox": (20, 0, 30, 1)}
    return data


def _read(replace: dict[int, str]) -> list[str]:
    return [replace.get(i, name) for i, name in enumerate(PRINTED)]


def test_numerals():
    assert [chinese(n) for n in (1, 10, 12, 20, 21, 99)] == ["一", "十", "十二", "二十", "二十一", "九十九"]
    assert all(numeral(chinese(n)) == n for n in range(1, 100))
    assert [numeral(t) for t in ("十丘", "1四", "瓦", "", "一十", "十十", "二二")] == [None] * 7


def test_js09_expense_lines_are_mended_and_keep_their_reading():
    data = _doc(_read(READ), pages_ocr=[1])
    mended = mend_outlines(data, {1}, templates.load("jiangsu-2017"))
    assert [row["name"] for row in data["tables"]["t1"]["rows"]] == PRINTED
    assert sorted(mended) == sorted(f"/tables/t1/rows/{i}/name" for i in READ)
    doc = Document.model_validate(data)  # the contract takes the mended labels and their readings
    assert doc.provenance["/tables/t1/rows/11/name"].read == "十、农林水支出"
    assert doc.provenance["/tables/t1/rows/1/name"].read is None  # read right: nothing to say
    assert "read" not in doc.model_dump(mode="json")["provenance"]["/tables/t1/rows/1/name"]


def test_a_born_digital_page_is_never_mended():
    data = _doc(_read(READ), pages_ocr=[])
    assert mend_outlines(data, set(), templates.load("jiangsu-2017")) == []
    # The table on a text page of a document whose other pages were OCR'd: as printed too.
    assert mend_outlines(data, {2}, templates.load("jiangsu-2017")) == []
    assert [row["name"] for row in data["tables"]["t1"]["rows"]] == _read(READ)


def test_a_numbering_that_skips_is_no_count():
    # A unit printing only the 类 it spends on: 一, 五, 八 … are right, and nothing between them is an item.
    labels = ["一、一般公共服务支出", "五、教育支出", "1、社会保障和就业支出", "十八、住房保障支出"]
    assert renumber(labels) == {}
    assert renumber(["一、a", "二、b", "五、c", "六、d"]) == {}
    # A misread well-formed numeral is mended only between two agreeing anchors.
    assert renumber(["一、a", "二、b", "七、c", "四、d", "五、e"]) == {2: "三、c"}
    assert renumber(["一、a", "二、b", "七、c"]) == {}


def test_labels_that_are_not_items_stay():
    # Lines under an item (unnumbered, or an arabic sub-item) break the count: nothing is mended.
    assert renumber(["一、基本支出", "工资福利支出", "商品和服务支出", "二、项目支出", "1、专项业务费"]) == {}
    assert renumber(["一、基本支出", "二、项目支出", "三、其他", "1、专项业务费"]) == {}
    assert renumber(["工资福利支出", "商品和服务支出", "对个人和家庭的补助"]) == {}
    # A garbled numeral after the last item is one; before the first, only when the count starts at 一.
    assert renumber(["一、a", "二、b", "三、c", "瓦、d"]) == {3: "四、d"}
    assert renumber(["x", "二、b", "三、c"]) == {0: "一、x"}
    assert renumber(["x", "三、b", "四、c"]) == {}


def test_names_snap_only_to_one_close_known_name():
    classes = {n for names in templates.load("national").classes.values() for n in names}
    assert snap("国上海洋气象等支出", classes) == "国土海洋气象等支出"
    assert snap("般公共服务支出", classes) == "一般公共服务支出"  # a thin 一 lost
    assert snap("卫生健康支出", classes) is None  # known as is (and so is the older name)
    assert snap("医疗卫生与计划生育支出", classes) is None
    assert snap("社会保障和就业支", classes) is None  # printed cut short by a narrow cell
    assert snap("资源勘探工业信息支出", classes) is None  # 001's t7 prints it so: a lost 等 may be printed
    assert snap("国交支出", classes) is None  # 国防支出 or 外交支出: not unique
    assert snap("城乡社区事务支出", classes) is None  # two characters off: another name
    # A character OCR read sure of itself is printed so (002's t7 prints 招商印资 for 招商引资).
    assert snap("国上海洋气象等支出", classes, confidence=0.999) is None
    assert snap("国上海洋气象等支出", classes, confidence=0.95) == "国土海洋气象等支出"
    assert snap("般公共服务支出", classes, confidence=0.999) == "一般公共服务支出"  # a lost stroke is not seen


def test_family_line_labels_snap_but_keep_a_printed_numeral():
    extra = {"、财政拨款": "20702.25", "、基本支出": "9964.07", "二、项支出": "10688.66", "二、其他资金": "1"}
    data = _doc(PRINTED, pages_ocr=[1], extra=extra)
    mend_outlines(data, {1}, templates.load("jiangsu-2017"))
    assert list(data["tables"]["t1"]["extra"]) == ["一、财政拨款", "一、基本支出", "二、项目支出", "二、其他资金"]
    assert data["provenance"]["/tables/t1/extra/二、项目支出"]["read"] == "二、项支出"
    assert "/tables/t1/extra/二、项支出" not in data["provenance"]
    # 一、 lost whole (js03's t4 read 基本支出): the family's one label that is 一、 and the reading.
    data = _doc(PRINTED, pages_ocr=[1], extra={"基本支出": "1", "项目支出": "2"})
    mend_outlines(data, {1}, templates.load("jiangsu-2017"))
    assert list(data["tables"]["t1"]["extra"]) == ["一、基本支出", "项目支出"]
    # A speck read before a label is none of it (sh11's fax read "-、财政拨款收入).
    data = _doc(PRINTED, pages_ocr=[1], extra={'"-、财政拨款收入': "1"})
    mend_outlines(data, {1}, templates.load("shanghai-2023"))
    assert list(data["tables"]["t1"]["extra"]) == ["一、财政拨款收入"]


def test_coded_names_snap_to_their_codes_names():
    data = _doc(PRINTED, pages_ocr=[1])
    data["generic_tables"] = [{"title": "财政拨款支出预算表", "pages": [1], "header": [], "rows": [
        ["201", "般公共服务支出", "16,845.17"], ["208", "社会保障利就业支出", "2,000.39"],
        ["2013102", "般行政管理事务", "10,738.18"], ["210", "其他支出", "1"]]}]
    data["tables"]["t5"].update(present=True, pages=[1], rows=[
        {"code": "220", "name": "国上海洋气象等支出", "total": "1"}, {"code": "221", "name": "住房保障支", "total": "1"}])
    mend_outlines(data, {1}, templates.load("jiangsu-2017"))
    # No budget word opens with 般: a name that does lost its 一, with or without a known name.
    assert [r[1] for r in data["generic_tables"][0]["rows"]] == ["一般公共服务支出", "社会保障和就业支出",
                                                               "一般行政管理事务", "其他支出"]
    assert [r["name"] for r in data["tables"]["t5"]["rows"]] == ["国土海洋气象等支出", "住房保障支"]


def test_extraction_mends_an_ocr_page_and_leaves_a_text_layer():
    """js03's 收支总表 as if scanned and misread: the pipeline mends its labels, the text layer's stay."""
    from extractor.locate import locate
    from extractor.pages import load_pages
    from extractor.pipeline import Context, Options, stage_engine

    misread = {"三、国防支出": "、国防支出", "十二、农林水支出": "十、农林水支出",
               "十四、资源勘探信息等支出": "1四、资源勘探信息等支出", "十七、自然资源海洋气象等支出": "十七、自然资源海详气象等支出"}
    template = templates.load("jiangsu-2017")

    def names(scanned: bool) -> tuple[list[str], Document]:
        path = Path(SAMPLES) / "real" / "js03.pdf"
        ctx = Context(path, Options())
        ctx.pages, ctx.source = load_pages(path)
        page = ctx.pages[0]
        page.words = [dataclasses.replace(w, text=misread.get(w.text, w.text), conf=0.9) for w in page.words]
        if scanned:
            page.source = "ocr"
        ctx.layout = locate(ctx.pages, template)
        stage_engine(ctx)
        return [row.name for row in ctx.doc.tables.t1.rows], ctx.doc

    as_printed, _ = names(scanned=False)
    assert "十、农林水支出" in as_printed  # a text layer's labels are what the file prints
    mended, doc = names(scanned=True)
    assert [n for n in mended if n not in as_printed] == ["三、国防支出", "十二、农林水支出", "十四、资源勘探信息等支出",
                                                          "十七、自然资源海洋气象等支出"]
    assert {p: s.read for p, s in doc.provenance.items() if s.read} == {
        "/tables/t1/rows/2/name": "、国防支出", "/tables/t1/rows/11/name": "十、农林水支出",
        "/tables/t1/rows/13/name": "1四、资源勘探信息等支出", "/tables/t1/rows/16/name": "十七、自然资源海详气象等支出"}


def test_lines_too_far_off_to_snap_are_named_by_the_sum_they_complete():
    from decimal import Decimal as D

    # js20 faxed: 一、基本支出 read 一、转本支山, 二、项目支出 read ：二、项目支用 (two characters off
    # each, and the two labels are two apart); 当年支出小计 is their sum with 三、单位预留机动经费.
    read = {"一、财政拨款": D("37188.34"), "一、转本支山": D("21968.00"), "：二、项目支用": D("10208.94"),
            "三、单位预留机动经费": D("5011.40"), "当年支出小计": D("37188.34")}
    family = templates.load("jiangsu-2017")
    data = _doc(PRINTED, pages_ocr=[1], extra=dict(read))
    mend_outlines(data, {1}, family)
    assert data["tables"]["t1"]["extra"] == {"一、财政拨款": D("37188.34"), "一、基本支出": D("21968.00"),
                                             "二、项目支出": D("10208.94"), "三、单位预留机动经费": D("5011.40"),
                                             "当年支出小计": D("37188.34")}
    assert data["provenance"]["/tables/t1/extra/一、基本支出"]["read"] == "一、转本支山"
    # A cent off, or read from a text layer: what was read stays.
    for extra, ocr in ((read | {"：二、项目支用": D("10208.95")}, {1}), (read, set())):
        data = _doc(PRINTED, pages_ocr=sorted(ocr), extra=dict(extra))
        mend_outlines(data, ocr, family)
        assert list(data["tables"]["t1"]["extra"]) == list(extra)


def test_a_contract_line_too_far_off_to_match_takes_its_field_by_the_sum():
    from decimal import Decimal as D

    # js03 faxed: 1.一般公共预算拨款 read 1.·般公其预算 (一 and 共 lost strokes) and 收入合计 read 收入合让,
    # both 18330.37; 一、财政拨款 = 一般公共预算 + 政府性基金 names one of them, and only the one that
    # still reads like 一般公共预算 (般公) takes the field.
    read = {"一、财政拨款": D("18330.37"), "1.·般公其预算": D("18330.37"), "收入合让": D("18330.37"),
            "当年收入小计": D("18330.37")}
    family = templates.load("jiangsu-2017")
    data = _doc(PRINTED, pages_ocr=[1], extra=dict(read))
    mend_outlines(data, {1}, family)
    t1 = data["tables"]["t1"]
    assert t1["income"]["general_budget"] == D("18330.37") and t1["income"]["gov_fund"] is None
    assert "1.·般公其预算" not in t1["extra"] and "收入合让" in t1["extra"]
    assert data["provenance"]["/tables/t1/income/general_budget"]["read"] == "1.·般公其预算"
    # A label nothing like the field's words stays where it was read, as does a text layer's.
    for extra, ocr in (({"一、财政拨款": D("18330.37"), "收入合让": D("18330.37")}, {1}), (read, set())):
        data = _doc(PRINTED, pages_ocr=sorted(ocr), extra=dict(extra))
        mend_outlines(data, ocr, family)
        assert list(data["tables"]["t1"]["extra"]) == list(extra)
        assert data["tables"]["t1"]["income"]["general_budget"] is None


def test_lines_two_sets_could_name_are_left_as_read():
    from decimal import Decimal as D

    # 9312.90 read twice under unknown labels (js03's fax: a 类 line and 、斯本支出): which is 基本支出?
    read = {"、斯本支出": D("9312.90"), "一般公共服务支出13,907,78": D("9312.90"), "、项支出": D("6459.58"),
            "三、单位预留机动经费": D("2557.89"), "当年支出小计": D("18330.37")}
    data = _doc(PRINTED, pages_ocr=[1], extra=dict(read))
    mend_outlines(data, {1}, templates.load("jiangsu-2017"))
    assert list(data["tables"]["t1"]["extra"]) == list(read)
