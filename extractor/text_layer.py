"""Whether a page's text layer is real text: the test that decides text layer or OCR, per page."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Private-use glyphs, the replacement character, control characters: a broken ToUnicode map.
_BAD = re.compile(r"[\ue000-\uf8ff\ufffd\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Latin-1 and Latin Extended letters: what a CJK font without a ToUnicode map decodes to.
_MOJIBAKE = re.compile(r"[\u00c0-\u024f]")


def text_layer_usable(text: str) -> bool:
    """True when a page's text layer is real text (not empty, not glyph garbage).

    A disclosure page is Chinese or a table of numbers. A layer of private-use or replacement
    characters, or of accented Latin letters where the Chinese should be, is not trusted.
    """
    chars = re.sub(r"\s", "", text)
    if len(chars) < 8:
        return False
    bad = len(_BAD.findall(chars))
    if bad / len(chars) > 0.05:
        return False
    cjk = len(_CJK.findall(chars))
    digits = sum(ch.isdigit() for ch in chars)
    if len(_MOJIBAKE.findall(chars)) > max(cjk, 0.1 * len(chars)):
        return False
    return cjk >= 4 or digits / len(chars) > 0.3


def short_and_clean(text: str) -> bool:
    """A layer too short to be a page's text but clean (a lone page number): kept as it is."""
    return len(re.sub(r"\s", "", text)) < 8 and not _BAD.search(text) and not _MOJIBAKE.search(text)
