"""A character's upright stroke is not a rule: a heavy JPEG must not split a column in two."""

from __future__ import annotations

from extractor.ocr import without_strokes

# A header line "科目编码" read across x 160-227, y 181-206 (pixels), in a cell ruled at x 80 and
# 307 from y 174 down the page; a row below it, and a vertical rule between two cells of a line.
HEADER = [(160, 181), (227, 181), (227, 206), (160, 206)]
ROW = [(83, 240), (380, 240), (380, 262), (83, 262)]


def test_a_stroke_inside_a_line_and_no_taller_is_dropped():
    rules = [(80, 174, 80, 1093), (307, 174, 307, 1093),  # the column rules, down the table
             (174, 182, 174, 203), (190, 183, 190, 203),  # strokes of 科 and 目
             (82, 174, 760, 174)]  # a horizontal rule is never a stroke
    assert without_strokes(rules, [HEADER, ROW]) == [(80, 174, 80, 1093), (307, 174, 307, 1093),
                                                     (82, 174, 760, 174)]


def test_a_rule_through_a_line_that_runs_past_it_is_kept():
    # OCR read two cells as one line across their rule: the rule runs past the line's box.
    through = (300, 170, 300, 280)
    assert without_strokes([through], [ROW]) == [through]
    # A short header rule from the cell's top to its bottom rule: taller than the text.
    header_rule = (200, 174, 200, 212)
    assert without_strokes([header_rule], [HEADER]) == [header_rule]


def test_a_rule_at_a_line_box_edge_is_kept():
    edge = (161, 182, 161, 204)  # where the box begins: a cell's rule the detector's box reached
    assert without_strokes([edge], [HEADER]) == [edge]
    assert without_strokes([(190, 183, 190, 203)], []) == [(190, 183, 190, 203)]
