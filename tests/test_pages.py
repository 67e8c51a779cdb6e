"""Bad input gets a clear one-line error naming the file; a batch loses nothing and resumes."""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf
import pytest
from typer.testing import CliRunner

from cli import app
from extractor.batch import process_one, run_batch, write_atomic
from extractor.errors import (
    BudgetxError,
    CorruptPdfError,
    EmptyPdfError,
    EncryptedPdfError,
    LimitError,
    NotPdfError,
)
from extractor.pages import Limits, load_pages, open_pdf, text_layer_usable
from extractor.pipeline import Options

from .conftest import SAMPLES


def _pdf(path: Path, width: float = 595, height: float = 842, text: str = "一般公共预算支出情况表") -> Path:
    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    page.insert_text((72, 72), text, fontname="china-s")
    doc.save(path)
    return path


@pytest.fixture()
def bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "not_pdf": tmp_path / "notes.pdf",
        "empty": tmp_path / "empty.pdf",
        "corrupt": tmp_path / "corrupt.pdf",
        "encrypted": tmp_path / "locked.pdf",
    }
    files["not_pdf"].write_text("预算 just text", encoding="utf-8")
    files["empty"].write_bytes(b"")
    files["corrupt"].write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret")
    doc.save(files["encrypted"], encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="pw", owner_pw="pw2")
    return files


@pytest.mark.parametrize("kind, error", [("not_pdf", NotPdfError), ("empty", EmptyPdfError),
                                         ("corrupt", CorruptPdfError), ("encrypted", EncryptedPdfError)])
def test_bad_input_raises_a_specific_error_naming_the_file(bad_files, kind, error):
    with pytest.raises(error) as info:
        open_pdf(bad_files[kind]).close()
    message = str(info.value)
    assert bad_files[kind].name in message and "\n" not in message
    assert isinstance(info.value, BudgetxError)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(NotPdfError, match="nothing.pdf"):
        open_pdf(tmp_path / "nothing.pdf")


def test_page_count_and_page_size_caps(tmp_path):
    path = tmp_path / "many.pdf"
    doc = pymupdf.open()
    for _ in range(5):
        doc.new_page()
    doc.save(path)
    with pytest.raises(LimitError, match="5 pages"):
        open_pdf(path, Limits(max_pages=4))
    huge = _pdf(tmp_path / "huge.pdf", width=14000, height=14000)
    with pytest.raises(LimitError, match="absurd page size") as info:
        load_pages(huge, Limits(max_page_side_pt=5000))
    assert info.value.page == 1 and "huge.pdf" in str(info.value)


def test_text_layer_quality_decides_per_page():
    assert text_layer_usable("一般公共预算支出情况表 合计 518.8")
    assert not text_layer_usable("")
    assert not text_layer_usable("\ue001\ue002\ue003\ue004\ue005\ue006\ue007\ue008\ue009")
    assert text_layer_usable("330.39 162.2 8.36 4.18 3.8 9.87")


def test_a_batch_processes_every_document_and_reports_failures(bad_files, tmp_path):
    good = _pdf(tmp_path / "good.pdf", text="关于召开年度工作会议的通知")
    out = tmp_path / "out"
    results = {r.path.name: r for r in run_batch([*bad_files.values(), good], out, Options(check=False))}
    assert len(results) == 5
    # A readable PDF with no budget table is a clear failure too, not a crash.
    assert {n for n, r in results.items() if r.status == "failed"} == {p.name for p in bad_files.values()} | {"good.pdf"}
    assert "no budget table" in results["good.pdf"].error and "good.pdf" in results["good.pdf"].error
    assert "encrypted" in results["locked.pdf"].error
    assert not out.exists() or not list(out.glob("*.json"))


def test_atomic_write_leaves_no_partial_file(tmp_path):
    target = tmp_path / "a.json"
    write_atomic(target, '{"ok": 1}')

    with pytest.raises(TypeError):
        write_atomic(target, 12345)  # type: ignore[arg-type]  # the write fails after the temp file exists
    assert json.loads(target.read_text()) == {"ok": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


@pytest.mark.skipif(not (SAMPLES / "000_5dac6d90f1d45d5f.pdf").exists(), reason="samples not rendered")
def test_rerun_skips_up_to_date_and_redoes_changed(tmp_path):
    pdf = tmp_path / "000_5dac6d90f1d45d5f.pdf"
    pdf.write_bytes((SAMPLES / "000_5dac6d90f1d45d5f.pdf").read_bytes())
    out = tmp_path / "out"
    first = process_one(pdf, out, Options(check=False))
    assert first.status == "ok"
    assert process_one(pdf, out, Options(check=False)).status == "skipped"
    assert process_one(pdf, out, Options(check=False), force=True).status == "ok"
    # Different bytes under the same name: the output is stale and is redone.
    doc = pymupdf.open(pdf)
    doc.set_metadata({"title": "changed"})
    doc.save(tmp_path / "tmp.pdf")
    (tmp_path / "tmp.pdf").replace(pdf)
    assert process_one(pdf, out, Options(check=False)).status == "ok"


def test_cli_extract_exit_codes(bad_files, tmp_path):
    runner = CliRunner()
    result = runner.invoke(app, ["extract", str(bad_files["not_pdf"]), "-o", str(tmp_path / "o"), "--json"])
    assert result.exit_code == 1
    line = json.loads(result.stdout.strip().splitlines()[0])
    assert line["status"] == "failed" and "not a PDF" in line["error"]
    result = runner.invoke(app, ["extract", str(tmp_path / "none"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    result = runner.invoke(app, ["extract", str(bad_files["not_pdf"]), "-o", str(tmp_path / "o"), "--engine", "nope"])
    assert result.exit_code == 2 and "known: " in result.output and "layout" in result.output


def test_a_batch_starts_its_largest_documents_first(tmp_path):
    # A long scan started last ran alone on one core at the batch's end while the others idled.
    from extractor.batch import largest_first

    sizes = {"small.pdf": 10, "large.pdf": 3000, "middle.pdf": 500}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(b"%" * size)
    missing = tmp_path / "gone.pdf"
    order = largest_first([tmp_path / "small.pdf", missing, tmp_path / "large.pdf", tmp_path / "middle.pdf"])
    assert [p.name for p in order] == ["large.pdf", "middle.pdf", "small.pdf", "gone.pdf"]
