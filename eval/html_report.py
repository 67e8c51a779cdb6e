"""The compare report as one self-contained HTML file (inline CSS and SVG, no scripts, no network).

All text that comes from run records (names, paths, labels, errors) is escaped: a prompt name or a
document label must never become markup.
"""

from __future__ import annotations

from html import escape

from schemas.tables import TABLE_TITLES

from .compare import fmt_delta, fmt_value
from .svg import bar_chart, colour, scatter

MAX_DIFF_ROWS = 2000  # per pair; the JSON output has them all

CSS = """
body { font-family: system-ui, 'Noto Sans CJK SC', sans-serif; margin: 24px 32px; color: #222; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ccc; }
h3 { font-size: 15px; margin-top: 22px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th { background: #f4f4f4; } td.l, th.l { text-align: left; }
tr.sep td { border-top: 2px solid #999; }
.up { color: #127a2e; } .down { color: #b3261e; } .muted { color: #777; }
.correct { color: #127a2e; } .bad { color: #b3261e; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; }
.note { background: #fff6d6; padding: 6px 10px; border-left: 3px solid #e0b000; margin: 6px 0; font-size: 13px; }
code { font-size: 12px; }
"""


def _runs_table(runs: list[dict]) -> str:
    rows = []
    for i, r in enumerate(runs):
        c, g = r["config"], r.get("git") or {}
        commit = (g.get("commit") or "-")[:10] + (" (dirty)" if g.get("dirty") else "")
        cells = [f'<span class="swatch" style="background:{colour(i)}"></span>{escape(r["name"])}',
                 escape(c.get("engine") or "-"), escape(c.get("prompt") or "-"), escape(c.get("model") or "-"),
                 escape(", ".join(c.get("kinds") or [])), escape(commit), escape(str(r.get("budgetx_version"))),
                 escape(r.get("created") or "-"), f'<code>{escape(r.get("path", ""))}</code>']
        rows.append("<tr>" + "".join(f'<td class="l">{x}</td>' for x in cells) + "</tr>")
    head = "".join(f'<th class="l">{h}</th>' for h in
                   ("run", "engine", "prompt", "model", "kinds", "commit", "version", "created", "record"))
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _figures_table(kind: str, runs: list[dict], metrics: list) -> str:
    head = '<th class="l">figure</th>' + "".join(
        f"<th>{escape(r['name'])}</th>" + ("<th>Δ</th>" if i else "") for i, r in enumerate(runs))
    rows, group = [], None
    for m in (m for m in metrics if m.kind == kind):
        sep = ' class="sep"' if group is not None and m.group != group else ""
        group = m.group
        cells = [f'<td class="l">{escape(m.label)}</td>', f"<td>{escape(fmt_value(m.values[0], m.fmt))}</td>"]
        for v in m.values[1:]:
            delta = fmt_delta(v, m.values[0], m.fmt)
            cls = "muted" if delta in ("", "±0") else ("up" if delta.startswith("+") == m.higher_is_better else "down")
            cells += [f"<td>{escape(fmt_value(v, m.fmt))}</td>", f'<td class="{cls}">{escape(delta)}</td>']
        rows.append(f"<tr{sep}>{''.join(cells)}</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _table_bars(kind: str, runs: list[dict], metrics: list) -> str:
    by_key = {m.key: m for m in metrics if m.kind == kind and m.group in ("overall", "table")}
    cats = ["overall", *TABLE_TITLES]
    series, colours = [], []
    for i, run in enumerate(runs):
        if by_key["cell_exact"].values[i] is None:  # the run has no figures of this kind: no bars at all
            continue
        values = [by_key["cell_exact"].values[i]] + [by_key[t].values[i] for t in TABLE_TITLES]
        series.append((run["name"], values))
        colours.append(i)
    chart = bar_chart(cats, series, f"{kind}: cells exact per table (t1 … t11; higher is better)", colours)
    if any(v is None for _, values in series for v in values):
        chart += '<p class="muted">A hollow stub: the table had no cell to score (blank in gold and prediction).</p>'
    return chart


def _cost_scatter(runs: list[dict], kinds: list[str]) -> str:
    points = []
    for i, run in enumerate(runs):
        for k, kind in enumerate(kinds):
            section = run["kinds"].get(kind) or {}
            if "overall" in section:
                points.append((f"{run['name']} · {kind}", i, k, float(section["usage"]["cost"]),
                               section["overall"]["cell_exact"]))
    chart = scatter(points, "cost vs cells exact (up and left is better)",
                    "cost of the run (all documents of the kind)", "cells exact", shapes=kinds)
    if points and all(p[3] == 0 for p in points):
        chart += '<p class="muted">Every run cost 0: no priced model calls were made.</p>'
    return chart


def _outcome(text: str) -> str:
    return f'<span class="{"correct" if text == "correct" else "bad"}">{escape(text)}</span>'


def _diff_section(runs: list[dict], diffs: list) -> str:
    base = runs[0]["name"]
    parts = []
    for run in runs[1:]:
        mine = [d for d in diffs if d.other_run == run["name"]]
        better = sum(d.improved for d in mine)
        parts.append(f"<h3>{escape(run['name'])} vs {escape(base)}: {better} cells right only in "
                     f"{escape(run['name'])}, {len(mine) - better} right only in {escape(base)}</h3>")
        if not mine:
            continue
        head = "".join(f'<th class="l">{escape(h)}</th>' for h in
                       ("kind", "document", "cell", base, run["name"], "pointer"))
        rows = [f'<tr><td class="l">{escape(d.kind)}</td><td class="l">{escape(d.doc_id)}</td>'
                f'<td class="l">{escape(d.label)}</td><td class="l">{_outcome(d.base)}</td>'
                f'<td class="l">{_outcome(d.other)}</td><td class="l"><code>{escape(d.pointer)}</code></td></tr>'
                for d in mine[:MAX_DIFF_ROWS]]
        parts.append(f"<table><tr>{head}</tr>{''.join(rows)}</table>")
        if len(mine) > MAX_DIFF_ROWS:
            parts.append(f'<p class="muted">… and {len(mine) - MAX_DIFF_ROWS} more (see --json).</p>')
    return "\n".join(parts)


def _not_run(runs: list[dict]) -> str:
    """One line per run: documents with no sample, and documents whose extraction failed."""
    notes = []
    for run in runs:
        for what in ("not_run", "failed"):
            per_kind = [f"{kind} {', '.join(s[what])}" for kind, s in run["kinds"].items() if s.get(what)]
            if per_kind:
                label = "not run (no sample)" if what == "not_run" else "failed (scored as empty)"
                notes.append(f"{run['name']}: {label}: {'; '.join(per_kind)}")
    return "".join(f'<div class="note">{escape(n)}</div>' for n in notes)


def render_html(result: dict) -> str:
    """The whole report for a compare result (see eval.compare.compare)."""
    runs, metrics = result["runs"], result["metrics"]
    kinds = list(dict.fromkeys(m.kind for m in metrics))
    title = "budgetx eval compare: " + " vs ".join(r["name"] for r in runs)
    body = [f"<h1>{escape(title)}</h1>",
            '<p class="muted">Cells exact = correct / (correct + wrong + missing + extra) over the eleven tables; '
            "Δ is against the first run.</p>", _runs_table(runs)]
    body += [f'<div class="note">{escape(w)}</div>' for w in result["warnings"]]
    body.append(_not_run(runs))
    for kind in kinds:
        body += [f"<h2>{escape(kind)}</h2>", _table_bars(kind, runs, metrics), _figures_table(kind, runs, metrics)]
    if kinds:
        body += ["<h2>cost and accuracy</h2>", _cost_scatter(runs, kinds)]
    body += ["<h2>cells that changed</h2>", _diff_section(runs, result["diffs"])]
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
            f"<style>{CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")
