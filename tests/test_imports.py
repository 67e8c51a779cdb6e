"""No import circles among budgetx's modules (deferred imports count; tests/import_cycles.py)."""

from .import_cycles import cycles, imports, modules


def test_the_lister_sees_deferred_imports():
    known = modules()
    # engines/__init__ imports engines.llm only inside a factory: still an import.
    assert "extractor.engines.llm" in imports("extractor.engines", known["extractor.engines"], known)
    assert "extractor.engines.llm" not in imports("extractor.engines", known["extractor.engines"], known,
                                                  deferred=False)


def test_no_import_circles():
    assert cycles() == []
