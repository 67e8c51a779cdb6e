"""An eval run: extract every document of the labelled set from its sample PDFs, score it, keep a record.

The record (runs/NAME/run.json) holds everything `eval compare` needs without re-scoring: the
configuration, the code version, per-kind and per-document metrics, tokens, cost, seconds and each
document's per-cell outcome map. Predictions go to runs/NAME/pred/<kind>/ so they can be re-scored or
inspected. A gold document without a sample PDF is listed as not run and left out of the figures
(it says nothing about the engine); a document whose extraction fails is scored as an empty
prediction, because a failure is a real cost to the user.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from schemas import Document

from .run_score import DocRun, _add_usage, score_kind  # noqa: F401  (DocRun, score_kind: eval.run's names too)

RUN_FORMAT = "budgetx-run/1"
KINDS = ("clean", "scan", "real", "degraded")  # degraded: real layouts scanned at a severity (eval/degraded.py)
BOTH = ("clean", "scan")  # --kind both: the rendered Xinjiang samples, born-digital and scanned
SAMPLE_SUFFIX = {"clean": ".pdf", "scan": ".scan.pdf", "real": ".pdf"}  # samples/[real/]<doc_id><suffix>
REAL_DIR = "real"  # samples/real/<doc_id>.pdf: real published disclosures, labelled in eval/data
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class RunConfig:
    """What was run; stored verbatim in the record so two runs can be told apart."""

    engine: str = "layout"
    prompt: str | None = None
    model: str | None = None
    mode: str | None = None
    base_url: str | None = None
    set_dir: str = "eval/data"
    samples_dir: str = "samples"
    kinds: list[str] = field(default_factory=lambda: list(BOTH))
    jobs: int = 1
    realworld: str | None = None  # folder of real PDFs measured label-free with --kind real
    options: dict = field(default_factory=dict)  # further engine options (-E no_cache=true)
    # --kind degraded: severity (0..1; None reads the cut-out born-digital), phone photo, bilevel, page budget
    # per document, the seed of the scans and page choice, and the documents (stems; None = all).
    severity: float | None = None
    phone: bool = False
    bilevel: bool = False  # black-and-white scans (one bit a pixel)
    pages: int | None = None
    seed: int = 0
    docs: list[str] | None = None
    without: list[str] = field(default_factory=list)  # scan effects left out (eval/corpus/degrade.EFFECTS)
    ocr: str = "rapidocr"  # --kind degraded: the OCR backend reading the scans

    def engine_options(self) -> dict:
        """Only the options given: an engine that takes none must not see a prompt=None."""
        opts = {"prompt": self.prompt, "model": self.model, "mode": self.mode, "base_url": self.base_url}
        return {**self.options, **{k: v for k, v in opts.items() if v is not None}}


def parse_option(text: str) -> tuple[str, object]:
    """KEY=VALUE of -E: true/false and numbers are typed, the rest stays text."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"engine option {text!r} is not KEY=VALUE")
    lowered = value.strip().lower()
    if lowered in ("true", "false"):
        return key.strip(), lowered == "true"
    for kind in (int, float):
        try:
            return key.strip(), kind(value)
        except ValueError:
            pass
    return key.strip(), value


def load_gold_set(set_dir: Path) -> dict[str, tuple[Document, Path]]:
    """doc_id → (gold Document, path of its gold.json)."""
    out = {}
    for path in sorted(Path(set_dir).glob("*/gold.json")):
        gold = Document.model_validate_json(path.read_text(encoding="utf-8"))
        out[gold.doc_id] = (gold, path)
    if not out:
        raise FileNotFoundError(f"{set_dir}: no */gold.json files")
    return out


def sample_path(samples_dir: Path, doc_id: str, kind: str) -> Path:
    folder = Path(samples_dir) / REAL_DIR if kind == "real" else Path(samples_dir)
    return folder / f"{doc_id}{SAMPLE_SUFFIX[kind]}"


def docs_of_kind(doc_ids: list[str], kind: str, samples_dir: Path) -> list[str]:
    """The gold documents a kind runs: a real disclosure has no rendered clean or scanned sample."""
    real = {d for d in doc_ids if sample_path(samples_dir, d, "real").exists()}
    return [d for d in doc_ids if (d in real) == (kind == "real")]


def extract_kind(doc_ids: list[str], kind: str, config: RunConfig, pred_dir: Path,
                 on_result: Callable[[str, DocRun], None] | None = None) -> dict[str, DocRun]:
    """Extract the samples of one kind into pred_dir; every gold document gets a DocRun."""
    from extractor.batch import output_path, run_batch
    from extractor.pipeline import Options

    runs: dict[str, DocRun] = {}
    pdfs: dict[Path, str] = {}
    for doc_id in doc_ids:
        pdf = sample_path(Path(config.samples_dir), doc_id, kind)
        if pdf.exists():
            pdfs[pdf] = doc_id
        else:
            runs[doc_id] = DocRun(doc_id, "not_run", error=f"no sample {pdf}")
            if on_result:
                on_result(kind, runs[doc_id])
    options = Options(engine=config.engine, engine_options=config.engine_options())
    # force: a run measures this configuration, so nothing is reused from an earlier one
    for result in run_batch(list(pdfs), pred_dir, options, jobs=config.jobs, force=True):
        doc_id = pdfs[result.path]
        if result.status == "ok":
            runs[doc_id] = DocRun(doc_id, "ok", result.output)
        else:  # a stale prediction from an earlier run must not be scored as this one's
            output_path(pred_dir, result.path).unlink(missing_ok=True)
            runs[doc_id] = DocRun(doc_id, "failed", error=result.error)
        if on_result:
            on_result(kind, runs[doc_id])
    return {d: runs[d] for d in doc_ids}


def git_state(root: Path = ROOT) -> dict:
    """The commit the run was made from, and whether tracked files differed from it."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no") if commit else None
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def budgetx_version() -> str | None:
    from importlib import metadata

    try:
        return metadata.version("budgetx")
    except metadata.PackageNotFoundError:  # running from a checkout that is not installed
        import tomllib

        try:
            return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
        except (OSError, KeyError, ValueError):
            return None


def _json_default(obj):
    if isinstance(obj, Decimal):  # costs: exact in the record, a plain number for readers
        return float(obj)
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _public_config(config: RunConfig) -> dict:
    """The configuration as stored: a key or token given with -E never lands in a record."""
    data = asdict(config)
    data["options"] = {k: ("<redacted>" if any(w in k.lower() for w in ("key", "token", "secret", "password"))
                           else v) for k, v in data["options"].items()}
    return data


def code_state() -> dict:
    """When and from which code a run started; taken before extracting, as a long run may outlive a commit."""
    return {"created": datetime.now(timezone.utc).isoformat(timespec="seconds"), "git": git_state(),
            "budgetx_version": budgetx_version()}


def make_record(name: str, config: RunConfig, kinds: dict[str, dict], seconds: float,
                started: dict | None = None) -> dict:
    usage: dict = {}
    for section in kinds.values():
        _add_usage(usage, section["usage"])
    return {"format": RUN_FORMAT, "name": name, **(started or code_state()), "config": _public_config(config),
            "seconds": round(seconds, 3), "usage": usage, "kinds": kinds}


def write_record(outdir: Path, record: dict) -> Path:
    from extractor.batch import write_atomic

    path = Path(outdir) / "run.json"
    write_atomic(path, json.dumps(record, ensure_ascii=False, indent=1, default=_json_default))
    return path


def run_eval(config: RunConfig, outdir: Path,
             on_result: Callable[[str, DocRun], None] | None = None) -> dict:
    """Extract, score and record every document of the set for each kind; returns the record."""
    started, state = time.perf_counter(), code_state()
    outdir = Path(outdir)
    gold_set = load_gold_set(Path(config.set_dir)) if set(config.kinds) - {"degraded"} else {}
    kinds = {}
    for kind in config.kinds:
        if kind == "degraded":  # its own references: no gold set needed
            from .degraded import run_degraded

            kinds[kind] = run_degraded(config, outdir, on_result)
            continue
        pred_dir = outdir / "pred" / kind
        runs = extract_kind(docs_of_kind(list(gold_set), kind, Path(config.samples_dir)), kind, config, pred_dir,
                            on_result)
        kinds[kind] = score_kind(gold_set, runs, base=outdir)
        if kind == "real" and config.realworld:
            kinds[kind]["label_free"] = _label_free(config, set(gold_set), outdir, on_result)
    record = make_record(outdir.name, config, kinds, time.perf_counter() - started, state)
    write_record(outdir, record)
    return record


def planned(config: RunConfig) -> int:
    """How many extractions a run makes (for a progress bar)."""
    if config.kinds == ["degraded"]:
        from .degraded import default_docs, select_docs

        return len(select_docs(default_docs(Path(config.samples_dir), config.realworld and Path(config.realworld)),
                               config.docs))
    ids = list(load_gold_set(Path(config.set_dir)))
    count = sum(len(docs_of_kind(ids, kind, Path(config.samples_dir))) for kind in config.kinds)
    if "real" in config.kinds and config.realworld:
        count += sum(1 for p in Path(config.realworld).glob("*.pdf") if p.stem not in ids)
    return count


def _label_free(config: RunConfig, gold_ids: set[str], outdir: Path,
                on_result: Callable[[str, DocRun], None] | None) -> dict:
    from extractor.pipeline import Options

    from .label_free import measure

    def report(stem: str, status: str, error: str | None) -> None:
        if on_result:
            on_result("real (label-free)", DocRun(stem, "ok" if status == "ok" else "failed", error=error))

    options = Options(engine=config.engine, engine_options=config.engine_options())
    return measure(Path(config.realworld), outdir / "pred" / "real-unlabelled", options, exclude=gold_ids,
                   jobs=config.jobs, on_result=report)


def load_run(path: Path) -> dict:
    """A run record from runs/NAME or runs/NAME/run.json."""
    path = Path(path)
    if path.is_dir():
        path = path / "run.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    if record.get("format") != RUN_FORMAT:
        raise ValueError(f"{path}: not a budgetx run record (format {record.get('format')!r})")
    return record


def print_run(record: dict, console) -> None:
    """The figures of a run, one block per kind (clean, scan), as rich tables."""
    from .report import print_score

    for kind, section in record["kinds"].items():
        u = section["usage"]
        console.rule(f"{record['name']} · {kind} · engine {record['config']['engine']}")
        console.print(f"{section['documents_scored']} documents scored, {len(section['failed'])} failed, "
                      f"{len(section['not_run'])} not run; {u['calls']} calls, {u['input_tokens']} in / "
                      f"{u['output_tokens']} out tokens, cost {float(u['cost']):.4f}; "
                      f"{section['seconds']:.1f}s extracting", highlight=False)
        if section["failed"]:
            for doc_id in section["failed"]:
                console.print(f"[red]failed[/red] {doc_id}: {section['documents'][doc_id]['error']}", highlight=False)
        if record["config"]["engine"] in ("llm", "hybrid") and section["documents_scored"] and not u["calls"]:
            console.print("[yellow]no model calls were made (answers from the cache?): cost and tokens "
                          "are not measured; -E no_cache=true asks again[/yellow]", highlight=False)
        if section["not_run"]:
            console.print(f"[yellow]not run (no sample): {', '.join(section['not_run'])}[/yellow]", highlight=False)
        if kind == "degraded":
            from .degraded import print_degraded

            print_degraded(section, console)
        if "overall" in section:
            print_score(section, console)
        if "label_free" in section:
            from .label_free import print_label_free

            print_label_free(section["label_free"], console)
