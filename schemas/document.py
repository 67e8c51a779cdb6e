"""The Document: one disclosure as JSON (see schemas/CONTRACT.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_serializer

from .common import Money, Strict, money_field
from .findings import Finding, Reconcile
from .narrative import Narrative
from .performance import Performance
from .tables import GenericTable, Tables

SCHEMA_VERSION = "1"


class Watermark(Strict):
    """Light text printed across a page (a watermark, slanted or large and level): kept, not read as the page's print."""

    page: int = Field(ge=1)
    text: str


class Seal(Strict):
    """A seal (公章) stamped over a scanned page: its words as read, and where it lies (page points,
    x0 y0 x1 y1), so a value under it can be checked against the page. Its words are not print."""

    page: int = Field(ge=1)
    text: str
    box: tuple[float, float, float, float]


class Source(Strict):
    file: str = Field(description="源文件名")
    sha256: str | None = None
    page_count: int | None = Field(default=None, ge=0)
    parts: list[str] = Field(default_factory=list, description="further files of the same unit read as one "
                                                               "document (pages numbered on after this file's)")
    watermarks: list[Watermark] = Field(default_factory=list, description="水印: light text printed across pages "
                                        "(slanted, or large and level), not read as their print")
    seals: list[Seal] = Field(default_factory=list, description="印章: seals stamped over scanned pages, their "
                              "words not read as print")


class Staffing(Strict):
    authorized: int | None = Field(default=None, ge=0, description="编制数")
    actual: int | None = Field(default=None, ge=0, description="实有人数")
    in_service: int | None = Field(default=None, ge=0, description="在职")
    retired: int | None = Field(default=None, ge=0, description="退休")
    separated: int | None = Field(default=None, ge=0, description="离休")


class Provenance(Strict):
    page: int = Field(ge=1)
    bbox: tuple[float, float, float, float] | None = Field(default=None, description="PDF points x0,y0,x1,y1")
    confidence: float | None = Field(
        default=None, ge=0, le=1, description="OCR confidence of the value: the lowest of the OCR words under its "
                                              "box (absent for a text-layer value, which is exact)")
    read: str | None = Field(
        default=None, description="the label as OCR read it, when budgetx mended it (an outline's numeral, a "
                                  "known name: extractor/outline.py); absent when kept as read")

    @model_serializer(mode="wrap")
    def drop_absent_confidence(self, handler):
        # A born-digital document has thousands of spots: no "confidence": null on each.
        data = handler(self)
        if isinstance(data, dict):
            for key in ("confidence", "read"):
                if data.get(key) is None:
                    data.pop(key, None)
        return data


class Usage(Strict):
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost: Money = money_field("cost in the price table's currency")


class RunInfo(Strict):
    """How the document was produced: engine, prompt, model, effort."""

    engine: str
    version: str | None = Field(default=None, description="budgetx output version (stale outputs are redone)")
    prompt: str | None = None
    model: str | None = None
    pages_ocr: list[int] = Field(default_factory=list)
    pages_pictures: list[int] = Field(
        default_factory=list, description="text pages whose large pictures (a table pasted as an image) were read by "
                                          "OCR; their values carry a confidence, the page's own text does not")
    seconds: float | None = None
    usage: Usage | None = None
    llm_tables: list[str] = Field(default_factory=list, description="tables or sheets the LLM produced")
    llm_failed: dict[str, str] = Field(
        default_factory=dict, description="tables or sheets asked of the LLM whose answer was not kept, and why "
                                          "(their layout reading stands)")


class Document(Strict):
    schema_version: Literal["1"] = SCHEMA_VERSION
    doc_id: str
    source: Source | None = None
    unit_name: str | None = Field(default=None, description="编制单位 / 预算单位")
    unit_kind: Literal["单位", "部门"] | None = Field(default=None, description="单位预算 / 部门预算")
    year: int | None = Field(default=None, ge=1990, le=2100, description="预算年度")
    document_kind: Literal["预算", "决算"] | None = Field(default=None, description="预算 (budget) / 决算 (final accounts)")
    template: str | None = Field(default=None, description="模板族（如 xinjiang-2024、shanghai-2023、jiangsu-2017）")
    money_unit_source: str = Field(default="万元", description="文件所用金额单位")
    staffing: Staffing | None = None
    tables: Tables = Field(default_factory=Tables)
    generic_tables: list[GenericTable] = Field(
        default_factory=list, description="printed tables with no contract slot, kept as printed")
    performance: Performance = Field(default_factory=Performance)
    narrative: Narrative | None = None
    findings: list[Finding] = Field(default_factory=list, description="checker findings")
    reconcile: Reconcile | None = Field(default=None, description="identities evaluated and held by the checker")
    provenance: dict[str, Provenance] = Field(default_factory=dict)
    flagged: dict[str, Literal["failed", "low_confidence", "uncorroborated", "unread"]] = Field(
        default_factory=dict, description="amounts not to take on trust, by JSON pointer, and why (CONTRACT.md, "
                                          "Confidence and flags); every other amount is corroborated or exact")
    run: RunInfo | None = None
