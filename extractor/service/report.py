"""`budgetx report`: the review page's document view as one self-contained HTML file."""

from __future__ import annotations

import base64
from pathlib import Path

from schemas import Document

from ..batch import write_atomic
from ..pages import sha256_file
from .view import context, jinja_env, render_page_png


def find_pdf(doc: Document, doc_json: Path) -> Path | None:
    """The document's PDF beside its JSON or in the current folder (checked by sha256 when known)."""
    if doc.source is None:
        return None
    for folder in (doc_json.parent, Path.cwd(), Path.cwd() / "samples"):
        candidate = folder / doc.source.file
        if candidate.is_file() and (not doc.source.sha256 or sha256_file(candidate) == doc.source.sha256):
            return candidate
    return None


def write_report(doc_json: Path, output: Path, pdf: Path | None = None, dpi: int = 80) -> tuple[Path, Path | None]:
    """Write the view of DOC.json to output; page images are embedded when the PDF is given or found."""
    doc = Document.model_validate_json(Path(doc_json).read_bytes())
    pdf = pdf or find_pdf(doc, Path(doc_json))
    ctx = context(doc, pdf)
    # Only pages that hold a value are embedded: the file stays small enough to mail.
    wanted = sorted({spot[0] for spot in ctx["provenance"].values()} & set(ctx["sizes"]))
    urls = {n: "data:image/png;base64," + base64.b64encode(render_page_png(pdf, n, dpi)).decode()
            for n in wanted} if pdf else {}
    html = jinja_env().get_template("document.html").render(**ctx, page_urls=urls, standalone=True, error=None)
    write_atomic(Path(output), html)
    return Path(output), pdf
