"""Score a predicted Document against gold: cells, rows, sheets, indicators, text, findings.

Rows are matched by key (subject code, project or item name; names fuzzily, and a fuzzy match
is reported as such); cells are compared exactly as Decimals, printed columns without a contract
field (`extra`) included; generic tables are matched by number or title and compared cell by cell. A cell counts when either side
holds a value: equal → correct; gold only → missing; prediction only → extra; both but
different → wrong (counted once as a false positive and once as a false negative).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rapidfuzz import fuzz

from schemas import Document, Finding
from schemas.tables import TABLE_TITLES

from .flagged import FlagCounts, blank_alarms, flag_cells, source_flagged
from .flagged import count as count_flags
from .score_common import FUZZY_MIN, Counts, _compare, norm_text, text_similarity
from .score_sheets import merge_findings, merge_sheets, score_findings, score_sheets

FUZZY_CODED_MIN = 60.0
KEY_FIELDS = {"code", "name", "project_name", "line"}


@dataclass
class DocScore:
    doc_id: str
    tables: dict[str, Counts] = field(default_factory=dict)
    table_presence: dict[str, bool] = field(default_factory=dict)
    fuzzy_matches: list[tuple[str, str, str]] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)  # gold pointer → correct/wrong/missing; +pred → extra
    sheets: dict = field(default_factory=dict)
    text: dict[str, float] = field(default_factory=dict)
    findings: dict = field(default_factory=dict)
    pred_cells: dict[str, str | None] = field(default_factory=dict)  # gold pointer → matched predicted cell
    flagged: dict[str, str] = field(default_factory=dict)  # gold pointer → why the prediction flags it
    source: set[str] = field(default_factory=set)  # gold pointers the gold flags itself (eval/flagged.py)
    blank_alarms: int = 0  # blanks flagged `unread` that the gold leaves blank too

    def overall(self) -> Counts:
        total = Counts()
        for counts in self.tables.values():
            total.add(counts)
        return total

    def flags(self) -> FlagCounts:
        """Errors (wrong + missing) flagged and correct cells flagged (false alarms), see eval/flagged.py."""
        counts = count_flags(self.cells, self.flagged, self.source)
        counts.blank_alarms = self.blank_alarms
        return counts


def _rows(table) -> list[tuple[str, dict]]:
    """A table's scoreable rows as (pointer, plain dict), the total and t1/t4 income included."""
    out = []
    data = table.model_dump(mode="python")
    for i, row in enumerate(data.get("rows", [])):
        out.append((f"rows/{i}", _flat_extra(row)))
    if data.get("extra"):  # printed lines the contract has no field for, one pseudo-row per table
        out.append(("", {"line": "__extra__", **{f"extra/{k}": v for k, v in data["extra"].items()}}))
    if data.get("income") is not None:
        out.append(("income", {"line": "__income__", **data["income"]}))
    total = data.get("total")
    if total is not None:
        flat = _flat_extra(dict(total))
        if isinstance(flat.get("expense_total"), dict):  # t4: nested expense totals
            for k, v in flat.pop("expense_total").items():
                flat[f"expense_total/{k}"] = v
        out.append(("total", {"line": "__total__", **flat}))
    return out


def _flat_extra(row: dict) -> dict:
    """A row with its extra columns as fields of their own ("extra/<printed header>")."""
    extra = row.pop("extra", None) or {}
    return {**row, **{f"extra/{k}": v for k, v in extra.items()}}


def _row_key(row: dict) -> tuple:
    if row.get("line") in ("__total__", "__income__", "__extra__"):  # one per table, whatever its label says
        return (row["line"], None, "", "")
    return (row.get("line"), row.get("code"), norm_text(row.get("project_name")), norm_text(row.get("name")))


def match_rows(gold: list[tuple[str, dict]], pred: list[tuple[str, dict]]):
    """Pairs (gold, pred or None), unmatched preds, and the fuzzy pairs' names."""
    pairs: list[tuple[tuple[str, dict], tuple[str, dict] | None]] = []
    fuzzy: list[tuple[str, str, str]] = []
    left = list(pred)
    pending = []
    for g in gold:  # 1) exact key
        k = _row_key(g[1])
        hit = next((p for p in left if _row_key(p[1]) == k), None)
        if hit is not None:
            left.remove(hit)
            pairs.append((g, hit))
        else:
            pending.append(g)
    # 2) same line/code, names fuzzily: best-scoring pairs first, so that two similar rows of
    # one code ("…文化馆（站）免费开放补助资金…") do not take each other's partner.
    candidates = []
    for gi, g in enumerate(pending):
        gk = _row_key(g[1])
        for pi, p in enumerate(left):
            pk = _row_key(p[1])
            if pk[0] != gk[0] or (gk[1] and pk[1] and gk[1] != pk[1]):
                continue
            score = fuzz.ratio(gk[2] + gk[3], pk[2] + pk[3])
            # The same subject code already identifies the row: a misread character in a short
            # name ("就业营理事务") must not unmatch it. Without a code, the name must carry it.
            needed = FUZZY_CODED_MIN if gk[1] and gk[1] == pk[1] else FUZZY_MIN
            if score >= needed:
                candidates.append((score, gi, pi))
    chosen: dict[int, int] = {}
    taken: set[int] = set()
    for score, gi, pi in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if gi not in chosen and pi not in taken:
            chosen[gi] = pi
            taken.add(pi)
    for gi, g in enumerate(pending):
        hit = left[chosen[gi]] if gi in chosen else None
        if hit is not None:
            gk, hk = _row_key(g[1]), _row_key(hit[1])
            fuzzy.append((g[0], gk[2] or gk[3], hk[2] or hk[3]))
        pairs.append((g, hit))
    left = [p for pi, p in enumerate(left) if pi not in taken]
    return pairs, left, fuzzy


def score_table(key: str, gold_table, pred_table, score: DocScore) -> None:
    counts = Counts()
    pairs, extras, fuzzy = match_rows(_rows(gold_table) if gold_table.present else [],
                                      _rows(pred_table) if pred_table.present else [])
    score.fuzzy_matches += [(f"/tables/{key}/{a}", b, c) for a, b, c in fuzzy]
    for (gptr, grow), hit in pairs:
        prow = hit[1] if hit else {}
        pptr = hit[0] if hit else None
        for name in dict.fromkeys([*grow, *(n for n in prow if n.startswith("extra/"))]):
            gval = grow.get(name)
            if name in KEY_FIELDS or not (isinstance(gval, Decimal) or gval is None):
                continue
            outcome = _compare(gval, prow.get(name))
            if outcome:
                setattr(counts, outcome, getattr(counts, outcome) + 1)
                score.cells[_pointer(key, gptr, name)] = outcome
                score.pred_cells[_pointer(key, gptr, name)] = _pointer(key, pptr, name) if hit else None
    for pptr, prow in extras:
        for name, pval in prow.items():
            if name not in KEY_FIELDS and isinstance(pval, Decimal):
                counts.extra += 1
                score.cells["+" + _pointer(key, pptr, name)] = "extra"
    score.tables[key] = counts
    score.table_presence[key] = gold_table.present == pred_table.present


def _pointer(key: str, row: str, name: str) -> str:
    return "/".join(part for part in (f"/tables/{key}", row, name) if part)


def score_generic(gold: Document, pred: Document, score: DocScore) -> None:
    """Printed tables with no contract slot: matched by number or title, amounts cell by cell."""
    from extractor.columns import as_money

    counts = Counts()
    left = list(enumerate(pred.generic_tables))
    for gi, table in enumerate(gold.generic_tables):
        hit = next((p for p in left if _same_generic(table, p[1])), None)
        if hit is not None:
            left.remove(hit)
        pi = hit[0] if hit else None
        prows = hit[1].rows if hit else []
        pairs = _align(table.rows, prows)
        for r, row in enumerate(table.rows):
            prow = prows[pairs[r]] if r in pairs else []
            for c, text in enumerate(row):
                other = prow[c] if c < len(prow) else None
                g, p = (as_money(text) if text else None), (as_money(other) if other else None)
                outcome = _compare(g, p)
                if outcome:
                    setattr(counts, outcome, getattr(counts, outcome) + 1)
                    score.cells[f"/generic_tables/{gi}/rows/{r}/{c}"] = outcome
                    score.pred_cells[f"/generic_tables/{gi}/rows/{r}/{c}"] = (
                        f"/generic_tables/{pi}/rows/{pairs[r]}/{c}" if r in pairs else None)
        for r in set(range(len(prows))) - set(pairs.values()):  # rows only the prediction has
            counts.extra += sum(1 for text in prows[r] if text and as_money(text) is not None)
    for _, table in left:
        counts.extra += sum(1 for row in table.rows for text in row if text and as_money(text) is not None)
    score.tables["generic"] = counts
    score.table_presence["generic"] = len(gold.generic_tables) == len(pred.generic_tables)


def _align(gold: list[list], pred: list[list]) -> dict[int, int]:
    """Gold row → predicted row, aligned by their printed text (a row dropped or split shifts no other)."""
    from difflib import SequenceMatcher

    def sig(row: list) -> str:
        return "|".join(norm_text(t) for t in row)

    matcher = SequenceMatcher(None, [sig(r) for r in gold], [sig(r) for r in pred], autojunk=False)
    pairs: dict[int, int] = {}
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag in ("equal", "replace"):
            for k in range(min(a1 - a0, b1 - b0)):
                pairs[a0 + k] = b0 + k
    return pairs


def _same_generic(a, b) -> bool:
    """The same printed table: by its number, else by its title without the number (a number
    misread on a scan, 公开表六 read 公开表大, still names the table its title names)."""
    if a.number and b.number and norm_text(a.number) == norm_text(b.number):
        return True

    def bare(t) -> str:
        return norm_text((t.title or "").replace(t.number or "", "", 1))

    return bool(bare(a)) and bare(a) == bare(b)


def score_document(pred: Document, gold: Document, expected: list[Finding] | None = None) -> DocScore:
    """Every measure for one document."""
    score = DocScore(doc_id=gold.doc_id)
    for key in TABLE_TITLES:
        score_table(key, getattr(gold.tables, key), getattr(pred.tables, key), score)
    score_generic(gold, pred, score)
    score.sheets = score_sheets(pred, gold)
    score.text = {
        "unit_name": text_similarity(pred.unit_name, gold.unit_name),
        "unit_kind": float(pred.unit_kind == gold.unit_kind),
        "year": float(pred.year == gold.year),
        "staffing": float((pred.staffing.model_dump() if pred.staffing else None)
                          == (gold.staffing.model_dump() if gold.staffing else None)),
    }
    if expected is not None:
        score.findings = score_findings(pred.findings, expected)
    score.flagged = flag_cells(score.cells, score.pred_cells, pred, gold)
    if any(score.cells.get(g) == "correct" for g in score.flagged):  # only then can the source's own flags matter
        score.source = source_flagged(gold)
    score.blank_alarms = blank_alarms(score.pred_cells, pred)
    return score


def summarise(scores: list[DocScore]) -> dict:
    """The --json report: overall, per table, sheets, findings, per document."""
    overall = Counts()
    flags = FlagCounts()
    per_table: dict[str, Counts] = {k: Counts() for k in [*TABLE_TITLES, "generic"]}
    presence: dict[str, list[bool]] = {k: [] for k in per_table}
    for s in scores:
        flags.add(s.flags())
        for k, c in s.tables.items():
            per_table[k].add(c)
            overall.add(c)
            presence[k].append(s.table_presence[k])
    return {
        "overall": overall.metrics(),
        "tables": {k: {**per_table[k].metrics(),
                       "presence_accuracy": round(sum(presence[k]) / len(presence[k]), 6) if presence[k] else 1.0}
                   for k in per_table},
        "sheets": merge_sheets([s.sheets for s in scores]),
        "findings": merge_findings([s.findings for s in scores if s.findings]),
        "flags": flags.metrics(),
        "documents": {s.doc_id: {"overall": s.overall().metrics(), "sheets": s.sheets, "text": s.text,
                                 "findings": s.findings, "fuzzy_matches": s.fuzzy_matches,
                                 "flags": s.flags().metrics(), "flagged": s.flagged}
                      for s in scores},
    }


def load_expected(gold_path) -> list[Finding] | None:
    """expected_findings.json beside a gold.json, if there is one."""
    import json
    from pathlib import Path

    path = Path(gold_path).with_name("expected_findings.json")
    if not path.exists():
        return None
    return [Finding.model_validate(x) for x in json.loads(path.read_text(encoding="utf-8"))]


def score_dirs(pred_dir, gold_dir) -> tuple[list[DocScore], list[str]]:
    """Score every <doc_id>.json in pred_dir against gold_dir/<doc_id>/gold.json.

    Returns the scores and the gold documents that had no prediction (scored as empty).
    """
    from pathlib import Path

    scores, missing = [], []
    for gold_path in sorted(Path(gold_dir).glob("*/gold.json")):
        gold = Document.model_validate_json(gold_path.read_text(encoding="utf-8"))
        pred_path = Path(pred_dir) / f"{gold.doc_id}.json"
        if not pred_path.exists():  # e.g. <doc_id>.scan.json from a scanned sample
            pred_path = next(iter(sorted(Path(pred_dir).glob(f"{gold.doc_id}.*.json"))), pred_path)
        if pred_path.exists():
            pred = Document.model_validate_json(pred_path.read_text(encoding="utf-8"))
        else:
            missing.append(gold.doc_id)
            pred = Document(doc_id=gold.doc_id)
        scores.append(score_document(pred, gold, load_expected(gold_path)))
    return scores, missing
