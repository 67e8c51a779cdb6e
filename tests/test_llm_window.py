"""The context window and errors by kind, against the local server (tests/llm_server.py).

The server checks prompt + max_tokens against its window as llama.cpp's and vLLM's servers do,
counting tokens its own way (cl100k when tiktoken's offline data is installed, else an estimate),
so a request sized by the engine's count is refused when the count is wrong.
"""

from __future__ import annotations

import pytest

from extractor.llm.client import RequestRefusedError
from extractor.llm.window import Window, conservative_tokens, discover, is_context_error, stated_limits

from .llm_server import Fault, FakeLlm
from .llm_support import prompt_tokens
from .test_llm_engine import DOC, gold, pages, pdf, run, same, server  # noqa: F401 - fixtures
from .test_llm_refs import text_equal


def refs(server, pages, pdf, tmp_path, **options):
    return run(server, pages, pdf, tmp_path, **{"prompt": "r1", "no_cache": True, **options})


def refused(server):
    return [c for c in server.calls if c.status >= 400]


def blocks_of(call) -> int:
    return FakeLlm.user_text(call.payload).count("\n[")


# ---- the window: found, counted, respected ------------------------------------------------


def test_the_window_is_read_from_the_server_or_given_or_a_safe_default(server):
    assert discover(server.url, "test").context == 32768  # vLLM-style max_model_len
    assert server.gets == ["/v1/models"]
    assert discover(server.url, "test", context_tokens=3000).context == 3000
    server.advertise = False
    window = discover(server.url, "test")
    assert window.context == 8192 and "default" in window.source
    assert discover(None, "gpt-4o-mini").context == 128_000 and discover(None, "mystery").context == 8192


def test_chinese_is_counted_at_least_one_token_a_character():
    grid = "2010350|事业运行|330.39|320.39|0"
    assert conservative_tokens(grid) >= 4 + len(grid.replace("事业运行", "")) // 2
    window = Window(2048, "test")
    assert window.count("预算" * 100) >= 200
    window.learn(window.count("预算" * 100), 500)  # the server said 500: later counts follow it
    assert window.count("预算" * 100) >= 500


def test_context_errors_are_recognised_with_the_stated_figures():
    llama = "Requested tokens (3000) exceed context window of 2048"
    vllm = ("This model's maximum context length is 4096 tokens. However, you requested 5000 tokens "
            "(1000 in the messages, 4000 in the completion).")
    assert is_context_error(400, llama) and stated_limits(llama) == (2048, 3000)
    assert is_context_error(400, vllm) and stated_limits(vllm) == (4096, 1000)
    assert not is_context_error(400, "tool_choice: only 'auto' is supported") and not is_context_error(500, vllm)


@pytest.mark.parametrize("window", [4096, 2500])
def test_a_small_window_is_respected_by_every_request(gold, pages, pdf, tmp_path, window):
    server = FakeLlm(gold, context_window=window).start()
    try:
        doc, _ = refs(server, pages, pdf, tmp_path)
    finally:
        server.stop()
    assert server.problems == []
    assert refused(server) == []  # no request was too long for the window
    for call in server.answered:
        assert prompt_tokens(call.payload) + call.payload["max_tokens"] <= window
    for key in type(gold.tables).model_fields:
        assert text_equal(getattr(doc.tables, key), getattr(gold.tables, key)), key
    assert doc.run.usage.calls == len(server.answered) and doc.run.llm_failed == {}


def test_max_tokens_is_what_the_answer_needs_not_a_fixed_cap(server, pages, pdf, tmp_path):
    refs(server, pages, pdf, tmp_path)
    for call in server.answered:
        asked, used = call.payload["max_tokens"], call.usage[1]
        assert used <= asked < 4096 and asked <= 4 * used + 300


# ---- errors by kind ---------------------------------------------------------------------


def test_a_context_length_error_splits_the_batch(server, pages, pdf, tmp_path, gold):
    server.faults.append(Fault("refs", "context"))
    doc, _ = refs(server, pages, pdf, tmp_path, concurrency=1)
    first, *rest = server.calls
    assert first.status == 400 and len(refused(server)) == 1  # asked once, never repeated as it was
    assert blocks_of(rest[0]) + blocks_of(rest[1]) == blocks_of(first)  # the same blocks, in two halves
    for key in type(gold.tables).model_fields:
        assert text_equal(getattr(doc.tables, key), getattr(gold.tables, key)), key


def test_a_window_the_server_does_not_state_is_learned_from_its_error(gold, pages, pdf, tmp_path):
    server = FakeLlm(gold, context_window=4096, advertise=False).start()  # the engine assumes 8192
    try:
        doc, _ = refs(server, pages, pdf, tmp_path, concurrency=1)
    finally:
        server.stop()
    assert 1 <= len(refused(server)) <= 2  # the first error states the window; later requests fit it
    assert all(c.status in (200, 400) for c in server.calls) and doc.run.llm_failed == {}
    assert doc.run.usage.calls == len(server.answered)


@pytest.mark.parametrize("fault, words", [("401", "check OPENAI_API_KEY"), ("404", "check --model"),
                                          ("tool_choice", "use --mode json_schema")])
def test_a_refusal_is_sent_once_and_reported_with_the_servers_words_and_a_hint(server, pages, pdf, tmp_path,
                                                                               fault, words):
    server.faults.append(Fault(None, fault, sticky=True))
    with pytest.raises(RequestRefusedError) as caught:
        refs(server, pages, pdf, tmp_path)  # concurrency 4: the first request goes alone
    assert len(server.calls) == 1  # not retried, and no other batch sent after it
    assert words in str(caught.value) and caught.value.status == (int(fault) if fault.isdigit() else 400)
    assert caught.value.document.tables.t3.rows  # the layout readings are kept with the error


def test_the_copying_prompts_refuse_once_too(server, pages, pdf, tmp_path):
    server.faults.append(Fault(None, "401", sticky=True))
    with pytest.raises(RequestRefusedError, match="Incorrect API key"):
        run(server, pages, pdf, tmp_path, prompt="v1")
    assert len(server.calls) == 1


def test_cli_reports_a_refusal_once_and_takes_context_tokens(server, pdf, tmp_path, gold):
    from typer.testing import CliRunner

    from cli import app

    common = ["extract", str(pdf), "-o", str(tmp_path / "out"), "--engine", "llm", "--model", "test",
              "--base-url", server.url, "--no-cache", "--cache-dir", str(tmp_path / "c")]
    server.faults.append(Fault(None, "401", sticky=True))
    result = CliRunner().invoke(app, common, env={"OPENAI_API_KEY": "wrong"})
    assert result.exit_code == 1 and " ".join(result.output.split()).count("Incorrect API key") == 1, result.output
    assert len(server.calls) == 1
    server.faults.clear()
    server.context_window = 3000
    server.advertise = False  # only --context-tokens tells the engine
    result = CliRunner().invoke(app, common + ["--context-tokens", "3000"], env={"OPENAI_API_KEY": "test"})
    assert result.exit_code == 0, result.output
    assert refused(server)[1:] == [] and len(server.answered) > 2


@pytest.mark.parametrize("routes, size, source", [
    ({"GET /props": {"default_generation_settings": {"n_ctx": 4096}}}, 4096, "/props"),  # llama.cpp's llama-server
    ({"POST /api/show": {"parameters": "num_ctx 16384\nstop <|im_end|>"}}, 16384, "num_ctx"),  # Ollama, Modelfile
    ({"POST /api/show": {"model_info": {"qwen2.context_length": 32768}}}, 2048, "Ollama's default"),
    ({"GET /api/ps": {"models": [{"name": "qwen2.5:7b", "context_length": 8192}]},
      "POST /api/show": {"model_info": {"qwen2.context_length": 32768}}}, 8192, "/api/ps"),
    ({"POST /extras/tokenize/count": {"count": 9}}, 2048, "llama-cpp-python"),  # says nothing of --n_ctx
])
def test_the_window_of_each_kind_of_server(routes, size, source):
    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        body = routes.get(f"{request.method} {request.url.path}")
        return httpx.Response(200, json=body) if body is not None else httpx.Response(404, json={})

    client = httpx.Client(transport=httpx.MockTransport(answer))
    window = discover("http://127.0.0.1:11434/v1", "qwen2.5:7b", http_client=client)
    assert window.context == size and source in window.source
    assert (window.tokenizer is not None) == ("POST /extras/tokenize/count" in routes)
    assert window.serial == ("POST /extras/tokenize/count" in routes)  # llama-cpp-python: one request at a time
