"""Template families as data: loading, detection, titles, and what the readers do with them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pymupdf
import pytest

from extractor import templates
from extractor.errors import LocateError, UnknownNameError, UnsupportedDocumentError
from extractor.locate import Region, mended_title, printed_number, title_kind
from extractor.pipeline import Options, extract
from extractor.read_fixed import read_t10
from extractor.read_tables import CodedTableReader, header_split
from schemas import Document, to_wan

from .grids import grid_of

ROOT = Path(__file__).resolve().parents[1]
REAL = [p for p in sorted((ROOT / "samples" / "real").glob("*.pdf"))] + \
    [p for p in sorted((ROOT.parent / "shared" / "realworld").glob("*.pdf"))]


def test_every_family_loads_and_a_child_puts_its_rules_first():
    names = templates.names()
    assert {"national", "xinjiang-2024", "jiangsu-2017", "shanghai-2023"} <= set(names)
    shanghai, national = templates.load("shanghai-2023"), templates.load("national")
    assert shanghai.money_unit == "元" and national.money_unit == "万元"
    assert shanghai.titles[-len(national.titles):] == national.titles  # the parent's rules come after
    assert shanghai.column_rules("t2")[0].field == "fiscal_subtotal"
    assert shanghai.column_rules("t2")[1:] == national.column_rules("t2")


def test_an_unknown_family_names_the_known_ones():
    with pytest.raises(UnknownNameError, match="shanghai-2023"):
        templates.load("atlantis-2030")


@pytest.mark.parametrize("text, family", [
    ("上海市普陀区2025年区级部门预算\n2025年部门财务收支预算总表\n一般公共预算支出功能分类预算表", "shanghai-2023"),
    ("公开表一\n收支预算总表\n部门：江苏省人大常委会办公厅\n政府采购支出预算表", "jiangsu-2017"),
    ("新疆维吾尔自治区 库尔勒市 2024年部门预算\n部门收支总体情况表", "xinjiang-2024"),
    ("某市某局2024年部门预算\n收支总体情况表", "national"),
])
def test_the_family_is_detected_by_the_phrases_it_prints(text, family):
    assert templates.detect(text).name == family


@pytest.mark.parametrize("line, family, kind", [
    ("公开表一 收支预算总表", "jiangsu-2017", "t1"),
    ("公开表五 财政拨款支出预算表(功能科目)", "jiangsu-2017", "generic"),
    ("公开07表 一般公共预算支出预算表（功能科目）", "jiangsu-2017", "t5"),
    ("2025年部门财务收支预算总表", "shanghai-2023", "t1"),
    ("2025年部门“三公”经费和机关运行经费预算表", "shanghai-2023", "t10"),
    ("2025年部门一般公共预算基本支出部门预算经济分类预算表", "shanghai-2023", "t6"),
    ("表4 财政拨款收支预算总体情况表", "xinjiang-2024", "t4"),
    ("某某单位培训项目明细预算表", "national", "generic"),  # a table no family names is still kept
    ("详见表1收支预算总表", "jiangsu-2017", None),
])
def test_titles_by_family(line, family, kind):
    assert title_kind(line, templates.load(family)) == kind


@pytest.mark.parametrize("line, kind, title", [
    # A scan lost 预 under a grey band: still the family's title, put right, its bracket kept.
    ("财政拨款支出 算表（功能科目）", "generic", "财政拨款支出预算表(功能科目)"),
    ("公开表六 财政拨款基本支出预算衣(经济科目)", "generic", "公开表六财政拨款基本支出预算表(经济科目)"),
    ("公开表十二 政府采购支出预算表", "generic", "公开表十二政府采购支出预算表"),  # as printed: kept
    # Too far from any title of the family to be put right: kept as read.
    ("2019年财政拨款支出算表", "generic", "2019年财政拨款支出算表"),
    ("部门人员编制情况统计表(在职)", "generic", "部门人员编制情况统计表(在职)"),
])
def test_a_title_misread_by_ocr_is_mended_to_the_familys_wording(line, kind, title):
    jiangsu = templates.load("jiangsu-2017")
    assert title_kind(line, jiangsu) == kind
    assert mended_title(line, jiangsu) == title


def test_printed_numbers():
    assert printed_number("公开表十二") == "公开表十二"
    assert printed_number("公开01表 收支预算总表") == "公开01表"
    assert printed_number("表3") == "表3"
    # A scan's 公开表六 read 公开表大 (its numeral's strokes lost): alone on its line, still the number.
    assert printed_number("公开表大") == "公开表大" and printed_number("公开表大楼") is None
    assert printed_number("收支预算总表") is None


def test_a_column_number_row_is_header_not_data():
    grid = grid_of([
        ["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
        ["栏次", "", "1", "2", "3"],
        ["201", "一般公共服务支出", "10.00", "6.00", "4.00"],
    ])
    assert header_split(grid) == 2
    rows = CodedTableReader("t3", ["total", "basic", "project"]).read(Region("t3", grids=[grid]))
    assert [r.values["code"] for r in rows] == ["201"]
    assert rows[0].values["total"] == Decimal("10.00")


def test_a_printed_column_without_a_field_is_kept_under_its_header():
    grid = grid_of([
        ["类", "款", "项", "科目名称", "合计", "财政拨款收入", "事业收入", "其他收入"],
        ["201", "", "", "一般公共服务支出", "12.00", "10.00", "2.00", ""],
    ])
    reader = CodedTableReader("t2", ["total", "fiscal_subtotal"], templates.load("shanghai-2023"))
    [row] = reader.read(Region("t2", grids=[grid]))
    assert row.values["fiscal_subtotal"] == Decimal("10.00")
    assert row.values["extra"] == {"事业收入": Decimal("2.00")}


def test_t10_printed_across_with_its_three_public_subtotal():
    grid = grid_of([
        ["合计", "“三公”经费", "", "", "", "", "会议费", "培训费"],
        ["", "小计", "因公出国(境)费", "公务用车购置及运行维护费", "", "公务接待费", "", ""],
        ["", "", "", "小计", "公务用车运行维护费", "", "", ""],
        ["30.00", "20.00", "5.00", "10.00", "10.00", "5.00", "6.00", "4.00"],
    ])
    lines, extra = read_t10(Region("t10", grids=[grid]), template=templates.load("jiangsu-2017"))
    by_line = {ln["line"]: ln["total"] for ln in lines}
    assert by_line == {"total": Decimal("20.00"), "outbound": Decimal("5.00"), "vehicles": Decimal("10.00"),
                       "vehicle_operation": Decimal("10.00"), "reception": Decimal("5.00")}
    assert extra == {"合计": Decimal("30.00"), "会议费": Decimal("6.00"), "培训费": Decimal("4.00")}


def test_money_units_convert_exactly():
    assert to_wan(Decimal("91016775.35"), "元") == Decimal("9101.677535")
    assert to_wan(Decimal("867.50"), "万元") == Decimal("867.50")


def test_the_checker_compares_tables_printed_in_different_units():
    from extractor.checks import check_document

    doc = Document(doc_id="u", template="national")
    doc.tables.t10.present, doc.tables.t10.unit = True, "万元"
    doc.tables.t10.rows = [{"line": "reception", "total": "28.50"}]
    doc.tables.t6.present, doc.tables.t6.unit = True, "元"
    doc.tables.t6.rows = [{"code": "302", "name": "商品和服务支出", "total": "285000.00", "public": "285000.00"},
                          {"code": "30217", "name": "公务接待费", "total": "285000.00", "public": "285000.00"}]
    findings, tally = check_document(doc)
    rule = "x.t10_reception_eq_t6"
    assert tally.by_rule[rule].evaluated == 1 and tally.by_rule[rule].held == 1
    doc.tables.t6.rows[1].total = Decimal("286000.00")  # 1000 元 off: 0.1 万元, outside the rounding band
    findings, tally = check_document(doc)
    assert tally.by_rule[rule].held == 0 and rule in {f.rule for f in findings}


def _text_pdf(path: Path, lines: list[str]) -> Path:
    doc = pymupdf.open()
    page = doc.new_page()
    for i, line in enumerate(lines):
        page.insert_text((72, 72 + 20 * i), line, fontname="china-s", fontsize=11)
    doc.save(path)
    return path


def test_final_accounts_get_a_clear_error(tmp_path):
    pdf = _text_pdf(tmp_path / "f.pdf", ["某局2024年度部门决算", "收入支出决算总表", "支出决算表"])
    with pytest.raises(UnsupportedDocumentError, match="决算"):
        extract(pdf)


def test_a_narrative_only_file_says_its_tables_are_elsewhere(tmp_path):
    pdf = _text_pdf(tmp_path / "n.pdf", ["江苏省某厅2019年度部门预算公开", "第三部分 2019年度部门预算情况说明",
                                         "一、收支预算总体情况说明", "本预算反映部门年度总体收支预算情况。"])
    with pytest.raises(LocateError, match="narrative only"):
        extract(pdf)


@pytest.mark.skipif(not REAL, reason="no real disclosures here (samples/real or ../shared/realworld)")
@pytest.mark.parametrize("pdf", REAL, ids=lambda p: p.stem)
def test_real_budgets_are_read_and_reconcile(pdf):
    """Each real budget: its family detected, tables read, its identities hold (over all: see the note)."""
    try:
        doc = extract(pdf, Options())
    except (UnsupportedDocumentError, LocateError) as exc:
        # Final accounts and narrative-only files fail on purpose, with their reason.
        assert "决算" in str(exc) or "narrative only" in str(exc)
        return
    family = {"js": "jiangsu-2017", "sh": "shanghai-2023"}.get(pdf.stem[:2])
    if family:
        assert doc.template == family
    present = [k for k in type(doc.tables).model_fields if getattr(doc.tables, k).present]
    assert len(present) + len(doc.generic_tables) >= 6
    assert doc.reconcile is not None and doc.reconcile.evaluated > 0
    assert doc.reconcile.rate >= 0.9, {k: v for k, v in doc.reconcile.by_rule.items() if v.held < v.evaluated}


def test_templates_command_lists_and_shows_families():
    from typer.testing import CliRunner

    from cli import app

    runner = CliRunner()
    listed = runner.invoke(app, ["templates"])
    assert listed.exit_code == 0 and "shanghai-2023" in listed.output and "jiangsu-2017" in listed.output
    shown = runner.invoke(app, ["templates", "shanghai-2023", "--json"])
    assert shown.exit_code == 0 and '"money_unit": "元"' in shown.output
    assert runner.invoke(app, ["templates", "atlantis"]).exit_code == 2
    assert runner.invoke(app, ["extract", "x.pdf", "-o", "out", "--template", "atlantis"]).exit_code == 2


PAIR = [ROOT.parent / "shared" / "realworld" / n for n in ("js02.pdf", "js03.pdf")]


@pytest.mark.skipif(not all(p.exists() for p in PAIR), reason="the Jiangsu narrative + tables pair is not here")
def test_a_units_narrative_and_tables_files_read_as_one_document(tmp_path):
    from typer.testing import CliRunner

    from cli import app

    alone = CliRunner().invoke(app, ["extract", str(PAIR[0]), "-o", str(tmp_path / "a")])
    assert alone.exit_code == 1 and "narrative only" in alone.output
    both = CliRunner().invoke(app, ["extract", *map(str, PAIR), "--group", "-o", str(tmp_path / "b")])
    assert both.exit_code == 0, both.output
    doc = Document.model_validate_json((tmp_path / "b" / "js02.json").read_text(encoding="utf-8"))
    assert doc.source.parts == ["js03.pdf"] and doc.tables.t1.present and doc.narrative is not None
    # The narrative's figures are checked against the tables of the other file.
    assert doc.reconcile.by_rule["narr.expense_budget"].held == 1


def test_narrative_phrasings_are_family_data_and_name_contract_fields():
    from schemas.narrative import Narrative

    for name in templates.names():
        for key, pattern in templates.load(name).narrative_patterns:
            fields = list(pattern.groupindex) or [key]
            assert set(fields) <= set(Narrative.model_fields), (name, key)
    # Shanghai's own phrasing comes first and states the performance projects.
    doc = extract(ROOT / "samples" / "real" / "sh12.pdf", Options())
    assert (doc.narrative.performance_project_count, doc.narrative.performance_project_amount) == \
        (25, Decimal("11381.60"))
    assert "/narrative/performance_project_amount" in doc.provenance
    # The national set alone does not know the phrasing.
    text = "2025年度,本部门编报绩效目标的项目共25个,涉及项目预算资金11381.60万元。"
    assert not any(p.search(text) for _, p in templates.load("national").narrative_patterns)


def test_a_local_family_adds_a_narrative_phrasing(tmp_path):
    (tmp_path / "xj-local.toml").write_text(
        'name = "xj-local"\nextends = "xinjiang-2024"\n[narrative]\n'
        "procurement_sme = ['中小企业[^0-9。]{0,12}?预留[^0-9。]{0,40}?{num}万元']\n"
        "expense_basic = ['XYZ不会出现{num}万元']\n", encoding="utf-8")
    with templates.use_folders(tmp_path):
        family = templates.load("xj-local")
        keys = [key for key, _ in family.narrative_patterns]
        # The child's patterns go first; the parent's stay as fallbacks.
        assert keys.index("expense_basic") < len(keys) - 1 and keys.count("expense_basic") == 2
        sme = [p.pattern for key, p in family.narrative_patterns if key == "procurement_sme"]
        assert len(sme) == 2 and "{0,40}" in sme[0]
    from extractor.locate import Layout, Region
    from extractor.read_text import read_narrative

    lines = ["第三部分 情况说明", "本单位面向中小企业(含小微企业)采购项目预留政府采购项目预算金额12.50万元。"]
    region = Region(kind="narrative", title=lines[0], pages=[1], lines=lines)
    assert read_narrative(Layout([region], [], template=family))["procurement_sme"] == Decimal("12.50")
    assert read_narrative(Layout([region], [], template=templates.load("xinjiang-2024"))).get("procurement_sme") is None
