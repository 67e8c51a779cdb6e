"""Two small inline-SVG charts for the compare report: grouped bars and a labelled scatter.

Hand-written so the HTML report stays one self-contained file with no plotting dependency. Every
piece of text goes through html.escape; every mark carries a <title> so hovering shows its figure.
"""

from __future__ import annotations

import math
from html import escape

# Okabe–Ito: tells runs apart for colour-blind readers too
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
FONT = "font-family=\"system-ui, 'Noto Sans CJK SC', sans-serif\""


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _legend(names: list[str], colours: list[int], x: float, y: float) -> list[str]:
    parts = []
    for i, (name, ci) in enumerate(zip(names, colours)):
        parts.append(f'<rect x="{x}" y="{y + 18 * i - 10}" width="12" height="12" fill="{colour(ci)}"/>')
        parts.append(f'<text x="{x + 18}" y="{y + 18 * i}" font-size="13" {FONT}>{escape(name)}</text>')
    return parts


def bar_chart(categories: list[str], series: list[tuple[str, list[float | None]]], title: str,
              colours: list[int] | None = None, width: int = 1200, height: int = 340) -> str:
    """Grouped bars of fractions in [0, 1] (drawn as %), one group per category, one bar per series.

    colours gives each series its palette index, so a run keeps its colour when others are left out.
    """
    colours = colours or list(range(len(series)))
    left, right, top, bottom = 50, 190, 34, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    group_w = plot_w / max(1, len(categories))
    bar_w = min(28.0, group_w * 0.8 / max(1, len(series)))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
             f'<text x="{left}" y="20" font-size="15" font-weight="600" {FONT}>{escape(title)}</text>']
    for tick in range(0, 101, 25):
        y = top + plot_h * (1 - tick / 100)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" {FONT}>{tick}%</text>')
    for ci, cat in enumerate(categories):
        gx = left + ci * group_w + (group_w - bar_w * len(series)) / 2
        for si, (name, values) in enumerate(series):
            value = values[ci]
            x = gx + si * bar_w
            if value is None:  # nothing to score: a hollow stub, so "no figure" is not read as 0% or 100%
                parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - 3:.1f}" width="{bar_w - 2:.1f}" height="3" '
                             f'fill="none" stroke="{colour(colours[si])}"><title>{escape(name)} · {escape(cat)}: '
                             f'no cells to score</title></rect>')
                continue
            h = plot_h * max(0.0, min(1.0, value))
            parts.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                         f'fill="{colour(colours[si])}"><title>{escape(name)} · {escape(cat)}: {100 * value:.2f}%'
                         f'</title></rect>')
        parts.append(f'<text x="{left + (ci + 0.5) * group_w:.1f}" y="{top + plot_h + 18}" font-size="12" '
                     f'text-anchor="middle" {FONT}>{escape(cat)}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>')
    parts += _legend([n for n, _ in series], colours, left + plot_w + 20, top + 10)
    parts.append("</svg>")
    return "\n".join(parts)


def _nice_max(value: float) -> float:
    """A round axis end above value (1, 2, 5 × 10^k)."""
    if value <= 0:
        return 1.0
    step = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 5, 10):
        if value <= m * step:
            return m * step
    return 10 * step


def _marker(shape: int, x: float, y: float, fill: str, tip: str) -> str:
    """A circle for the first series shape, a diamond for the second, a square after that."""
    title = f"<title>{escape(tip)}</title>"
    if shape == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{fill}" stroke="#fff">{title}</circle>'
    if shape == 1:
        pts = f"{x:.1f},{y - 7:.1f} {x + 7:.1f},{y:.1f} {x:.1f},{y + 7:.1f} {x - 7:.1f},{y:.1f}"
        return f'<polygon points="{pts}" fill="{fill}" stroke="#fff">{title}</polygon>'
    return f'<rect x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12" fill="{fill}" stroke="#fff">{title}</rect>'


def _place_labels(anchors: list[tuple[float, float, str]]) -> list[tuple[float, float]]:
    """Label positions right of each point, nudged down until they no longer overlap placed ones.

    Points are labelled top to bottom, so labels keep their points' vertical order and a nudged
    label never ends up beside another point.
    """
    placed: list[tuple[float, float, float]] = []  # x, y, width
    out: dict[int, tuple[float, float]] = {}
    for i in sorted(range(len(anchors)), key=lambda i: anchors[i][1]):
        x, y, text = anchors[i]
        lx, ly, w = x + 10, y - 8, 7.5 * len(text)
        while any(abs(ly - py) < 15 and lx < px + pw and px < lx + w for px, py, pw in placed):
            ly += 15
        placed.append((lx, ly, w))
        out[i] = (lx, ly)
    return [out[i] for i in range(len(anchors))]


def scatter(points: list[tuple[str, int, int, float, float]], title: str, x_label: str, y_label: str,
            shapes: list[str] = (), width: int = 820, height: int = 440) -> str:
    """Labelled points (label, colour index, shape index, x ≥ 0, y fraction in [0, 1]); y drawn as %.

    shapes names what each marker shape stands for (e.g. the document kinds) in a small key.
    """
    left, right, top, bottom = 64, 200, 44, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    x_max = _nice_max(max((p[3] for p in points), default=0.0) * 1.05)
    y_min = min(0.9, min((p[4] for p in points), default=1.0))
    y_min = max(0.0, int(y_min * 10) / 10)  # zoom on the top of the scale, where runs differ
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
             f'<text x="{left}" y="20" font-size="15" font-weight="600" {FONT}>{escape(title)}</text>']

    def px(x: float) -> float:
        return left + plot_w * x / x_max

    def py(y: float) -> float:
        return top + plot_h * (1 - (y - y_min) / (1 - y_min or 1))

    for i in range(5):
        yv = y_min + (1 - y_min) * i / 4
        xv = x_max * i / 4
        parts.append(f'<line x1="{left}" y1="{py(yv):.1f}" x2="{left + plot_w}" y2="{py(yv):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{py(yv) + 4:.1f}" font-size="11" text-anchor="end" {FONT}>'
                     f'{100 * yv:.1f}%</text>')
        parts.append(f'<text x="{px(xv):.1f}" y="{top + plot_h + 16}" font-size="11" text-anchor="middle" {FONT}>'
                     f'{xv:g}</text>')
    parts.append(f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#333"/>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 12}" font-size="12" text-anchor="middle" {FONT}>'
                 f'{escape(x_label)}</text>')
    parts.append(f'<text x="14" y="{top + plot_h / 2}" font-size="12" text-anchor="middle" {FONT} '
                 f'transform="rotate(-90 14 {top + plot_h / 2})">{escape(y_label)}</text>')
    anchors = [(px(x), py(y), label) for label, _, _, x, y in points]
    for (label, ci, shape, x, y), (lx, ly) in zip(points, _place_labels(anchors)):
        parts.append(_marker(shape, px(x), py(y), colour(ci), f"{label}: {100 * y:.2f}% at {x:g}"))
        if ly - (py(y) - 8) > 10:  # nudged away: a leader line says whose label it is
            parts.append(f'<line x1="{px(x):.1f}" y1="{py(y):.1f}" x2="{lx - 2:.1f}" y2="{ly - 4:.1f}" '
                         f'stroke="{colour(ci)}" stroke-width="1"/>')
        parts.append(f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="12" {FONT}>{escape(label)}</text>')
    for i, name in enumerate(shapes):  # the key of marker shapes, right of the plot
        kx, ky = left + plot_w + 24, top + 12 + 20 * i
        parts.append(_marker(i, kx, ky, "#555", name))
        parts.append(f'<text x="{kx + 12}" y="{ky + 4}" font-size="12" {FONT}>{escape(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
