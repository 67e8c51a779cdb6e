"""Scanned headers misread: a code part's own cell, a repeated header, a speck inside a word."""

from extractor.header_mend import as_named_before
from extractor.read_tables import column_roles


def test_a_code_part_under_a_garbled_group_header_is_a_code_part():
    # sh12's fax: 功能分类科目编码 read as two cells, 功能分类科 | 编码; the group's 项目 named 类 项目支出.
    paths = [["项目", "功能分类科", "类"], ["项目", "功能分类科", "款"], ["项目", "编码", "项"],
             ["项目", "功能分类科目名称"], ["一般公共预算支出", "合计"], ["一般公共预算支出", "基本支出"],
             ["一般公共预算支出", "项目支出"]]
    assert column_roles("t5", paths) == ["code_l", "code_k", "code_x", "name", "total", "basic", "project"]


def test_a_repeated_header_names_its_columns_as_the_first_page_did():
    before = ["code_l", "code_k", "code_x", "name", "total", "basic", "project"]
    read = ["extra/类", "extra/款", "code_x", "name", "extra/个计", "basic", "project"]
    assert as_named_before(read, before) == before
    # Another width is another table; a field this header names elsewhere stays where it is read.
    assert as_named_before(read, before[:-1]) == read
    assert as_named_before(["total", "extra/个计"], ["name", "total"]) == ["total", "extra/个计"]


def test_a_speck_read_inside_a_scanned_header_word_is_none_of_it():
    import dataclasses
    from decimal import Decimal

    from tests.test_robust_readers import make_grid

    from extractor.engines.layout import _money_fields
    from extractor.locate import Region
    from extractor.read_tables import CodedTableReader

    # 004's fax: a rule's stub read as 1 inside 商品和服务支出, the one field its place leaves.
    header = ["科目编码", "科目名称", "项目名称", "项目支出合计", "工资福利支出", "商品和1服务支出", "对个人和家庭的补助"]
    rows = [header, ["2010301", "行政运行", "办公经费", "30.00", "10.00", "15.50", "4.50"]]

    def read(conf: float):
        grid = make_grid(1, rows)
        for cell in grid.cells:
            cell.words = [dataclasses.replace(w, conf=conf) for w in cell.words]
        return CodedTableReader("t7", _money_fields("t7"), None).read(Region("t7", grids=[grid]))[0].values

    assert read(0.9)["goods_services"] == Decimal("15.50")
    assert "goods_services" not in read(1.0)  # a header read without doubt is what the page prints
