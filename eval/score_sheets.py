"""Scoring of performance sheets (matched by project name) and of checker findings."""

from __future__ import annotations

from rapidfuzz import fuzz

from schemas import Document, Finding

from .score_common import FUZZY_MIN, Counts, _compare, norm_text, text_similarity

PROJECT_MONEY = ("budget_total", "budget_fiscal", "budget_other")
OVERALL_MONEY = ("budget_total", "budget_upper", "budget_local", "budget_other")


def _match_by_name(gold: list, pred: list, name) -> tuple[list[tuple[int, int | None]], list[int], list]:
    pairs: list[tuple[int, int | None]] = []
    left = list(range(len(pred)))
    fuzzy = []
    pending = []
    for gi, g in enumerate(gold):
        hit = next((pi for pi in left if norm_text(name(pred[pi])) == norm_text(name(g))), None)
        if hit is None:
            pending.append(gi)
            continue
        left.remove(hit)
        pairs.append((gi, hit))
    for gi in pending:
        best, best_score = None, FUZZY_MIN
        for pi in left:
            score = fuzz.ratio(norm_text(name(gold[gi])), norm_text(name(pred[pi])))
            if score >= best_score:
                best, best_score = pi, score
        if best is not None:
            left.remove(best)
            fuzzy.append((name(gold[gi]), name(pred[best])))
        pairs.append((gi, best))
    return pairs, left, fuzzy


def _indicator_key(ind) -> str:
    return "|".join(norm_text(x) for x in (ind.level1, ind.level2, ind.level3))


def _score_indicators(gold: list, pred: list, acc: dict) -> None:
    pairs, _, _ = _match_by_name(gold, pred, _indicator_key)
    acc["gold"] += len(gold)
    acc["pred"] += len(pred)
    for gi, pi in pairs:
        if pi is None:
            continue
        g, p = gold[gi], pred[pi]
        acc["matched"] += 1
        acc["target_exact"] += (g.target == p.target)
        acc["weight_exact"] += (g.weight == p.weight and g.weight_raw == p.weight_raw)


def score_sheets(pred: Document, gold: Document) -> dict:
    """Sheet and indicator measures for one document."""
    fields = Counts()
    ind = {"gold": 0, "pred": 0, "matched": 0, "target_exact": 0, "weight_exact": 0}
    sims: list[float] = []
    go, po = gold.performance.overall, pred.performance.overall
    if go is not None or po is not None:
        for name in OVERALL_MONEY:
            outcome = _compare(getattr(go, name, None), getattr(po, name, None))
            if outcome:
                setattr(fields, outcome, getattr(fields, outcome) + 1)
        _score_indicators(go.indicators if go else [], po.indicators if po else [], ind)
        sims.append(text_similarity(getattr(po, "annual_goal", None), getattr(go, "annual_goal", None)))
    gp, pp = gold.performance.projects, pred.performance.projects
    pairs, extras, fuzzy = _match_by_name(gp, pp, lambda s: s.project_name)
    matched = 0
    for gi, pi in pairs:
        g = gp[gi]
        p = pp[pi] if pi is not None else None
        matched += p is not None
        for name in PROJECT_MONEY:
            outcome = _compare(getattr(g, name), getattr(p, name, None) if p else None)
            if outcome:
                setattr(fields, outcome, getattr(fields, outcome) + 1)
        _score_indicators(g.indicators, p.indicators if p else [], ind)
        if p is not None:
            sims.append(text_similarity(p.overall_goal, g.overall_goal))
            sims.append(text_similarity(p.manager, g.manager))
    for pi in extras:
        ind["pred"] += len(pp[pi].indicators)
    return {
        "gold_sheets": len(gp), "pred_sheets": len(pp), "matched_sheets": matched,
        "fuzzy_sheet_matches": fuzzy, "fields": fields.metrics(), "indicators": ind,
        "text_similarity": round(sum(sims) / len(sims), 6) if sims else 1.0,
    }


def merge_sheets(parts: list[dict]) -> dict:
    """Sum per-document sheet measures into one report."""
    fields = Counts()
    ind = {"gold": 0, "pred": 0, "matched": 0, "target_exact": 0, "weight_exact": 0}
    gold = pred = matched = 0
    for part in parts:
        f = part["fields"]
        fields.add(Counts(f["correct"], f["wrong"], f["missing"], f["extra"]))
        for k in ind:
            ind[k] += part["indicators"][k]
        gold += part["gold_sheets"]
        pred += part["pred_sheets"]
        matched += part["matched_sheets"]
    return {
        "sheet_precision": round(matched / pred, 6) if pred else 1.0,
        "sheet_recall": round(matched / gold, 6) if gold else 1.0,
        "fields": fields.metrics(),
        "indicator_precision": round(ind["matched"] / ind["pred"], 6) if ind["pred"] else 1.0,
        "indicator_recall": round(ind["matched"] / ind["gold"], 6) if ind["gold"] else 1.0,
        "target_exact": round(ind["target_exact"] / ind["matched"], 6) if ind["matched"] else 1.0,
        "weight_exact": round(ind["weight_exact"] / ind["matched"], 6) if ind["matched"] else 1.0,
        "counts": {"gold_sheets": gold, "pred_sheets": pred, "matched_sheets": matched, **ind},
    }


def _same_finding(a: Finding, b: Finding) -> bool:
    if a.rule != b.rule:
        return False
    if not a.locations or not b.locations:
        return True
    return bool(set(a.locations) & set(b.locations))


def score_findings(pred: list[Finding], expected: list[Finding]) -> dict:
    """Precision and recall of the checker's error/warning findings against expected ones."""
    pred = [f for f in pred if f.severity != "info"]
    hit_pred = sum(any(_same_finding(p, e) for e in expected) for p in pred)
    hit_exp = sum(any(_same_finding(p, e) for p in pred) for e in expected)
    return {"pred": len(pred), "expected": len(expected), "matched_pred": hit_pred, "matched_expected": hit_exp}


def merge_findings(parts: list[dict]) -> dict:
    pred = sum(p["pred"] for p in parts)
    exp = sum(p["expected"] for p in parts)
    mp = sum(p["matched_pred"] for p in parts)
    me = sum(p["matched_expected"] for p in parts)
    return {"precision": round(mp / pred, 6) if pred else 1.0, "recall": round(me / exp, 6) if exp else 1.0,
            "pred": pred, "expected": exp}
