"""Real layouts as their own ground truth: scan-degrade a born-digital PDF, read both, compare cell by cell.

For each document the born-digital file is read with the layout engine (the reference). The pages
holding tables are picked within a page budget (whole tables only, in an order drawn from the
seed, so every severity scans the same pages), cut out as a PDF of their own, scanned with the
severity family of eval/corpus/scan.py and read again (the template family forced to the
reference's, since the cut-out lacks the cover pages a family is detected from). Only tables
whose pages were all scanned are scored, in both readings; the scorer is the eval set's
(`score_document`), the reference standing in for gold. Performance sheets, narrative and unit
data are left out: the curve is about table cells.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from pathlib import Path

from schemas import Document
from schemas.tables import TABLE_TITLES

# 决算 (final accounts, refused by design) and narrative-only files (their tables are another file).
SKIP = frozenset({"sh02", "js02", "js08"})
DEFAULT_PAGES = 3


def default_docs(samples_dir: Path, realworld: Path | None) -> dict[str, Path]:
    """stem → born-digital PDF: the real PDFs (minus SKIP), samples/real/ and the rendered samples."""
    found: dict[str, Path] = {}
    folders = [Path(realworld)] if realworld else []
    folders += [Path(samples_dir) / "real", Path(samples_dir)]
    for folder in folders:
        for pdf in sorted(folder.glob("*.pdf")):
            if pdf.name.endswith(".scan.pdf") or pdf.stem in SKIP or pdf.stem in found:
                continue
            found[pdf.stem] = pdf
    return found


def select_docs(available: dict[str, Path], wanted: list[str] | None) -> dict[str, Path]:
    """The documents asked for by stem (or a path), all when none are named."""
    if not wanted:
        return available
    out = {}
    for name in wanted:
        path = Path(name)
        if path.suffix == ".pdf" and path.exists():
            out[path.stem] = path
        elif name in available:
            out[name] = available[name]
        else:
            raise ValueError(f"--docs {name}: no such document (known: {', '.join(available)})")
    return out


def table_pages(doc: Document) -> list[tuple[str, tuple[int, ...]]]:
    """(table key, its 1-based pages) for every table read: contract slots, then generic tables (g0, g1 …)."""
    out = [(k, tuple(t.pages)) for k in TABLE_TITLES if (t := getattr(doc.tables, k)).present and t.pages]
    out += [(f"g{i}", tuple(g.pages)) for i, g in enumerate(doc.generic_tables) if g.pages]
    return out


def table_cells(doc: Document) -> dict[str, int]:
    """table key → amounts it holds (what the scorer would count), generic tables as g<i>."""
    from decimal import Decimal

    from extractor.columns import as_money

    from .score import KEY_FIELDS, _rows

    out = {}
    for key in TABLE_TITLES:
        table = getattr(doc.tables, key)
        out[key] = sum(isinstance(v, Decimal) for _, row in _rows(table) for k, v in row.items()
                       if k not in KEY_FIELDS) if table.present else 0
    for i, g in enumerate(doc.generic_tables):
        out[f"g{i}"] = sum(1 for row in g.rows for text in row if text and as_money(text) is not None)
    return out


def choose_pages(doc: Document, cap: int | None, seed: int) -> list[int]:
    """Pages of whole tables within the budget, the same for every severity.

    Tables are taken in a seeded random order weighted by amounts per page (Efraimidis–Spirakis),
    so a small budget is spent mostly on dense tables without always picking the same ones.
    """
    rng = random.Random(f"{seed}:{doc.doc_id}")
    cells = table_cells(doc)
    tables = table_pages(doc)
    weights = [(cells.get(k, 0) / len(p) + 1) for k, p in tables]
    order = sorted(range(len(tables)), key=lambda i: -rng.random() ** (1 / weights[i]))
    chosen: set[int] = set()
    for i in order:
        pages = set(tables[i][1])
        if cap is None or len(chosen | pages) <= cap:
            chosen |= pages
    return sorted(chosen)


def restrict(doc: Document, keep: set[str], generic_like: list | None = None) -> Document:
    """A copy holding only the tables in keep (t-keys and g<i> of doc), no sheets.

    generic_like: keep instead the generic tables matching one of these (number or title), for a
    prediction whose generic tables are numbered its own way.
    """
    from eval.score import _same_generic

    out = doc.model_copy(deep=True)
    for key in TABLE_TITLES:
        if key not in keep:
            setattr(out.tables, key, type(getattr(out.tables, key))())
    if generic_like is None:
        kept = [i for i in range(len(out.generic_tables)) if f"g{i}" in keep]
    else:
        kept = [i for i, g in enumerate(out.generic_tables) if any(_same_generic(g, r) for r in generic_like)]
    out.generic_tables = [out.generic_tables[i] for i in kept]
    # Provenance follows its generic table to the new index (what confidence flags look up).
    moved = {f"/generic_tables/{old}/": f"/generic_tables/{new}/" for new, old in enumerate(kept)}
    provenance = {}
    for pointer, spot in out.provenance.items():
        if pointer.startswith("/generic_tables/"):
            head = "/".join(pointer.split("/")[:3]) + "/"
            if head not in moved:
                continue
            pointer = moved[head] + pointer[len(head):]
        provenance[pointer] = spot
    out.provenance = provenance
    out.performance = type(out.performance)()
    return out


def cut_pages(pdf: Path, pages: list[int]) -> bytes:
    """The given 1-based pages of a PDF as a PDF of their own."""
    import pymupdf

    with pymupdf.open(pdf) as src:
        src.select([p - 1 for p in pages])
        return src.tobytes(garbage=3, deflate=True, no_new_id=True)


def run_degraded(config, outdir: Path, on_result: Callable | None = None) -> dict:
    """Reference, scan, read and score every document; the run record's section for kind 'degraded'.

    config is an eval.run.RunConfig (severity, phone, pages, seed, docs, engine). With severity
    None the cut-out is read born-digital, unscanned: the control that the harness itself loses nothing.
    """
    from extractor.batch import write_atomic
    from extractor.pipeline import Options, extract

    from eval.corpus.scan import scan_severity

    from .run_score import DocRun, score_kind

    outdir = Path(outdir)
    docs = select_docs(default_docs(Path(config.samples_dir), config.realworld and Path(config.realworld)),
                       config.docs)
    refs: dict[str, tuple[Document, Path]] = {}
    runs: dict[str, DocRun] = {}
    pages_of: dict[str, list[int]] = {}
    damage_of: dict[str, list[dict]] = {}  # what each scanned page went through, in page order
    for stem, pdf in docs.items():
        def done(run: DocRun) -> None:
            runs[stem] = run
            if on_result:
                on_result("degraded", run)
        try:
            ref = extract(pdf, Options(engine="layout"))
        except Exception as exc:  # noqa: BLE001 - a reference that cannot be read is reported, not fatal
            done(DocRun(stem, "not_run", error=f"reference: {str(exc).splitlines()[0]}"))
            continue
        pages = choose_pages(ref, config.pages, config.seed)
        scanned = set(pages)
        keep = {k for k, p in table_pages(ref) if set(p) <= scanned}
        ref_cut = restrict(ref, keep)
        ref_path = outdir / "ref" / f"{stem}.json"
        write_atomic(ref_path, ref_cut.model_dump_json(indent=1))
        refs[stem] = (ref_cut, ref_path)
        pages_of[stem] = pages
        if not keep:
            done(DocRun(stem, "not_run", error="no table within the page budget"))
            continue
        data = cut_pages(pdf, pages)
        if config.severity is not None:
            damage_of[stem] = []
            # Each document its own draws: one seed for all would give every first page the same damage.
            data = scan_severity(data, config.severity, seed=zlib.crc32(f"{config.seed}:{stem}".encode()),
                                 phone=config.phone, bilevel=config.bilevel,
                                 off=tuple(config.without), log=damage_of[stem])
        scan_path = outdir / "scans" / f"{stem}.pdf"
        scan_path.parent.mkdir(parents=True, exist_ok=True)
        scan_path.write_bytes(data)
        pred_path = outdir / "pred" / "degraded" / f"{stem}.json"
        try:
            pred = extract(scan_path, Options(engine=config.engine, engine_options=config.engine_options(),
                                              template=ref.template, ocr=config.ocr))
        except Exception as exc:  # noqa: BLE001 - a failed reading scores as empty, as in every run
            pred_path.unlink(missing_ok=True)
            done(DocRun(stem, "failed", error=str(exc).splitlines()[0]))
            continue
        pred_cut = restrict(pred, {k for k in keep if k.startswith("t")}, generic_like=ref_cut.generic_tables)
        write_atomic(pred_path, pred_cut.model_dump_json(indent=1))
        done(DocRun(stem, "ok", pred_path))
    empty = {"documents_scored": 0, "not_run": [], "failed": [], "seconds": 0.0, "documents": {},
             "usage": {"calls": 0, "input_tokens": 0, "output_tokens": 0, "cost": 0}}
    section = score_kind(refs, {s: runs[s] for s in refs}, base=outdir) if refs else empty
    for stem, entry in section["documents"].items():
        entry["pages"] = pages_of[stem]
        entry["damage"] = damage_of.get(stem, [])
    for stem, run in runs.items():
        if stem not in refs:  # no reference: nothing to score against
            section["not_run"].append(stem)
            section["documents"][stem] = {"status": run.status, "error": run.error, "pred": None, "pages": []}
    n_pages = sum(len(pages_of[s]) for s, r in runs.items() if r.status != "not_run")
    section["pages_scanned"] = n_pages
    section["seconds_per_page"] = round(section["seconds"] / n_pages, 3) if n_pages else None
    section["severity"] = config.severity
    section["phone"] = config.phone
    section["bilevel"] = config.bilevel
    section["without"] = list(config.without)
    return section


def print_degraded(section: dict, console) -> None:
    """The degraded kind's own line: severity, pages scanned, s/page."""
    sev = "none (born-digital cut-out)" if section.get("severity") is None else section["severity"]
    spp = section.get("seconds_per_page")
    off = f" without {','.join(section['without'])}" if section.get("without") else ""
    mode = "".join(f" ({m})" for m in ("phone", "bilevel") if section.get(m))
    console.print(f"severity {sev}{mode}{off}: {section.get('pages_scanned', 0)} "
                  f"pages scanned, {spp if spp is not None else '-'} s/page", highlight=False)


def configure(config, severity: str | None, phone: bool, pages: int | None, docs: list[str], seed: int,
              realworld: Path | None, without: list[str] = (), bilevel: bool = False) -> None:
    """The CLI's --kind degraded options onto a RunConfig; ValueError on a usage problem."""
    from eval.corpus.degrade import EFFECTS, parse_severity

    from .label_free import default_dir

    if severity is None:
        raise ValueError("--kind degraded needs --severity (0..1, mild, moderate, harsh or none)")
    config.severity = None if severity.strip().lower() == "none" else parse_severity(severity)
    config.phone = phone
    config.bilevel = bilevel
    config.pages = pages or DEFAULT_PAGES
    config.seed = seed
    config.without = [w.strip() for item in without for w in item.split(",") if w.strip()]
    if set(config.without) - set(EFFECTS):
        raise ValueError(f"--without {','.join(config.without)}: effects are {', '.join(EFFECTS)}")
    config.docs = [d for item in docs for d in item.split(",") if d.strip()] or None
    folder = None if realworld is not None and str(realworld).lower() == "none" else realworld or default_dir()
    if folder is not None and not Path(folder).is_dir():
        raise ValueError(f"--realworld {folder}: no such folder")
    config.realworld = str(folder) if folder else None
    select_docs(default_docs(Path(config.samples_dir), folder), config.docs)  # an unknown name fails now
