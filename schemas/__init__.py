"""The output contract as strict Pydantic v2 models."""

from .common import Money, MoneyUnit, Strict, SubjectCode, code_level, extra_key, parse_money, to_wan
from .document import SCHEMA_VERSION, Document, Provenance, RunInfo, Seal, Source, Staffing, Usage, Watermark
from .findings import Finding, Reconcile, Repair, Tally
from .narrative import Narrative, UndisclosedProjects
from .performance import Indicator, OverallSheet, Performance, ProjectSheet
from .tables import (
    T1,
    T2,
    T3,
    T4,
    T5,
    T6,
    T7,
    T8,
    T9,
    T10,
    T10_LINE_NAMES,
    T11,
    GenericTable,
    TABLE_MODELS,
    TABLE_TITLES,
    Tables,
)
from .targets import Target, parse_target

__all__ = [
    "Money", "MoneyUnit", "extra_key", "to_wan", "Strict", "SubjectCode", "code_level", "parse_money",
    "SCHEMA_VERSION", "Document", "Provenance", "RunInfo", "Seal", "Source", "Staffing", "Usage", "Watermark",
    "Finding", "Reconcile", "Repair", "Tally", "GenericTable", "Narrative", "UndisclosedProjects",
    "Indicator", "OverallSheet", "Performance", "ProjectSheet",
    "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11",
    "T10_LINE_NAMES", "TABLE_MODELS", "TABLE_TITLES", "Tables",
    "Target", "parse_target",
]
