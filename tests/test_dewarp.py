"""A curled page's bowed rules are measured and laid level; a flat page is left alone."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from extractor.dewarp import bowed_rules, flatten
from tests.scan_support import curl, full_rows, table_page


@pytest.mark.parametrize("bow", [0.015, 0.025])
def test_a_curled_table_is_laid_level(bow):
    curled = curl(table_page(), bow)
    curves = bowed_rules(curled)
    assert len(curves) >= 20
    assert full_rows(curled) < 20  # bowed, many rules are found only in pieces
    assert full_rows(flatten(curled, curves)) == 26  # every row rule whole again


def test_a_strong_curl_is_mostly_undone():
    curled = curl(table_page(), 0.035)  # 70 px in the middle of the page, 105 at its foot
    before = full_rows(curled)
    assert full_rows(flatten(curled, bowed_rules(curled))) >= before + 10


def test_a_slight_bow_the_rule_finder_tolerates_stays_whole():
    curled = curl(table_page(), 0.01)
    assert full_rows(curled) == 26
    assert full_rows(flatten(curled, bowed_rules(curled))) == 26


def test_a_flat_page_is_left_alone():
    page = table_page()
    assert bowed_rules(page) == []
    # A straight rule that leans (skew) or converges (keystone) does not bow.
    assert bowed_rules(cv2.warpAffine(page, cv2.getRotationMatrix2D((700, 1000), 3.0, 1.0), (1400, 2000),
                                      borderValue=255)) == []
    src = np.float32([[0, 0], [1400, 0], [1400, 2000], [0, 2000]])
    dst = np.float32([[30, 20], [1370, 0], [1400, 2000], [0, 1980]])
    assert bowed_rules(cv2.warpPerspective(page, cv2.getPerspectiveTransform(src, dst), (1400, 2000),
                                           borderValue=255)) == []


def test_a_page_with_two_long_lines_is_no_curled_table():
    page = np.full((2000, 1400), 255, np.uint8)
    for y in (300, 1700):
        cv2.line(page, (150, y), (1250, y), 0, 2)
    assert bowed_rules(curl(page, 0.02)) == []
