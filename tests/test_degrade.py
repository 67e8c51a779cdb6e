"""The severity family of the scan simulator: reproducible, monotone in damage, each effect doing what it says."""

from __future__ import annotations

import cv2
import numpy as np
import pymupdf
import pytest

from eval.corpus import degrade
from eval.corpus.scan import _seals_over_numbers, scan_pdf, scan_severity


def _table_pdf(landscape: bool = False) -> bytes:
    """A small ruled table of amounts (no CJK font needed)."""
    doc = pymupdf.open()
    w, h = (420, 300) if landscape else (300, 420)
    page = doc.new_page(width=w, height=h)
    for i in range(6):
        y = 60 + i * 30
        page.draw_line((30, y), (w - 30, y), width=0.8)
        if i < 5:
            page.insert_text((40, y + 20), f"20{i}01", fontsize=10)
            page.insert_text((150, y + 20), f"{1234.5 * (i + 1):,.2f}", fontsize=10)
    for x in (30, 140, w - 30):
        page.draw_line((x, 60), (x, 210), width=0.8)
    return doc.tobytes()


def _page_image(pdf: bytes) -> np.ndarray:
    doc = pymupdf.open("pdf", pdf)
    xref = doc[0].get_images()[0][0]
    img = cv2.imdecode(np.frombuffer(doc.extract_image(xref)["image"], np.uint8), cv2.IMREAD_GRAYSCALE)
    return img


def test_same_seed_and_severity_give_the_same_bytes() -> None:
    data = _table_pdf()
    a = scan_pdf(data, seed=5, severity="moderate", dpi=100)
    assert a == scan_pdf(data, seed=5, severity=0.5, dpi=100)
    assert a != scan_pdf(data, seed=6, severity=0.5, dpi=100)
    assert a != scan_pdf(data, seed=5, severity=0.6, dpi=100)
    assert scan_pdf(data, seed=5, phone=True, dpi=100) == scan_pdf(data, seed=5, phone=True, dpi=100)


def test_damage_grows_with_severity() -> None:
    data = _table_pdf()
    clean = pymupdf.open("pdf", data)[0].get_pixmap(dpi=100, colorspace=pymupdf.csGRAY)
    clean = np.frombuffer(clean.samples, np.uint8).reshape(clean.height, clean.width).astype(np.float32)
    means = []
    for level in (0.0, "mild", "moderate", "harsh"):
        diffs = []
        for seed in range(8):
            img = _page_image(scan_pdf(data, seed=seed, severity=level, dpi=100)).astype(np.float32)
            # Paper tone is drawn at every severity alike: compare against the page's own white.
            diffs.append(np.abs(img * 255 / np.median(img) - clean).mean())
        means.append(float(np.mean(diffs)))
    assert means == sorted(means), means
    assert means[-1] > means[1] + 5 and means[1] > 5 * means[0]


def test_named_levels_and_bad_values() -> None:
    assert [degrade.parse_severity(n) for n in ("mild", "moderate", "harsh")] == [0.25, 0.5, 0.85]
    assert degrade.parse_severity("0.3") == 0.3
    for bad in ("1.5", "awful", -0.1):
        with pytest.raises(ValueError):
            degrade.parse_severity(bad)


def test_drawn_parameters_stay_in_their_ranges() -> None:
    rng = np.random.default_rng(0)
    for level in (0.0, 0.5, 1.0):
        for _ in range(50):
            d = degrade.draw_damage(level, rng, landscape=True)
            assert 120 <= d.dpi <= 300 and abs(d.skew) <= 4 and 40 <= d.quality <= 90
            assert d.keystone <= 0.025 and d.speckle <= 0.003 and d.bleed <= 0.22
    at_zero = degrade.draw_damage(0.0, rng)
    assert (at_zero.dpi, at_zero.skew, at_zero.keystone, at_zero.quality) == (300, 0.0, 0.0, 90)
    # Landscape pages are scanned both ways: fed upright (stored turned) and lying landscape.
    upright = {degrade.draw_damage(0.5, rng, landscape=True).landscape_upright for _ in range(40)}
    assert upright == {True, False}


def _dots(h: int = 200, w: int = 160, inset: int = 20) -> tuple[np.ndarray, list[tuple[int, int]]]:
    img = np.full((h, w, 3), 255, np.uint8)
    corners = [(inset, inset), (w - inset, inset), (w - inset, h - inset), (inset, h - inset)]
    for x, y in corners:
        cv2.circle(img, (x, y), 3, (0, 0, 0), -1)
    return img, corners


def _dot_centres(img: np.ndarray) -> list[tuple[float, float]]:
    grey = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    n, _, _, centroids = cv2.connectedComponentsWithStats((grey < 128).astype(np.uint8))
    return sorted((tuple(c) for c in centroids[1:]), key=lambda c: (c[1] > grey.shape[0] / 2, c[0]))


def test_keystone_moves_the_corners_unevenly() -> None:
    img, _ = _dots()
    rng = np.random.default_rng(1)
    assert np.array_equal(degrade.geometry(img, degrade.Damage(), rng), img)  # off: untouched
    before = np.array(_dot_centres(img))
    after = np.array(_dot_centres(degrade.geometry(img, degrade.Damage(keystone=0.05), rng)))
    shift = after - before
    assert np.abs(shift).max() > 2  # the corners moved
    assert np.ptp(shift, axis=0).max() > 2  # and not all alike: a perspective, not a translation


def test_speckle_adds_isolated_dots() -> None:
    white = np.full((300, 300), 255, np.uint8)
    out = degrade.speckle(white, 0.002, np.random.default_rng(2))
    dark = (out < 128).astype(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    sizes = stats[1:, cv2.CC_STAT_AREA]
    assert n - 1 > 50 and np.median(sizes) == 1
    assert np.array_equal(degrade.speckle(white, 0.0, np.random.default_rng(2)), white)


def test_bleed_through_is_faint_and_mirrored() -> None:
    front = np.full((100, 200, 3), 255, np.uint8)
    back = np.full((100, 200), 255, np.uint8)
    back[:, :60] = 0  # the back page prints on its left: seen from the front, on the right
    out = cv2.cvtColor(degrade.bleed_through(front, back, 0.15), cv2.COLOR_BGR2GRAY).astype(int)
    assert out[:, 150:].mean() < 240 and out.min() >= 255 * 0.85 - 2  # visible, but faint
    assert out[:, :100].mean() > 253  # the left of the front stays clean


def test_seals_land_on_printed_numbers() -> None:
    page = pymupdf.open("pdf", _table_pdf())[0]
    pix = page.get_pixmap(dpi=100)
    img = cv2.cvtColor(np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, 3), cv2.COLOR_RGB2BGR)
    damage = degrade.Damage(dpi=100, seals=2)
    out = _seals_over_numbers(img, page, damage, "预算单位", np.random.default_rng(3))
    red = (out[..., 2].astype(int) - out[..., 1] > 60)
    assert red.sum() > 200
    ys, xs = np.nonzero(red)
    # Every amount sits in the grid (y 60–210 pt); the seal centres are there too.
    assert 60 * 100 / 72 < np.median(ys) < 210 * 100 / 72
    assert np.array_equal(_seals_over_numbers(img, page, degrade.Damage(dpi=100), "x", np.random.default_rng(3)), img)


def test_phone_shadow_and_uneven_light() -> None:
    grey = np.full((200, 200, 3), 255, np.uint8)
    flat = degrade.lighting(grey, degrade.Damage(), np.random.default_rng(4)).astype(float)
    lit = degrade.lighting(grey, degrade.Damage(light=0.35), np.random.default_rng(4)).astype(float)
    shaded = degrade.lighting(grey, degrade.Damage(shadow=0.45), np.random.default_rng(4)).astype(float)
    assert np.ptp(flat[..., 1]) < 1  # no light effect: one paper tone
    assert np.ptp(lit[..., 1]) > 15
    assert np.ptp(shaded[..., 1]) > 60  # a shadow darkens part of the sheet by a lot


def test_landscape_pages_keep_their_orientation_or_turn() -> None:
    data = _table_pdf(landscape=True)
    shapes = set()
    for seed in range(8):
        h, w = _page_image(scan_pdf(data, seed=seed, severity=0.5, dpi=80)).shape
        shapes.add(h > w)
    assert shapes == {True, False}  # some stored turned (portrait), some lying landscape


def test_effects_can_be_left_out_one_by_one() -> None:
    drawn = degrade.draw_damage(1.0, np.random.default_rng(7), landscape=True)
    bare = degrade.without(drawn, degrade.EFFECTS)
    assert (bare.dpi, bare.skew, bare.keystone, bare.speckle, bare.quality, bare.bleed, bare.seals) == \
        (300, 0.0, 0.0, 0.0, 90, 0.0, 0)
    assert not bare.landscape_upright
    no_bleed = degrade.without(drawn, ["bleed"])
    assert no_bleed.bleed == 0 and no_bleed.skew == drawn.skew and no_bleed.dpi == drawn.dpi
    with pytest.raises(ValueError):
        degrade.without(drawn, ["smudge"])
    data = _table_pdf()
    assert scan_pdf(data, seed=1, severity=0.5, dpi=100, off=("skew",)) != scan_pdf(data, seed=1, severity=0.5, dpi=100)


def test_bilevel_pages_are_one_bit_with_the_same_damage() -> None:
    # A black-and-white scanner's page: only black and white, stored as one bit a pixel, and the
    # same draws as the JPEG scan of that seed (so the two compare page for page).
    pdf = _table_pdf()
    log_bw: list = []
    log_jpeg: list = []
    bw = scan_pdf(pdf, seed=3, severity="moderate", bilevel=True)
    assert bw == scan_pdf(pdf, seed=3, severity="moderate", bilevel=True)
    scan_severity(pdf, "moderate", seed=3, bilevel=True, log=log_bw)
    scan_severity(pdf, "moderate", seed=3, log=log_jpeg)
    assert [{**d, "bilevel": False, "colour": False} for d in log_bw] == \
        [{**d, "colour": False} for d in log_jpeg]
    assert all(d["bilevel"] and not d["colour"] for d in log_bw)
    doc = pymupdf.open("pdf", bw)
    info = doc.extract_image(doc[0].get_images()[0][0])
    assert info["ext"] == "png" and info["bpc"] == 1
    img = _page_image(bw)
    assert set(np.unique(img)) <= {0, 255}
    assert 0.002 < (img == 0).mean() < 0.3  # the table's print survives the threshold
