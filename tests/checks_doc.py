"""A small hand-made Document where every identity of the checker holds.

Tests break one cell of it and assert exactly which findings, suspect and repair come out.
The figures (万元): t1 本年收入 110.50 = 一般公共预算 100.50 (一般财力 90.50 + 上级转移 10.00)
+ 单位资金 10.00; 上年结转 5.00 (一般公共预算); 总计 115.50 = 201 80.30 + 208 35.20.
"""

from __future__ import annotations

from typing import Any

from schemas import Document


def _row(code: str, name: str, **cells: str) -> dict[str, Any]:
    return {"code": code, "name": name, **cells}


def clean_doc() -> Document:
    """The consistent fixture Document (a fresh copy on every call)."""
    t2_rows = [
        _row("201", "一般公共服务支出", total="80.30", fiscal_subtotal="65.30", general_budget="65.30",
             unit_funds="10.00", fiscal_carryover="5.00"),
        _row("20103", "政府办公厅（室）及相关机构事务", total="80.30", fiscal_subtotal="65.30",
             general_budget="65.30", unit_funds="10.00", fiscal_carryover="5.00"),
        _row("2010301", "行政运行", total="60.30", fiscal_subtotal="50.30", general_budget="50.30",
             unit_funds="10.00"),
        _row("2010399", "其他政府办公厅（室）及相关机构事务支出", total="20.00", fiscal_subtotal="15.00",
             general_budget="15.00", fiscal_carryover="5.00"),
        _row("208", "社会保障和就业支出", total="35.20", fiscal_subtotal="35.20", general_budget="25.20",
             general_transfer_upper="10.00"),
        _row("20805", "行政事业单位养老支出", total="35.20", fiscal_subtotal="35.20", general_budget="25.20",
             general_transfer_upper="10.00"),
        _row("2080505", "机关事业单位基本养老保险缴费支出", total="35.20", fiscal_subtotal="35.20",
             general_budget="25.20", general_transfer_upper="10.00"),
    ]
    t2_total = {"code": None, "name": "合计", "total": "115.50", "fiscal_subtotal": "100.50",
                "general_budget": "90.50", "general_transfer_upper": "10.00", "unit_funds": "10.00",
                "fiscal_carryover": "5.00"}
    t3_rows = [
        _row("201", "一般公共服务支出", total="80.30", basic="60.30", project="20.00"),
        _row("20103", "政府办公厅（室）及相关机构事务", total="80.30", basic="60.30", project="20.00"),
        _row("2010301", "行政运行", total="60.30", basic="60.30"),
        _row("2010399", "其他政府办公厅（室）及相关机构事务支出", total="20.00", project="20.00"),
        _row("208", "社会保障和就业支出", total="35.20", basic="35.20"),
        _row("20805", "行政事业单位养老支出", total="35.20", basic="35.20"),
        _row("2080505", "机关事业单位基本养老保险缴费支出", total="35.20", basic="35.20"),
    ]
    t5_rows = [
        _row("2010301", "行政运行", total="50.30", basic="50.30"),
        _row("2010399", "其他政府办公厅（室）及相关机构事务支出", total="15.00", project="15.00"),
        _row("2080505", "机关事业单位基本养老保险缴费支出", total="35.20", basic="35.20"),
    ]
    t6_rows = [
        _row("301", "工资福利支出", total="80.00", personnel="80.00"),
        _row("30101", "基本工资", total="50.00", personnel="50.00"),
        _row("30102", "津贴补贴", total="30.00", personnel="30.00"),
        _row("302", "商品和服务支出", total="5.50", public="5.50"),
        _row("30201", "办公费", total="3.00", public="3.00"),
        _row("30217", "公务接待费", total="2.50", public="2.50"),
    ]
    t10_lines = ["outbound", "reception", "vehicles", "vehicle_purchase", "vehicle_operation"]
    t10_rows = [{"line": line, "name": None} for line in t10_lines]
    t10_rows[1].update(total="2.50", general_budget="2.50")
    empty = {"present": True, "empty_note": "本表为空表。", "rows": [], "total": None}
    data = {
        "doc_id": "fixture",
        "unit_name": "测试单位",
        "unit_kind": "单位",
        "year": 2024,
        "staffing": {"authorized": 13, "actual": 12, "in_service": 12, "retired": 0, "separated": 0},
        "tables": {
            "t1": {"present": True, "income": {
                "current_year_income": "110.50", "general_budget": "100.50", "general_fiscal_resources": "90.50",
                "general_transfer_upper": "10.00", "unit_funds": "10.00", "business_income": "10.00",
                "carryover": "5.00", "fiscal_carryover": "5.00", "fiscal_carryover_general": "5.00"},
                "rows": [_row("201", "一般公共服务支出", amount="80.30"), _row("202", "外交支出", amount=None),
                         _row("208", "社会保障和就业支出", amount="35.20")],
                "total": {"income_total": "115.50", "expense_total": "115.50"}},
            "t2": {"present": True, "rows": t2_rows, "total": t2_total},
            "t3": {"present": True, "rows": t3_rows,
                   "total": {"code": None, "name": "合计", "total": "115.50", "basic": "95.50", "project": "20.00"}},
            "t4": {"present": True,
                   "income": {"fiscal_total": "100.50", "general_budget": "100.50"},
                   "rows": [_row("201", "一般公共服务支出", total="65.30", general_budget="65.30"),
                            _row("208", "社会保障和就业支出", total="35.20", general_budget="35.20")],
                   "total": {"income_total": "100.50",
                             "expense_total": {"total": "100.50", "general_budget": "100.50"}}},
            "t5": {"present": True, "rows": t5_rows,
                   "total": {"code": None, "name": "合计", "total": "100.50", "basic": "85.50", "project": "15.00"}},
            "t6": {"present": True, "rows": t6_rows,
                   "total": {"code": None, "name": "合计", "total": "85.50", "personnel": "80.00",
                             "public": "5.50"}},
            "t7": {"present": True,
                   "rows": [{"code": "2010399", "name": "其他政府办公厅（室）及相关机构事务支出",
                             "project_name": "党建工作经费", "total": "15.00", "goods_services": "15.00"}],
                   "total": {"code": None, "name": "合计", "total": "15.00", "goods_services": "15.00"}},
            "t8": dict(empty),
            "t9": dict(empty),
            "t10": {"present": True, "rows": t10_rows,
                    "total": {"line": "total", "name": "合计", "total": "2.50", "general_budget": "2.50"}},
            "t11": {"present": True,
                    "rows": [{"name": "2023年党建工作结转", "total": "5.00", "fiscal_total": "5.00",
                              "fiscal_project": "5.00"}],
                    "total": {"name": "合计", "total": "5.00", "fiscal_total": "5.00", "fiscal_project": "5.00"}},
        },
        "performance": {
            "overall": {"unit_name": "测试单位", "budget_upper": "10.00", "budget_local": "90.50",
                        "budget_other": "15.00",
                        "indicators": [{"level1": "履职效能", "level3": "培训次数", "target_raw": ">=3次", "weight": "50"},
                                       {"level1": "履职效能", "level3": "覆盖率", "target_raw": ">=95%", "weight": "40"}]},
            "projects": [{"project_name": "党建工作项目", "budget_total": "15.00", "budget_fiscal": "15.00",
                          "budget_other": "0",
                          "indicators": [{"level1": "产出指标", "level3": f"指标{k}", "target_raw": ">=1次",
                                          "weight": "30"} for k in range(3)]}],
        },
        "narrative": {
            "total_budget": "115.50", "income_budget": "115.50", "expense_budget": "115.50",
            "expense_basic": "95.50", "expense_project": "20.00", "three_public_total": "2.50",
            "three_public_outbound": "0", "three_public_reception": "2.50", "three_public_vehicle_purchase": "0",
            "three_public_vehicle_operation": "0", "operating_funds": "5.50", "procurement_total": "10.00",
            "procurement_goods": "10.00", "procurement_works": "0", "procurement_services": "0",
            "procurement_sme": "10.00", "performance_project_count": 1, "performance_project_amount": "15.00",
        },
    }
    return Document.model_validate(data)
