"""Rich tables for score reports (the terminal view of eval score/run/compare)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from schemas.tables import TABLE_TITLES


def pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.2f}%"


def print_score(report: dict, console: Console) -> None:
    """Overall and per-table cell metrics, sheets and findings."""
    o = report["overall"]
    console.print(f"cells: exact {pct(o['cell_exact'])}  precision {pct(o['cell_precision'])}  "
                  f"recall {pct(o['cell_recall'])}  F1 {pct(o['cell_f1'])}  "
                  f"({o['correct']} correct, {o['wrong']} wrong, {o['missing']} missing, {o['extra']} extra)")
    table = Table(title="per table")
    for col in ("table", "title", "exact", "precision", "recall", "presence", "correct", "wrong", "missing", "extra"):
        table.add_column(col, justify="left" if col in ("table", "title") else "right")
    titles = {**TABLE_TITLES, "generic": "（无合同槽位的表，按原样）"}
    for key in (k for k in titles if k in report["tables"]):
        m = report["tables"][key]
        if not (m["correct"] or m["wrong"] or m["missing"] or m["extra"]):
            # No cell on either side (an empty table): no figure, not a flattering 100%.
            m = {**m, "cell_exact": None, "cell_precision": None, "cell_recall": None}
        table.add_row(key, titles[key], pct(m["cell_exact"]), pct(m["cell_precision"]), pct(m["cell_recall"]),
                      pct(m["presence_accuracy"]), str(m["correct"]), str(m["wrong"]), str(m["missing"]),
                      str(m["extra"]))
    console.print(table)
    s = report["sheets"]
    console.print(f"sheets: precision {pct(s['sheet_precision'])} recall {pct(s['sheet_recall'])}; "
                  f"sheet amounts exact {pct(s['fields']['cell_exact'])}; indicators precision "
                  f"{pct(s['indicator_precision'])} recall {pct(s['indicator_recall'])}, targets exact "
                  f"{pct(s['target_exact'])}, weights exact {pct(s['weight_exact'])}")
    f = report["findings"]
    console.print(f"findings: precision {pct(f['precision'])} recall {pct(f['recall'])} "
                  f"({f['pred']} predicted, {f['expected']} expected)")
    if "flags" in report:
        print_flags(report["flags"], console)
    if report.get("missing_predictions"):
        console.print(f"[yellow]no prediction for: {', '.join(report['missing_predictions'])}[/yellow]")


def print_flags(m: dict, console: Console) -> None:
    """Errors flagged (wrong + missing cells the prediction warns about) and false alarms."""
    reasons = ", ".join(f"{k} {v['errors']}/{v['false_alarms']}" for k, v in m.get("by_reason", {}).items())
    console.print(f"errors flagged: {m['errors_flagged']} of {m['errors']} wrong or missing cells "
                  f"({pct(m['errors_flagged_rate'])}), {m['errors_silent']} silent; false alarms: "
                  f"{m['false_alarms']} of {m['correct']} correct cells ({pct(m['false_alarm_rate'])})"
                  + (f", besides {m['source_flags']} where the gold itself does not add up"
                     if m.get("source_flags") else "")
                  + (f", and {m['blank_alarms']} blank lines flagged unread that the gold leaves blank"
                     if m.get("blank_alarms") else "")
                  + (f"; by reason (errors/false alarms): {reasons}" if reasons else ""), highlight=False)
