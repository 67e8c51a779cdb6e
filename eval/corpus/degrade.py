"""Scan damage as a family with one severity knob: parameters drawn from a seed, image effects.

``severity`` runs from 0 (a clean 300 dpi raster, JPEG 90) to 1 (the harshest office scan):

| parameter | severity 0 | severity 1 |
|---|---|---|
| dpi | 300 | 120 |
| skew | 0° | ±4° |
| keystone (corner shift, share of the page side) | 0 | 2.5 % (phone: 7 %) |
| blur sigma (px at 300 dpi) | 0.3 | 1.6 |
| sensor noise sigma | 1 | 12 |
| salt-and-pepper speckle (share of pixels) | 0 | 0.3 % |
| JPEG quality | 90 | 40 |
| uneven light (brightness swing) | 0 | 35 % |
| bleed-through (opacity of the mirrored back page) | 0 | 22 % |
| seals stamped over printed numbers, per table page | 0 | up to 2 |

Each value is drawn between the clean end and the severity's point on the way to the harsh end
(``lerp(clean, harsh, severity * u)``, u uniform in [0.6, 1]), so a higher severity is worse on
average and never the same page twice. ``off`` names effects to leave at their clean end (an
ablation; ``turn`` keeps landscape pages lying landscape). Named levels: ``mild`` = 0.25, ``moderate`` = 0.5,
``harsh`` = 0.85. ``phone`` adds a photographed page: three times the keystone, a soft shadow
across the sheet, and a warmer, duller paper. ``bilevel`` stores the page as a black-and-white
scanner (or fax) does: one bit a pixel, thresholded where the page's own grey splits (Otsu), so a
red seal turns black and thin strokes break; the damage drawn is the same as without it. Every
choice comes from the seed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import cv2
import numpy as np

LEVELS = {"mild": 0.25, "moderate": 0.5, "harsh": 0.85}
SEAL_RED = np.array([40, 30, 215], dtype=np.float32)  # BGR of stamp-pad ink

# (clean end, harsh end) of each drawn parameter.
RANGES = {
    "dpi": (300.0, 120.0),
    "skew": (0.0, 4.0),
    "keystone": (0.0, 0.025),
    "blur": (0.3, 1.6),
    "noise": (1.0, 12.0),
    "speckle": (0.0, 0.003),
    "quality": (90.0, 40.0),
    "light": (0.0, 0.35),
    "bleed": (0.0, 0.22),
    "seals": (0.0, 2.0),
}


def parse_severity(value: float | str) -> float:
    """A number in 0..1 or a named level (mild, moderate, harsh)."""
    if isinstance(value, str):
        key = value.strip().lower()
        if key in LEVELS:
            return LEVELS[key]
        try:
            value = float(key)
        except ValueError:
            raise ValueError(f"severity {value!r}: a number in 0..1 or one of {', '.join(LEVELS)}") from None
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"severity {value}: must lie in 0..1")
    return float(value)


@dataclass(frozen=True)
class Damage:
    """What one page goes through; every effect off when its value is 0 (or False)."""

    dpi: int = 300
    skew: float = 0.0  # degrees, signed
    keystone: float = 0.0  # largest corner shift as a share of the page side
    blur: float = 0.0  # Gaussian sigma in pixels at 300 dpi
    noise: float = 0.0  # sensor noise sigma (grey levels)
    speckle: float = 0.0  # share of pixels turned to isolated dark or white dots
    quality: int = 90  # JPEG
    light: float = 0.0  # brightness swing of the lighting field
    bleed: float = 0.0  # opacity of the back page's ink, mirrored
    seals: int = 0  # seals stamped over printed numbers
    shadow: float = 0.0  # phone photo: depth of the shadow across the sheet
    landscape_upright: bool = False  # a landscape page fed upright (stored turned 90°)
    colour: bool = True
    bilevel: bool = False  # stored one bit a pixel (black-and-white scan), not as JPEG

    def as_dict(self) -> dict:
        return asdict(self)


def draw_damage(severity: float, rng: np.random.Generator, phone: bool = False, landscape: bool = False,
                bilevel: bool = False) -> Damage:
    """One page's damage at a severity, drawn from rng (``bilevel`` draws nothing: the same pages)."""
    s = parse_severity(severity)

    def pick(name: str) -> float:
        clean, harsh = RANGES[name]
        return clean + (harsh - clean) * s * float(rng.uniform(0.6, 1.0))

    sign = 1.0 if rng.random() < 0.5 else -1.0
    keystone = pick("keystone") * (3.0 if phone else 1.0)
    return Damage(
        dpi=int(round(pick("dpi") / 10) * 10), skew=sign * pick("skew"), keystone=keystone,
        blur=pick("blur"), noise=pick("noise"), speckle=pick("speckle"), quality=int(round(pick("quality"))),
        light=pick("light"), bleed=pick("bleed"), seals=int(round(pick("seals") * float(rng.random()))),
        shadow=float(rng.uniform(0.25, 0.5)) * max(s, 0.3) if phone else 0.0,
        landscape_upright=landscape and bool(rng.random() < 0.5),
        colour=bool(phone or rng.random() < 0.5) and not bilevel, bilevel=bilevel)


EFFECTS = (*RANGES, "shadow", "turn")  # names `off` takes


def without(damage: Damage, off) -> Damage:
    """The same page with the named effects at their clean end (an ablation: the rest stays as drawn)."""
    from dataclasses import replace

    unknown = set(off) - set(EFFECTS)
    if unknown:
        raise ValueError(f"unknown effect {', '.join(sorted(unknown))}; known: {', '.join(EFFECTS)}")
    clean = {k: (int(v[0]) if k in ("dpi", "quality", "seals") else v[0]) for k, v in RANGES.items()}
    clean.update(shadow=0.0)
    changes = {k: clean[k] for k in off if k != "turn"}
    if "turn" in off:
        changes["landscape_upright"] = False
    return replace(damage, **changes)


def bleed_through(img: np.ndarray, back: np.ndarray, opacity: float) -> np.ndarray:
    """The back page's print seen through the paper: mirrored, soft and faint, under the front's ink."""
    if opacity <= 0:
        return img
    h, w = img.shape[:2]
    back = cv2.resize(np.ascontiguousarray(back[:, ::-1]), (w, h), interpolation=cv2.INTER_AREA)
    back = cv2.GaussianBlur(back.astype(np.float32), (0, 0), max(1.0, w / 1200))
    ink = 1.0 - back / 255.0  # 0 on paper, 1 on black print
    if img.ndim == 3:
        ink = ink[..., None]
    return np.clip(img.astype(np.float32) * (1.0 - opacity * ink), 0, 255).astype(np.uint8)


def stamp(img: np.ndarray, centre: tuple[float, float], mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A red seal (coverage mask 0..1, square) stamped centred on a pixel point; ink multiplies."""
    d = mask.shape[0]
    patch = cv2.GaussianBlur(rng.random((d, d)).astype(np.float32), (0, 0), d / 25)
    patch = (patch - patch.min()) / (np.ptp(patch) + 1e-6)
    rot = cv2.getRotationMatrix2D((d / 2, d / 2), float(rng.uniform(-30, 30)), 1.0)
    mask = cv2.warpAffine(mask * (0.55 + 0.45 * patch), rot, (d, d))
    h, w = img.shape[:2]
    x0, y0 = int(centre[0] - d / 2), int(centre[1] - d / 2)
    xa, ya, xb, yb = max(0, x0), max(0, y0), min(w, x0 + d), min(h, y0 + d)
    if xb <= xa or yb <= ya:
        return img
    m = mask[ya - y0:yb - y0, xa - x0:xb - x0, None] * 0.9
    region = img[ya:yb, xa:xb].astype(np.float32)
    region = region * (1 - m) + (region * SEAL_RED / 255.0) * m
    out = img.copy()
    out[ya:yb, xa:xb] = np.clip(region, 0, 255).astype(np.uint8)
    return out


def lighting(img: np.ndarray, damage: Damage, rng: np.random.Generator) -> np.ndarray:
    """Paper tone, a tilted brightness plane and vignette; for a phone photo, a shadow across the sheet."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = xx / w - 0.5, yy / h - 0.5
    gx, gy = rng.uniform(-1, 1, size=2) * damage.light
    field = 1 + gx * u + gy * v - damage.light * float(rng.uniform(0.3, 1.0)) * (u ** 2 + v ** 2) * 2
    if damage.shadow > 0:  # a soft-edged shadow of the phone or the hand over one side
        theta = float(rng.uniform(0, 2 * math.pi))
        along = u * math.cos(theta) + v * math.sin(theta) - float(rng.uniform(0.0, 0.3))
        field = field * (1 - damage.shadow / (1 + np.exp(-along / 0.06)))
    paper = float(rng.uniform(215, 235) if damage.shadow else rng.uniform(230, 250))
    tint = np.array([0.93, 0.98, 1.0], dtype=np.float32) if damage.shadow else np.ones(3, np.float32)
    out = img.astype(np.float32) * (paper / 255.0) * field[..., None] * tint
    return np.clip(out, 0, 255).astype(np.uint8)


def geometry(img: np.ndarray, damage: Damage, rng: np.random.Generator) -> np.ndarray:
    """Skew and keystone in one perspective warp; the uncovered border is the scanner lid's grey."""
    h, w = img.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    shift = rng.uniform(-1, 1, size=(4, 2)).astype(np.float32) * damage.keystone * np.float32([w, h])
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), damage.skew, 1.0)
    dst = (np.hstack([src + shift, np.ones((4, 1), np.float32)]) @ rot.T).astype(np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    border = float(np.median(img[: max(1, h // 50)]))  # the page's own top margin tone
    return cv2.warpPerspective(img, matrix, (w, h), flags=cv2.INTER_LINEAR,
                               borderValue=(border, border, border))


def sensor(img: np.ndarray, damage: Damage, rng: np.random.Generator) -> np.ndarray:
    """Blur (scaled to the dpi), Gaussian noise and salt-and-pepper speckle."""
    out = img.astype(np.float32)
    sigma = damage.blur * damage.dpi / 300
    if sigma > 0.05:
        out = cv2.GaussianBlur(out, (0, 0), sigma)
    if damage.noise > 0:
        out += rng.normal(0, damage.noise, size=out.shape).astype(np.float32)
    out = np.clip(out, 0, 255).astype(np.uint8)
    return speckle(out, damage.speckle, rng)


def speckle(img: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """Isolated dark and white dots on a share of the pixels (dust on the glass, toner spatter)."""
    if share <= 0:
        return img
    h, w = img.shape[:2]
    n = int(h * w * share)
    if n == 0:
        return img
    out = img.copy()
    ys, xs = rng.integers(0, h, size=n), rng.integers(0, w, size=n)
    dark = rng.random(n) < 0.7  # pepper shows more than salt on white paper
    out[ys[dark], xs[dark]] = rng.integers(0, 70, size=(int(dark.sum()), 1) if img.ndim == 3 else int(dark.sum()))
    out[ys[~dark], xs[~dark]] = 255
    return out


def encode(img: np.ndarray, damage: Damage) -> bytes:
    """Grey or colour, as JPEG at the page's quality; a bilevel page as a one-bit PNG."""
    if not damage.colour and img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    if damage.bilevel:
        _, img = cv2.threshold(img, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        ok, png = cv2.imencode(".png", img, [cv2.IMWRITE_PNG_BILEVEL, 1])
        assert ok
        return png.tobytes()
    ok, jpeg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, int(damage.quality)])
    assert ok
    return jpeg.tobytes()
