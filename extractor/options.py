"""One way to turn user choices (CLI flags, service form fields) into pipeline Options.

The CLI's `extract` and the HTTP service both call build_options, so a flag added here is an
upload field too, and both validate names the same way (an unknown name lists the known ones).
"""

from __future__ import annotations

from .engines import ENGINES
from .errors import BudgetxError, UnknownNameError
from .ocr_backends import OCR_BACKENDS, default_ocr
from .pipeline import Options

# Options of the llm/hybrid engines; ignored (not an error) for the offline layout engine.
LLM_OPTIONS = ("model", "prompt", "mode", "base_url", "vision", "no_cache", "cache_dir",
               "max_calls", "max_tokens", "max_cost", "context_tokens")
LLM_ENGINES = ("llm", "hybrid")


def build_options(engine: str = "layout", ocr: str | None = None, template: str | None = None,
                  max_pages: int | None = None, timeout: float | None = None, **llm) -> Options:
    """Validated Options; raises UnknownNameError / BudgetxError naming the bad choice.

    Example: build_options("llm", model="gpt-4o-mini", prompt="r1", max_cost=0.5)
    """
    from . import templates
    from .pages import Limits

    ocr = ocr or default_ocr()

    unknown = set(llm) - set(LLM_OPTIONS)
    if unknown:
        raise BudgetxError(f"unknown option {sorted(unknown)[0]!r}; known: {', '.join(LLM_OPTIONS)}")
    for registry, name in ((ENGINES, engine), (OCR_BACKENDS, ocr)):
        if name not in registry.names():
            raise UnknownNameError(f"unknown {registry.kind} {name!r}; known: {', '.join(registry.names())}")
    if template and template not in templates.names():
        raise UnknownNameError(f"unknown template {template!r}; known: {', '.join(templates.names())}")
    # An unset flag (None, or a switch left off) is left to the engine's own default.
    engine_options = {k: str(v) if k == "cache_dir" else v for k, v in llm.items()
                      if v is not None and v is not False} if engine in LLM_ENGINES else {}
    ENGINES.create(engine, **engine_options)  # a bad prompt or mode fails here, once, with the known names
    limits = Limits(**{k: v for k, v in (("max_pages", max_pages), ("max_seconds", timeout)) if v is not None})
    return Options(engine=engine, ocr=ocr, engine_options=engine_options, template=template or None, limits=limits)
