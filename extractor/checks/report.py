"""Show findings to people: one rich table per severity, cells named by their Chinese labels."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from schemas import Document, Finding

from .labels import fmt, label

SEVERITIES = (("error", "错误 errors", "red"), ("warning", "警告 warnings", "yellow"), ("info", "提示 info", "cyan"))
MAX_CELLS = 4  # a 合计 check may name 30 rows; the first few say where to look


def cells_text(doc: Document, pointers: Sequence[str]) -> str:
    """The Chinese labels of a finding's cells, one per line."""
    names = [label(doc, p) for p in pointers[:MAX_CELLS]]
    if len(pointers) > MAX_CELLS:
        names.append(f"… 共 {len(pointers)} 个单元格")
    return "\n".join(names)


def figures_text(finding: Finding) -> str:
    """Expected, actual and difference, one per line (blank when the rule states no figure)."""
    parts = [(tag, getattr(finding, name)) for tag, name in (("应为", "expected"), ("实为", "actual"),
                                                             ("差额", "difference"))]
    return "\n".join(f"{tag} {fmt(value)}" for tag, value in parts if value is not None)


def suspect_text(doc: Document, finding: Finding) -> str:
    """The suspect cell, and the repair when there is one."""
    if finding.repair is not None:
        r = finding.repair
        return f"{label(doc, r.pointer)}\n{fmt(r.old)} → {fmt(r.new)} ({r.kind})"
    return label(doc, finding.suspect) if finding.suspect else ""


def print_findings(console: Console, name: str, doc: Document, findings: Sequence[Finding]) -> None:
    """Print one document's findings grouped by severity."""
    counts = {sev: sum(f.severity == sev for f in findings) for sev, _, _ in SEVERITIES}
    console.print(f"[bold]{name}[/bold] {doc.unit_name or doc.doc_id}: {counts['error']} errors, "
                  f"{counts['warning']} warnings, {counts['info']} info", highlight=False)
    for severity, title, colour in SEVERITIES:
        group = [f for f in findings if f.severity == severity]
        if not group:
            continue
        table = Table(title=f"{title} ({len(group)})", title_style=f"bold {colour}", show_lines=True,
                      expand=True)
        # Narrow terminals wrap the text columns rather than squeezing them away.
        table.add_column("规则 rule / 来源 cause", style=colour, min_width=12, overflow="fold")
        table.add_column("单元格 cells", min_width=18, ratio=3)
        table.add_column("应为/实为/差额", justify="right", min_width=12)
        table.add_column("可疑/修正 suspect", min_width=14, ratio=2)
        for f in group:
            table.add_row(f"{f.rule}\n({f.cause})", cells_text(doc, f.locations), figures_text(f),
                          suspect_text(doc, f))
        console.print(table)
