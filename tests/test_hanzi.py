"""The Chinese-character test the scan steps share (extractor/hanzi.py)."""

from extractor.hanzi import all_han, count_han, is_han


def test_chinese_characters_and_others():
    assert is_han("事") and is_han("一") and is_han("\u9fff")
    assert not any(is_han(c) for c in "1.a，（〇:")  # digits, Latin, full-width punctuation, 〇 (U+3007)
    assert all_han("海市普陀区") and not all_han("事业1") and not all_han("收入。")
    assert count_han("目213.28") == 1 and count_han("三公经费") == 4 and count_han("") == 0
