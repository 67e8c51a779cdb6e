"""A rendered PDF → what an office scanner makes of its printout: JPEG page images, no text layer.

Per page: raster at 150–300 dpi, grey or colour, a skew of up to ±3°, blur, sensor noise, uneven
brightness and JPEG artefacts; a red round seal (公章) stamped over part of 表1 and over the
整体绩效目标表; landscape pages fed through the scanner upright, i.e. stored rotated by 90°.
Everything is drawn from ``seed``, so the same input and seed give the same bytes.

With ``severity`` (0..1 or mild/moderate/harsh) the page goes through the wider family of
``degrade.py`` instead (dpi 120–300, skew ±4° on portrait and landscape pages, keystone, speckle,
bleed-through, seals over numbers, uneven light, JPEG 40–90; ``phone`` for a photographed page).
Without it the original scanner above runs unchanged: samples/*.scan.pdf are its output.
"""

from __future__ import annotations

import math
import re

import cv2
import numpy as np
import pymupdf

from .pdf import font_for

SEAL_RED = np.array([40, 30, 215], dtype=np.float32)  # BGR of stamp-pad ink


def scan_pdf(data: bytes, seed: int = 0, dpi: int | None = None, colour: bool | None = None,
             quality: int | None = None, pages: list[int] | None = None,
             severity: float | str | None = None, phone: bool = False, off: tuple[str, ...] = (),
             bilevel: bool = False) -> bytes:
    """Scan the pages of a PDF (all, or the 0-based `pages`); None parameters are drawn from the seed.

    A `severity` (or `phone`, `bilevel`) selects the severity family (see degrade.py); dpi, colour and quality
    then come from the severity unless given; `off` names effects left out (degrade.EFFECTS).
    """
    if severity is not None or phone or bilevel:
        return scan_severity(data, 0.5 if severity is None else severity, seed, phone=phone, pages=pages,
                             dpi=dpi, colour=colour, quality=quality, off=off, bilevel=bilevel)
    rng = np.random.default_rng(seed)
    src = pymupdf.open("pdf", data)
    dpi = dpi or int(rng.choice([150, 200, 240, 300]))
    colour = bool(rng.random() < 0.5) if colour is None else colour
    quality = quality or int(rng.integers(35, 70))
    unit = _unit_name(src)
    seal_pages = _seal_targets(src)
    out = pymupdf.open()
    rotated_one = False
    for page in src:
        if pages is not None and page.number not in pages:
            continue
        img = _raster(page, dpi)
        for rect in seal_pages.get(page.number, []):
            img = _stamp(img, rect, dpi, unit, rng)
        img = _degrade(img, rng)
        if page.rect.width > page.rect.height and (not rotated_one or rng.random() < 0.6):
            # The landscape sheet went through the feeder upright: the image is portrait.
            img = np.ascontiguousarray(np.rot90(img, 1 if rng.random() < 0.5 else -1))
            rotated_one = True
        if not colour:
            img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        ok, jpeg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
        assert ok
        h, w = img.shape[:2]
        new = out.new_page(width=w * 72 / dpi, height=h * 72 / dpi)
        new.insert_image(new.rect, stream=jpeg.tobytes())
    return out.tobytes(garbage=4, deflate=True, no_new_id=True)


def _unit_name(doc: pymupdf.Document) -> str:
    for page in doc:
        match = re.search(r"编制(?:单位|部门)：\s*(\S+)", page.get_text())
        if match:
            return match.group(1)
    return "预算单位"


def _seal_targets(doc: pymupdf.Document) -> dict[int, list[pymupdf.Rect]]:
    """Where stamps go: the lower right of 表1's grid and the 单位名称（盖章） cell."""
    targets: dict[int, list[pymupdf.Rect]] = {}
    for page in doc:
        text = page.get_text()
        if "收支总体情况表" in text and "收入总计" in text.replace(" ", ""):
            hits = page.search_for("预算数")
            if hits:
                r = page.rect
                targets.setdefault(page.number, []).append(
                    pymupdf.Rect(r.width * 0.55, r.height * 0.55, r.width * 0.9, r.height * 0.8))
        for hit in page.search_for("（盖章）")[:1]:
            targets.setdefault(page.number, []).append(pymupdf.Rect(hit.x1, hit.y0 - 40, hit.x1 + 160, hit.y1 + 40))
    return targets


def _raster(page: pymupdf.Page, dpi: int) -> np.ndarray:
    pix = page.get_pixmap(dpi=dpi, alpha=False, colorspace=pymupdf.csRGB)
    img = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, 3)
    return cv2.cvtColor(img, cv2.COLOR_RGB2BGR)


def _seal_mask(diameter: int, text: str) -> np.ndarray:
    """Ink coverage (0..1) of a round official seal: ring, star and the unit's name on the arc."""
    size = diameter / 2
    doc = pymupdf.open()
    page = doc.new_page(width=2 * size, height=2 * size)
    shape = page.new_shape()
    centre = pymupdf.Point(size, size)
    shape.draw_circle(centre, size * 0.93)
    shape.finish(width=size * 0.07, color=(0, 0, 0))
    star = [pymupdf.Point(size + size * (0.28 if i % 2 == 0 else 0.11) * math.sin(i * math.pi / 5),
                          size - size * (0.28 if i % 2 == 0 else 0.11) * math.cos(i * math.pi / 5)) for i in range(10)]
    shape.draw_polyline(star + [star[0]])
    shape.finish(color=(0, 0, 0), fill=(0, 0, 0))
    shape.commit()
    page.insert_font(fontname="cjk", fontbuffer=font_for("sans").buffer)
    chars = list(text[:18])
    fs = size * 0.24
    span = min(250.0, 18.0 * len(chars))
    for i, ch in enumerate(chars):
        angle = -span / 2 + span * (i + 0.5) / max(len(chars), 1)
        rad = math.radians(angle)
        point = pymupdf.Point(size + (size * 0.62) * math.sin(rad), size - (size * 0.62) * math.cos(rad))
        matrix = pymupdf.Matrix(-angle)  # PDF angles run counter-clockwise
        page.insert_text(point + (-fs / 2, fs / 2), ch, fontname="cjk", fontsize=fs,
                         morph=(point, matrix))
    pix = page.get_pixmap(alpha=False, colorspace=pymupdf.csGRAY)
    grey = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width)
    return 1.0 - grey.astype(np.float32) / 255.0


def _stamp(img: np.ndarray, rect: pymupdf.Rect, dpi: int, unit: str, rng: np.random.Generator) -> np.ndarray:
    scale = dpi / 72
    diameter = int(rng.uniform(110, 130) * scale)
    mask = _seal_mask(diameter, unit)
    mask = cv2.resize(mask, (diameter, diameter))
    # Stamp-pad ink is patchy: modulate the coverage with smooth noise.
    patch = cv2.GaussianBlur(rng.random((diameter, diameter)).astype(np.float32), (0, 0), diameter / 25)
    patch = (patch - patch.min()) / (np.ptp(patch) + 1e-6)
    mask = mask * (0.55 + 0.45 * patch)
    angle = float(rng.uniform(-25, 25))
    matrix = cv2.getRotationMatrix2D((diameter / 2, diameter / 2), angle, 1.0)
    mask = cv2.warpAffine(mask, matrix, (diameter, diameter))
    h, w = img.shape[:2]
    x = int(rng.uniform(rect.x0, max(rect.x0 + 1, rect.x1 - 120)) * scale)
    y = int(rng.uniform(rect.y0, max(rect.y0 + 1, rect.y1 - 120)) * scale)
    x, y = max(0, min(x, w - diameter)), max(0, min(y, h - diameter))
    region = img[y:y + diameter, x:x + diameter].astype(np.float32)
    m = mask[: region.shape[0], : region.shape[1], None] * 0.9
    # Ink multiplies: dark print stays dark under the red.
    region = region * (1 - m) + (region * SEAL_RED / 255.0) * m
    img = img.copy()
    img[y:y + diameter, x:x + diameter] = np.clip(region, 0, 255).astype(np.uint8)
    return img


def _degrade(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    out = img.astype(np.float32)
    # Uneven brightness: a tilted plane plus a soft vignette, as from a lid not closed flat.
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    gx, gy = rng.uniform(-0.08, 0.08, size=2)
    field = 1 + gx * (xx / w - 0.5) + gy * (yy / h - 0.5)
    field -= rng.uniform(0.0, 0.08) * (((xx / w - 0.5) ** 2 + (yy / h - 0.5) ** 2) * 2)
    paper = rng.uniform(228, 250)
    out = out * (paper / 255.0) * field[..., None]
    # Skew: the sheet lay slightly crooked on the glass.
    angle = float(rng.uniform(-3, 3))
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    border = tuple(float(paper * 0.97) for _ in range(3))
    out = cv2.warpAffine(out, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=border)
    out = cv2.GaussianBlur(out, (0, 0), float(rng.uniform(0.4, 1.1)))
    out += rng.normal(0, rng.uniform(2.5, 7.0), size=out.shape).astype(np.float32)
    # Dust: a few dark specks.
    for _ in range(int(rng.integers(5, 40))):
        cx, cy = int(rng.integers(0, w)), int(rng.integers(0, h))
        cv2.circle(out, (cx, cy), int(rng.integers(1, 3)), (60.0, 60.0, 60.0), -1)
    return np.clip(out, 0, 255).astype(np.uint8)


NUMBER = re.compile(r"^-?[\d,]*\d\.\d+$|^\d{3,}$")


def scan_severity(data: bytes, severity: float | str, seed: int = 0, phone: bool = False,
                  pages: list[int] | None = None, dpi: int | None = None, colour: bool | None = None,
                  quality: int | None = None, off: tuple[str, ...] = (), log: list | None = None,
                  bilevel: bool = False) -> bytes:
    """Scan with the severity family: each page's damage drawn from (seed, severity); same in, same bytes.

    log, when given, receives each page's Damage as a dict (what the page went through).
    """
    from dataclasses import replace

    from . import degrade

    level = degrade.parse_severity(severity)
    rng = np.random.default_rng([seed, int(round(level * 1000)), int(phone)])
    src = pymupdf.open("pdf", data)
    unit = _unit_name(src)
    out = pymupdf.open()
    for page in src:
        if pages is not None and page.number not in pages:
            continue
        damage = degrade.draw_damage(level, rng, phone=phone, landscape=page.rect.width > page.rect.height,
                                     bilevel=bilevel)
        fixed = {k: v for k, v in (("dpi", dpi), ("colour", colour), ("quality", quality)) if v is not None}
        damage = degrade.without(replace(damage, **fixed), off)
        if log is not None:
            log.append({k: round(v, 4) if isinstance(v, float) else v for k, v in damage.as_dict().items()})
        img = _raster(page, damage.dpi)
        back = page.number ^ 1  # the other side of the printed sheet
        if damage.bleed > 0 and back < len(src):
            img = degrade.bleed_through(img, cv2.cvtColor(_raster(src[back], damage.dpi), cv2.COLOR_BGR2GRAY),
                                        damage.bleed)
        img = _seals_over_numbers(img, page, damage, unit, rng)
        img = degrade.lighting(img, damage, rng)
        img = degrade.geometry(img, damage, rng)
        img = degrade.sensor(img, damage, rng)
        if damage.landscape_upright:  # fed through upright: the stored image is portrait
            img = np.ascontiguousarray(np.rot90(img, 1 if rng.random() < 0.5 else -1))
        h, w = img.shape[:2]
        new = out.new_page(width=w * 72 / damage.dpi, height=h * 72 / damage.dpi)
        new.insert_image(new.rect, stream=degrade.encode(img, damage))
    return out.tobytes(garbage=4, deflate=True, no_new_id=True)


def _seals_over_numbers(img: np.ndarray, page: pymupdf.Page, damage, unit: str,
                        rng: np.random.Generator) -> np.ndarray:
    """Seals centred on printed amounts of the page, the way a stamp lands on a table's figures."""
    from . import degrade

    numbers = [w for w in page.get_text("words") if NUMBER.match(w[4])]
    if not damage.seals or not numbers:
        return img
    scale = damage.dpi / 72
    for i in rng.choice(len(numbers), size=min(damage.seals, len(numbers)), replace=False):
        x0, y0, x1, y1 = numbers[int(i)][:4]
        d = int(rng.uniform(110, 130) * scale)
        mask = cv2.resize(_seal_mask(d, unit), (d, d))
        # Rotated pages: words are in the unrotated frame; the raster is in the rotated one.
        centre = pymupdf.Point((x0 + x1) / 2, (y0 + y1) / 2) * page.rotation_matrix
        img = degrade.stamp(img, (centre.x * scale, centre.y * scale), mask, rng)
    return img
