"""The HTTP service against a running `budgetx serve` (loopback), on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import time

import pytest

pytest.importorskip("fastapi", reason="the service extra is not installed (pip install -e '.[service]')")

import pymupdf  # noqa: E402

from tests.conftest import SAMPLES  # noqa: E402
from tests.service_server import Server, backend_url, wait_done  # noqa: E402

SAMPLE = SAMPLES / "000_5dac6d90f1d45d5f.pdf"
OTHER = SAMPLES / "004_3fa3241a52f85770.pdf"
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    data = tmp_path_factory.mktemp(f"service-{request.param}")
    srv = Server(data, backend_url(request.param, data), workers=1,
                 args=("--max-upload-mb", "1", "--max-pages", "40", "--rate", "60"))
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def key(server):
    return server.key("alice")


@pytest.fixture(scope="module")
def done_doc(server, key):
    with server.client(key) as c:
        r = c.post("/v1/documents", files={"file": (SAMPLE.name, SAMPLE.read_bytes(), "application/pdf")})
        assert r.status_code == 202, r.text
        return wait_done(c, r.json()["id"])


def upload(client, path, **data):
    return client.post("/v1/documents", files={"file": (path.name, path.read_bytes(), "application/pdf")}, data=data)


def test_result_is_the_cli_extraction_and_validates(server, key, done_doc):
    jsonschema = pytest.importorskip("jsonschema")
    from extractor.batch import OUTPUT_VERSION
    from extractor.pipeline import extract
    from schemas import Document

    assert done_doc["status"] == "done", done_doc["error"]
    assert done_doc["progress"]["pages_done"] == done_doc["progress"]["pages_total"] == pymupdf.open(SAMPLE).page_count
    with server.client(key) as c:
        result = c.get(f"/v1/documents/{done_doc['id']}/result")
        assert result.headers["content-type"] == "application/json"
        body = result.json()
        jsonschema.validate(body, Document.model_json_schema())
        cli = extract(SAMPLE)  # the same pipeline and default options as `budgetx extract`
        assert body["tables"] == json.loads(cli.model_dump_json())["tables"]
        assert body["doc_id"] == SAMPLE.stem and body["run"]["version"] == OUTPUT_VERSION
        assert done_doc["unit_name"] == cli.unit_name and done_doc["year"] == cli.year
        findings = c.get(f"/v1/documents/{done_doc['id']}/findings").json()
        assert findings == body["findings"]
        errors = c.get(f"/v1/documents/{done_doc['id']}/findings", params={"severity": "error"}).json()
        assert errors == [f for f in body["findings"] if f["severity"] == "error"]


def test_page_images(server, key, done_doc):
    with server.client(key) as c:
        png = c.get(f"/v1/documents/{done_doc['id']}/pages/3.png", params={"dpi": 72})
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        pix = pymupdf.Pixmap(png.content)
        rect = pymupdf.open(SAMPLE)[2].rect
        assert (pix.width, pix.height) == (round(rect.width), round(rect.height))
        missing = c.get(f"/v1/documents/{done_doc['id']}/pages/999.png")
        assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


def test_same_file_same_document_unless_forced(server, key, done_doc):
    with server.client(key) as c:
        again = upload(c, SAMPLE)
        assert again.status_code == 200 and again.json()["id"] == done_doc["id"]
        forced = upload(c, SAMPLE, force="true")
        assert forced.status_code == 202 and forced.json()["id"] != done_doc["id"]
        assert wait_done(c, forced.json()["id"])["status"] == "done"
        blobs = list((server.data_dir / "blobs").rglob("*.pdf"))
        assert [b.stem for b in blobs].count(done_doc["sha256"]) == 1  # stored once, by content


def test_problems(server, key, tmp_path):
    with server.client(key) as c:
        def problem(r, status, title):
            assert r.status_code == status, r.text
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["title"] == title and r.json()["status"] == status
            return r.json()

        not_pdf = c.post("/v1/documents", files={"file": ("a.pdf", b"hello, not a pdf", "application/pdf")})
        problem(not_pdf, 415, "Not a PDF")
        big = tmp_path / "big.pdf"
        big.write_bytes(b"%PDF-1.7\n" + b"0" * (2 << 20))
        problem(upload(c, big), 413, "File too large")
        long_pdf = pymupdf.open()
        for _ in range(41):
            long_pdf.new_page()
        long = tmp_path / "long.pdf"
        long_pdf.save(long)
        assert "41 pages" in problem(upload(c, long), 413, "Too many pages")["detail"]
        assert "known: hybrid, layout, llm" in problem(upload(c, SAMPLE, engine="ocr9"), 422, "Unknown engine")["detail"]
        problem(c.post("/v1/documents", data={"engine": "layout"}), 422, "Invalid request")
        problem(c.get("/v1/documents", params={"status": "lost"}), 422, "Invalid request")
        assert not list((server.data_dir / "tmp").glob("*")), "refused uploads leave nothing behind"


def test_rate_limit(server):
    """60 uploads a minute per key, as a bucket of 60: the 61st quick one is refused (refill allowing)."""
    started = time.monotonic()
    with server.client(server.key("hasty")) as c:
        codes = []
        while len(codes) < 200 and (not codes or codes[-1].status_code != 429):
            codes.append(c.post("/v1/documents", files={"file": ("x.pdf", b"nope", "application/pdf")}))
        other = server.client(server.key("patient")).post(
            "/v1/documents", files={"file": ("x.pdf", b"nope", "application/pdf")})
    refilled = (time.monotonic() - started) * 60 / 60
    limited = codes[-1]
    assert limited.status_code == 429 and limited.json()["title"] == "Rate limited"
    assert int(limited.headers["Retry-After"]) >= 1
    assert {r.status_code for r in codes[:-1]} == {415}
    assert 60 <= len(codes) - 1 <= 60 + refilled + 1
    assert other.status_code == 415  # the limit is per key


def test_list_filters_and_pages(server):
    with server.client(server.key("lister")) as c:
        ids = [upload(c, p).json()["id"] for p in (SAMPLE, OTHER)]
        done = [wait_done(c, i) for i in ids]
        assert all(d["status"] == "done" for d in done)
        everything = c.get("/v1/documents").json()
        assert everything["total"] == 2 and {d["id"] for d in everything["items"]} == set(ids)
        first = c.get("/v1/documents", params={"limit": 1}).json()
        second = c.get("/v1/documents", params={"limit": 1, "offset": first["next_offset"]}).json()
        assert first["next_offset"] == 1 and second["next_offset"] is None
        assert {first["items"][0]["id"], second["items"][0]["id"]} == set(ids)
        unit = done[0]["unit_name"]
        by_unit = c.get("/v1/documents", params={"unit": unit[2:8]}).json()
        assert [d["id"] for d in by_unit["items"]] == [ids[0]] or done[1]["unit_name"] == unit
        by_year = c.get("/v1/documents", params={"year": done[0]["year"]}).json()
        assert ids[0] in {d["id"] for d in by_year["items"]}
        assert c.get("/v1/documents", params={"year": 1999}).json()["total"] == 0
        assert c.get("/v1/documents", params={"status": "queued"}).json()["total"] == 0


def test_delete(server):
    with server.client(server.key("deleter")) as c:
        doc = upload(c, OTHER).json()
        wait_done(c, doc["id"])
        assert c.delete(f"/v1/documents/{doc['id']}").status_code == 204
        assert c.get(f"/v1/documents/{doc['id']}").status_code == 404
        assert c.delete(f"/v1/documents/{doc['id']}").status_code == 404


def test_auth_and_isolation(server, key, done_doc):
    doc = f"/v1/documents/{done_doc['id']}"
    with server.client() as anon:
        r = anon.get(doc)
        assert r.status_code == 401 and r.json()["title"] == "Missing API key" and r.headers["www-authenticate"]
        assert anon.get(doc, headers={"Authorization": "Bearer bx_nope_nope"}).json()["title"] == "Invalid API key"
        assert anon.get("/healthz").status_code == 200  # liveness needs no key
    with server.client(server.key("bob")) as bob:
        for path in (doc, doc + "/result", doc + "/findings", doc + "/pages/1.png"):
            r = bob.get(path)
            assert r.status_code == 404 and r.json()["title"] == "Document not found", path
        assert bob.delete(doc).status_code == 404
        assert bob.get("/v1/documents").json()["total"] == 0
        again = upload(bob, SAMPLE)  # the same bytes from another key are another document
        assert again.status_code == 202 and again.json()["id"] != done_doc["id"]
    with server.client(key) as alice:
        assert alice.get(doc).status_code == 200  # bob's attempts changed nothing
    revoked = server.key("carol")
    with server.client(revoked) as carol:
        assert carol.get("/v1/documents").status_code == 200
        assert server.store().revoke_key("carol") == 1
        r = carol.get("/v1/documents")
        assert r.status_code == 401 and r.json()["title"] == "Invalid API key"
    with server.client() as via_header:
        assert via_header.get(doc, headers={"X-API-Key": key}).status_code == 200


def test_a_failed_document_says_why(server, key, tmp_path):
    blank = pymupdf.open()
    blank.new_page().insert_text((72, 72), "hello, no budget here")
    path = tmp_path / "letter.pdf"
    blank.save(path)
    with server.client(key) as c:
        doc = upload(c, path)
        assert doc.status_code == 202
        final = wait_done(c, doc.json()["id"])
        assert final["status"] == "failed"
        assert final["error"].startswith("letter.pdf: ") and "no budget table" in final["error"]
        assert str(server.data_dir) not in final["error"]  # named as uploaded, not by its storage path
        result = c.get(f"/v1/documents/{final['id']}/result")
        assert result.status_code == 422 and result.json()["title"] == "Extraction failed"


def test_openapi_describes_the_api(server):
    with server.client() as c:
        spec = c.get("/openapi.json").json()
        assert c.get("/docs").status_code == 200
    assert {"/v1/documents", "/v1/documents/{doc_id}", "/v1/documents/{doc_id}/result",
            "/v1/documents/{doc_id}/findings", "/v1/documents/{doc_id}/pages/{number}.png", "/healthz"} <= set(spec["paths"])
    assert "/" not in spec["paths"]  # the review page is not API


def test_simultaneous_uploads_of_one_file_are_one_document(server):
    from concurrent.futures import ThreadPoolExecutor

    with server.client(server.key("twins")) as c, ThreadPoolExecutor(6) as pool:
        replies = list(pool.map(lambda _: upload(c, OTHER), range(6)))
    assert sorted(r.status_code for r in replies) == [200] * 5 + [202]
    assert len({r.json()["id"] for r in replies}) == 1
