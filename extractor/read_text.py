"""Facts stated in running text: unit, year, staffing (概况) and the narrative's figures (情况说明)."""

from __future__ import annotations

import re
from collections import Counter

from . import templates
from .columns import as_money
from .locate import Layout, clean, normalise
from .provenance import Lines, TextIndex, Where, lines_of

_NUM = r"(\d[\d,]*(?:\.\d+)?)"
_INT = r"(\d+)"


def joined(lines: list[str]) -> str:
    """Running text with the PDF's line breaks and spaces removed."""
    return "".join(normalise(line) for line in lines)


def _titles(layout: Layout, kinds: tuple[str, ...] | None = None) -> Lines:
    return [r.title_words for r in layout.regions if r.title_words and (kinds is None or r.kind in kinds)]


def read_year(layout: Layout, where: Where | None = None) -> int | None:
    """The budget year most titles name; where gets the first title (or front line) naming it."""
    titles = [r.title for r in layout.regions] + [normalise(x) for x in layout.front_lines[:10]]
    years = Counter(int(m) for t in titles for m in re.findall(r"(20\d\d)年", t))
    if not years:
        return None
    year = years.most_common(1)[0][0]
    for line in _titles(layout) + layout.front_words[:10]:
        index = TextIndex([line], normalise)
        at = index.text.find(f"{year}年")
        if at >= 0:
            index.note(where, "year", at, at + 4)
            break
    return year


def read_unit_name(layout: Layout, where: Where | None = None) -> str | None:
    """The 编制单位 of the tables, else the name in the 概况 title."""
    names: Counter[str] = Counter()
    spots: dict[str, tuple[TextIndex, int, int]] = {}
    for region in layout.regions:
        words = lines_of(region.lines, region.line_words)
        for i, line in enumerate(region.lines):
            m = re.search(r"(?:^|编制|预算)(?:单位|部门)(?:名称)?[:：](?!万?元)(.+?)(?:单位[:：]|金额单位|$)",
                          normalise(line))
            if m and m.group(1):
                names[m.group(1)] += 1
                if words and m.group(1) not in spots:
                    spots[m.group(1)] = (TextIndex([words[i]], normalise), *m.span(1))
    if names:
        name = names.most_common(1)[0][0]
        if name in spots:
            index, start, end = spots[name]
            index.note(where, "unit_name", start, end)
        return name
    text = joined(layout.front_lines[:6]) + "".join(r.title for r in layout.regions if r.kind == "profile")
    m = re.search(r"20\d\d年(.+?)(?:部门|单位)?概况", text)
    if m:
        index = TextIndex(layout.front_words[:6] + _titles(layout, ("profile",)), normalise)
        index.note(where, "unit_name", *m.span(1), text=text)
    return m.group(1) if m else None


def read_staffing(layout: Layout, where: Where | None = None) -> dict | None:
    """编制数/实有人数/在职/退休/离休 from the front matter and the 概况; where under "<field>"."""
    profile = [r for r in layout.regions if r.kind == "profile"]
    text = joined(layout.front_lines) + joined([ln for r in profile for ln in r.lines])
    index = TextIndex(layout.front_words + [w for r in profile for w in r.line_words], normalise)
    fields = {
        "authorized": r"编制(?:数|人数)?(?:为)?" + _INT,
        "actual": r"实有人数(?:为)?" + _INT,
        "in_service": r"在职(?:人员)?" + _INT,
        "retired": r"退休(?:人员)?" + _INT,
        "separated": r"离休(?:人员)?" + _INT,
    }
    found = {}
    for key, pattern in fields.items():
        m = re.search(pattern, text)
        found[key] = int(m.group(1)) if m else None
        if m:
            index.note(where, key, *m.span(1), text=text)
    return found if any(v is not None for v in found.values()) else None


def raw_text(regions) -> str:
    """Narrative text as printed (characters kept), line breaks and spaces removed."""
    return "".join(clean(line) for r in regions for line in r.lines)


def read_narrative(layout: Layout, where: Where | None = None) -> dict | None:
    """The figures the 情况说明 states; where gets the printed number of each under "<field>"."""
    regions = [r for r in layout.regions if r.kind == "narrative"]
    if not regions:
        return None
    text = joined([line for r in regions for line in r.lines])
    words = [w for r in regions for w in r.line_words]
    index = TextIndex(words, normalise)

    def spot(pointer: str, m: re.Match, group: int) -> None:
        index.note(where, pointer, *m.span(group), text=text)

    data: dict[str, object] = {}
    template = layout.template or templates.default()
    for key, pattern in template.narrative_patterns:
        m = pattern.search(text)
        if m is None:
            continue
        for field, group in (m.re.groupindex.items() or [(key, 1)]):
            if data.get(field) is None:
                data[field] = int(m.group(group)) if field.endswith("_count") else as_money(m.group(group))
                spot(field, m, group)
    kinds = r"(线下|涉密|转移支付|上年结转结余)"
    found = []
    # "6个线下项目，涉及金额195.52万元" and "另有转移支付项目2个，涉及金额4.30万元".
    for pattern, order in ((_INT + r"个" + kinds + r"项目,?涉及(?:预算)?金额" + _NUM + "万元", (2, 1, 3)),
                           (kinds + r"项目" + _INT + r"个,?涉及(?:预算)?金额" + _NUM + "万元", (1, 2, 3))):
        for m in re.finditer(pattern, text):
            kind, count, amount = (m.group(i) for i in order)
            found.append((m.start(), {"kind": kind, "count": int(count), "amount": as_money(amount)},
                          dict(zip(("kind", "count", "amount"), order)), m))
    found.sort(key=lambda f: f[0])
    data["undisclosed_projects"] = [item for _, item, _, _ in found]
    for i, (_, _, groups, m) in enumerate(found):
        for field, group in groups.items():
            spot(f"undisclosed_projects/{i}/{field}", m, group)
    # Each sentence (or 注意事项 note) still holding template text, once.
    placeholder = re.compile(r"X{2,}|\*部门\(单位\)|注意事项|情况一[:：]")
    raw = raw_text(regions)
    raw_index = TextIndex(words, clean)
    template: dict[str, None] = {}
    for m in re.finditer(r"[^。]*?(?:。|$)", raw):
        sentence = m.group(0).strip()
        if sentence and placeholder.search(normalise(sentence)) and sentence not in template:
            raw_index.note(where, f"unfilled_template/{len(template)}", *m.span(0), text=raw)
            template[sentence] = None
    data["unfilled_template"] = list(template)
    return data
