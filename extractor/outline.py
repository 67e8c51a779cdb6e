"""Labels read by OCR, mended: the numerals of an outline and names one character off a known one.

A black-and-white scan loses thin strokes while the amounts on the same lines stay right: OCR
reads 一、一般公共服务支出 as 般公共服务支出, 十二、 as 十、, 十四、 as 1四、, 国土 as 国上. A row's
label is part of each of its cells' identity, so such a row is a wrong row. Only labels read by
OCR are mended (a text layer is what the file prints); a mended label keeps its reading in its
provenance (``read``), so the repair is never silent.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from itertools import combinations, permutations

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from schemas import Document

from . import templates
from .codes import FUNCTION_CODED
from .errors import UnknownNameError
from .numerals import chinese, numeral
from .templates import Template

# A numeral and its separator open the label: up to three characters (十九, a garbled 1四) before
# 、 (or what OCR makes of it). Longer, the separator is part of the name.
_NUMBERED = re.compile(r"^(.{0,3}?)([、，,．.])(.+)$")
MIN_NAME = 4  # shorter names are a character off too many others to snap
LOST = "一"  # a one-stroke character a black-and-white scan loses (一、一般 read 般)
# A name's misread character is read unsure: the 18 misread or stray characters snapped on the
# stored scan readings had their word's confidence at 0.83–0.98, the one printed typo (002's t7
# 招商印资, where its other tables print 招商引资) 0.999.
SURE = 0.99


def split(label: str) -> tuple[str | None, str, str]:
    """(what stands before the separator or None when there is none, separator, the name)."""
    m = _NUMBERED.match(label)
    return (m.group(1), m.group(2), m.group(3)) if m else (None, "", label)


def renumber(labels: list[str | None]) -> dict[int, str]:
    """The labels of an enumeration whose numeral was lost or misread, mended, by row index.

    Anchors are labels with a well-formed numeral; two agree when their numerals differ by their
    row distance, and an anchor is trusted when one of its near anchors agrees with it. The rows
    between two trusted anchors that agree are consecutive items and take the numeral of their
    place, a misread well-formed numeral included (十 between 九 and 十三 three rows apart). Before
    the first trusted anchor, when it counts from 一 at the first row, a numeral lost or garbled
    takes its place's; after the last, a garbled one does, up to the first unnumbered line.
    A numbering that skips (rows absent) or has lines between its items is no count and stays.
    """
    parts = [split(label or "") for label in labels]
    anchors = [(i, v) for i, (head, _, _) in enumerate(parts) if head is not None and (v := numeral(head))]

    def agree(a: tuple[int, int], b: tuple[int, int]) -> bool:
        return b[1] - a[1] == b[0] - a[0]

    # Two anchors either side: a misread anchor between two good ones does not cut them apart.
    trusted = [a for k, a in enumerate(anchors)
               if any(agree(a, b) for b in anchors[max(0, k - 2):k] + anchors[k + 1:k + 3])]
    if not trusted:
        return {}
    seps = Counter(parts[i][1] for i, _ in trusted)
    sep = seps.most_common(1)[0][0]
    out: dict[int, str] = {}

    def place(i: int, n: int) -> None:
        head, _, body = parts[i]
        if not labels[i] or n < 1 or (head is not None and numeral(head) == n):
            return
        out[i] = f"{chinese(n)}{sep}{body}"

    for a, b in zip(trusted, trusted[1:]):
        if agree(a, b):
            for i in range(a[0] + 1, b[0]):
                place(i, a[1] + i - a[0])
    first, n_first = trusted[0]
    if n_first - first == 1:  # counts from 一 at the first row: what stands before is items 一 …
        for i in range(first):
            if parts[i][0] is None or _garbled(parts[i][0]):
                place(i, i + 1)
    last, n_last = trusted[-1]
    for i in range(last + 1, len(labels)):
        if parts[i][0] is None or not _garbled(parts[i][0]):
            break  # an unnumbered line, or a numeral no second anchor vouches for
        place(i, n_last + i - last)
    return out


def _garbled(head: str) -> bool:
    """A numeral misread: neither 一 … nor an arabic 1、 (a sub-item under the last item, not a 十)."""
    return numeral(head) is None and not head.isdigit()


def snap(text: str, known: Iterable[str], any_edit: bool = False, confidence: float | None = None) -> str | None:
    """The known name text misreads: one character off it and off no other; else None.

    One character off means misread (国上 for 国土), a stray mark read (.一般), or a thin 一 lost
    (般公共服务支出). A character otherwise missing may be printed so (001's t7 prints
    资源勘探工业信息支出 for 资源勘探工业信息等支出), and a reading that a known name starts
    with is a printed truncation (a narrow cell cuts 社会保障和就业支出 to 社会保障和就业支): both
    stay, unless any_edit (a family's own line labels, which it prints alike). So does a character
    OCR read with ``confidence`` of SURE or more: it is printed so (002's t7 prints 招商印资).
    """
    known = set(known)
    if len(text) < MIN_NAME or text in known:
        return None
    near = {k for k in known if Levenshtein.distance(text, k, score_cutoff=1) == 1
            and not k.startswith(text) and not text.startswith(k)}
    if len(near) != 1:
        return None
    name = near.pop()
    return name if any_edit or _misread(text, name, confidence) else None


def _misread(text: str, name: str, confidence: float | None) -> bool:
    """Whether the one edit from text to name is one OCR makes rather than a printer."""
    (op,) = Levenshtein.editops(text, name)
    if op.tag == "insert":  # OCR sees no stroke lost, so its confidence says nothing here
        return name[op.dest_pos] in LOST
    if confidence is not None and confidence >= SURE:
        return False
    return op.tag == "replace" or not _ideograph(text[op.src_pos])


def _ideograph(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff"


LEAD_SPECKS = "\"'“”‘’`·•*"  # marks no label opens with


def snap_label(label: str, known: Iterable[str]) -> str | None:
    """A numbered label snapped as a whole (一、财政拨款 for 、财政拨款), keeping a well-formed numeral.
    A speck read before it is no part of it (a fax: "-、财政拨款收入 for 一、财政拨款收入)."""
    label = label.lstrip(LEAD_SPECKS) or label
    new = snap(label, known, any_edit=True)
    if new is None and split(label)[0] is None:  # 一、 lost whole: the two thinnest marks of a scan
        whole = {k for k in known if split(k)[0] == "一" and split(k)[2] == label}
        new = whole.pop() if len(whole) == 1 else None
    if new is None:
        return None
    head, new_head = split(label)[0], split(new)[0]
    if head is not None and numeral(head) is not None and head != new_head:
        return None  # 二、其他资金 is printed so, not a misread 三、其他资金
    return new


def restore_one(label: str) -> str:
    """A name opening with 般 lost its 一 (一般公共服务, 一般行政管理事务): no budget word opens with 般."""
    head, sep, body = split(label)
    if head is not None and numeral(head) is not None and body.startswith("般"):
        return f"{head}{sep}一{body}"
    return "一" + label if label.startswith("般") else label


def mend_outlines(data: dict, ocr_pages: set[int], template: Template) -> list[str]:
    """Mend the OCR'd labels of a Document dict (model_dump) in place; the pointers mended.

    Outline numerals and 类 names of t1/t4's expense lines and of every table's rows, the lines a
    family sums by label (its `line_sums`), and the names of coded rows (the family's 类 names
    and a name two other tables read alike for the code).
    """
    if not ocr_pages:
        return []
    provenance = data.setdefault("provenance", {})
    mended: list[str] = []
    classes = {name for names in template.classes.values() for name in names}
    agreed = _agreed_names(data)

    def ocr_read(pointer: str, pages: list[int]) -> bool:
        # A label without provenance was read as its table's pages were.
        spot = provenance.get(pointer)
        return spot["page"] in ocr_pages if spot else bool(set(pages) & ocr_pages)

    def record(pointer: str, before: str, pages: list[int]) -> None:
        spot = provenance.get(pointer)
        if spot is None:
            if not pages:
                return
            spot = provenance[pointer] = {"page": pages[0], "bbox": None}
        spot["read"] = spot.get("read") or before  # the first reading, however often mended
        mended.append(pointer)

    for key, table in (data.get("tables") or {}).items():
        if not table or not table.get("present"):
            continue
        pages = list(table.get("pages") or [])
        if not set(pages) & ocr_pages:
            continue
        rows = table.get("rows") or []
        names = [row.get("name") for row in rows]
        new = renumber(names)
        for i, row in enumerate(rows):
            pointer = f"/tables/{key}/rows/{i}/name"
            name = new.get(i, names[i])
            if not name or not ocr_read(pointer, pages):
                continue
            code = row.get("code") or ""
            sure = (provenance.get(pointer) or {}).get("confidence")
            if len(code) >= 3 and key in (*FUNCTION_CODED, "t1", "t4"):
                name = snap(name, _known(template, agreed, code, key), confidence=sure) or name
            elif key in ("t1", "t4"):  # expense by 类 printed without codes: any 类 name
                head, sep, body = split(name)
                body = snap(body, classes, confidence=sure) or body
                name = f"{head}{sep}{body}" if head is not None else body
            name = restore_one(name)
            if name != names[i]:
                row["name"] = name
                record(pointer, names[i], pages)
            project = row.get("project_name")
            if project and restore_one(project) != project and ocr_read(f"/tables/{key}/rows/{i}/project_name", pages):
                row["project_name"] = restore_one(project)
                record(f"/tables/{key}/rows/{i}/project_name", project, pages)
        _mend_extra(key, table, template, provenance, pages, ocr_read, record)
        _label_by_sums(key, table, template, provenance, pages, ocr_read, record)
    for t, table in enumerate(data.get("generic_tables") or []):
        pages = list(table.get("pages") or [])
        if set(pages) & ocr_pages:
            _mend_generic(t, table, template, agreed, provenance, pages, ocr_read, record)
    return mended


def mend_document(doc: Document, template: Template | None = None) -> Document:
    """doc with its OCR'd labels mended (mend_outlines); doc itself when no page was OCR'd."""
    ocr_pages = set(doc.run.pages_ocr) if doc.run else set()
    if not ocr_pages:
        return doc
    if template is None:
        try:
            template = templates.load(doc.template or templates.DEFAULT)
        except UnknownNameError:  # a learned family no longer on the search path
            template = templates.default()
    data = doc.model_dump(mode="python")
    if not mend_outlines(data, ocr_pages, template):
        return doc
    return Document.model_validate(data)


def _mend_extra(key, table, template, provenance, pages, ocr_read, record) -> None:
    """Lines kept by label in a table's extra, snapped to the labels its family's sums name."""
    extra = table.get("extra") or {}
    known = _sum_labels(template, key)
    for label in list(extra):
        pointer = f"/tables/{key}/extra/{label}"
        new = (snap_label(label, known) if known else None) or restore_one(label)
        if new == label or new in extra or not ocr_read(pointer, pages):
            continue
        extra = _rename_extra(key, table, {label: new}, provenance, pages, record)


def _label_by_sums(key, table, template, provenance, pages, ocr_read, record) -> None:
    """Lines read under labels too far off to snap, named by the family's sum they complete.

    A fax reads 一、基本支出 as 一、转本支山: two characters off, and 基本支出 and 项目支出 are two
    apart themselves. Where a sum the family prints over labelled lines (`line_sums`) lacks some
    of its lines, and lines read under labels no sum knows complete it to the cent, exactly one
    set of them (a missing line may be blank), those lines take the missing places, each the one
    its reading is closest to. A contract field's place (1.·般公其预算 for t1's 一般公共预算) is
    taken only by a label that still holds half of the field's words (`FIELD_LIKE`).
    """
    extra = table.get("extra") or {}
    known = _sum_labels(template, key)
    for lhs, *rhs in template.line_sums.get(key, ()):
        places = {p: name for p in rhs if _at(table, p) is None and (name := _place_name(template, key, p))}
        unknown = [label for label in extra if label not in known and isinstance(extra[label], Decimal)
                   and ocr_read(f"/tables/{key}/extra/{label}", pages)]
        total = _at(table, lhs)
        if not places or total is None or not unknown:
            continue
        printed = sum((v for p in rhs if (v := _at(table, p)) is not None), Decimal(0))
        named = [named for n in range(1, len(places) + 1) for lines in combinations(unknown, n)
                 if printed + sum(extra[line] for line in lines) == total
                 and (named := _closest(lines, places))]
        if len(named) != 1:
            continue
        for label, path in named[0].items():
            if path.startswith("extra/"):
                extra = _rename_extra(key, table, {label: path.removeprefix("extra/")}, provenance, pages, record)
            else:
                extra = _move_to_field(key, table, label, path, provenance, pages, record)


FIELD_LIKE = 50  # rapidfuzz partial ratio of a field's words in a label: 般公共 in ·般公其预算 is 67


def _place_name(template: Template, key: str, path: str) -> str | None:
    """What a sum's place is called: an extra line's label, or the words naming a contract field
    among the family's fixed lines of the table (般公共 for t1's income/general_budget)."""
    if path.startswith("extra/"):
        return path.removeprefix("extra/")
    if path.count("/") != 1:
        return None  # a total's column (total/expense_total/total): no line of its own
    field = path.rpartition("/")[2]
    for name, rules in template.lines.items():
        if name == key or name.startswith(f"{key}_"):
            words = next((rule.words for rule in rules if rule.field == field), None)
            if words:
                return "".join(words)
    return None


def _closest(lines: tuple[str, ...], places: dict[str, str]) -> dict[str, str] | None:
    """Each line its place (label → path), the assignment fewest edits from the readings; None
    when a contract field's place goes to a label that does not resemble its words."""
    best = min(permutations(places, len(lines)), key=lambda paths: sum(
        Levenshtein.distance(line, places[path]) for line, path in zip(lines, paths)))
    if any(not path.startswith("extra/") and fuzz.partial_ratio(places[path], line) < FIELD_LIKE
           for line, path in zip(lines, best)):
        return None
    return dict(zip(lines, best))


def _move_to_field(key, table, label: str, path: str, provenance, pages, record) -> dict:
    """An extra line moved to the contract field its sum names, its box and reading kept."""
    head, _, field = path.partition("/")
    extra = table["extra"]
    table.setdefault(head, {})[field] = extra.pop(label)
    _repoint(key, label, path, provenance, pages, record)
    return extra


def _sum_labels(template: Template, key: str) -> set[str]:
    """The labels of the lines a family's sums name in a table's extra."""
    return {p.removeprefix("extra/") for sums in template.line_sums.get(key, ()) for p in sums
            if p.startswith("extra/")}


def _rename_extra(key, table, renamed: dict[str, str], provenance, pages, record) -> dict:
    """A table's extra lines relabelled (read → mended), their boxes moved, each recorded as read."""
    table["extra"] = {renamed.get(k, k): v for k, v in (table.get("extra") or {}).items()}
    for label, name in renamed.items():
        _repoint(key, label, f"extra/{name}", provenance, pages, record)
    return table["extra"]


def _repoint(key, label: str, path: str, provenance, pages, record) -> None:
    """An extra line's box moved to where it now stands (path), the label it was read under kept."""
    if f"/tables/{key}/extra/{label}" in provenance:
        provenance[f"/tables/{key}/{path}"] = provenance.pop(f"/tables/{key}/extra/{label}")
    record(f"/tables/{key}/{path}", label, pages)


def _at(table: dict, path: str) -> Decimal | None:
    """The amount at a table-relative path: total/expense_total/total, extra/当年支出小计."""
    head, _, rest = path.partition("/")
    node = table.get(head)
    for part in [rest] if head == "extra" else rest.split("/"):  # a label may hold a slash
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, Decimal) else None


def _mend_generic(t, table, template, agreed, provenance, pages, ocr_read, record) -> None:
    """A generic table's names: beside a subject code snapped as the coded tables' are; a lost 一 restored."""
    for r, row in enumerate(table.get("rows") or []):
        for c, name in enumerate(row):
            pointer = f"/generic_tables/{t}/rows/{r}/{c}"
            if not name or not ocr_read(pointer, pages):
                continue
            code = (row[c - 1] or "") if c else ""
            coded = code.isdigit() and len(code) in (3, 5, 7)
            sure = (provenance.get(pointer) or {}).get("confidence")
            new = restore_one((coded and snap(name, _known(template, agreed, code, f"g{t}"), confidence=sure)) or name)
            if new != name:
                row[c] = new
                record(pointer, name, pages)


def _agreed_names(data: dict) -> dict[str, dict[str, set[str]]]:
    """code → name → the tables (t5, g0 …) that read that name beside that code."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for key in FUNCTION_CODED:
        for row in ((data.get("tables") or {}).get(key) or {}).get("rows") or []:
            if row.get("code") and row.get("name"):
                out[row["code"]][row["name"]].add(key)
    for t, table in enumerate(data.get("generic_tables") or []):
        for row in table.get("rows") or []:
            for c in range(len(row) - 1):
                code, name = row[c] or "", row[c + 1]
                if code.isdigit() and len(code) in (3, 5, 7) and name:
                    out[code][name].add(f"g{t}")
    return out


def _known(template: Template, agreed: dict, code: str, own: str) -> set[str]:
    """The names code goes by: the family's 类 names, and what two other tables read alike.

    A name another table reads beside the code confirms the reading: then it is known as is.
    """
    names = set(template.classes.get(code, ()))
    for name, tables in agreed.get(code, {}).items():
        others = tables - {own}
        if len(others) >= 2 or (others and own in tables):
            names.add(name)
    return names
