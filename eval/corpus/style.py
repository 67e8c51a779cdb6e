"""Rendering styles: the knobs in which real Excel/WPS exports from different offices differ.

A style is drawn from its number, so `--style N` is reproducible; nothing downstream may rely on
any particular value, which is the point of varying them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Literal


@dataclass(frozen=True)
class Style:
    number: int
    font: Literal["sans", "serif"]
    table_size: float  # body text of tables, pt
    header_size: float  # table header text, pt
    text_size: float  # prose, pt
    title_size: float  # table titles, pt
    line_width: float  # inner rules, pt
    frame_width: float  # outer frame, pt
    margin: tuple[float, float, float, float]  # left, top, right, bottom, pt
    col_jitter: float  # relative random change of column weights
    pad: float  # cell padding, pt
    row_min: float  # minimal body row height, as a multiple of the font size
    code_layout: Literal["split", "joined"]  # 类/款/项 in three columns or one
    t1_code_cell: Literal["together", "apart"]  # "201 一般公共服务支出" in one cell or two
    total_position: Literal["bottom", "top"]
    total_spans_codes: bool  # the 合计 label merged over the code and name columns
    serial_row: bool  # the "※ ※ 1 2 3" column-number row under the header
    repeat_header: bool  # continuation pages repeat the table header
    repeat_caption: bool  # continuation pages repeat the 编制单位 line
    table_per_page: bool  # every table starts a new page
    number_align: Literal["right", "center"]
    label_position: Literal["left", "center"]  # the "表N" label
    spaced_labels: bool  # "合 计", "收 入 总 计" with spaces between the characters
    page_numbers: Literal["dash", "plain", "none"]
    cover: bool  # a cover page with the 目录
    note_inside: bool  # the 备注 of an empty table as a merged row inside the frame


def style_for(number: int) -> Style:
    """The style numbered `number`; 0 is a plain, common layout, others are drawn at random."""
    if number == 0:
        return _BASE
    rng = random.Random(f"style-{number}")
    size = rng.choice([7.0, 7.5, 8.0, 8.5, 9.0])
    return replace(
        _BASE,
        number=number,
        font=rng.choice(["sans", "serif"]),
        table_size=size,
        header_size=size + rng.choice([0.0, 0.5, 1.0]),
        text_size=rng.choice([10.5, 11.0, 12.0]),
        title_size=rng.choice([14.0, 15.0, 16.0, 18.0]),
        line_width=rng.choice([0.4, 0.5, 0.6, 0.75, 1.0]),
        frame_width=rng.choice([0.5, 0.75, 1.0, 1.5]),
        margin=(
            rng.uniform(36, 80), rng.uniform(40, 80), rng.uniform(36, 80), rng.uniform(40, 80),
        ),
        col_jitter=rng.uniform(0.0, 0.35),
        pad=rng.uniform(1.5, 3.5),
        row_min=rng.uniform(1.6, 2.4),
        code_layout=rng.choice(["split", "split", "joined"]),
        t1_code_cell=rng.choice(["together", "apart"]),
        total_position=rng.choice(["bottom", "bottom", "top"]),
        total_spans_codes=rng.random() < 0.6,
        serial_row=rng.random() < 0.3,
        repeat_header=rng.random() < 0.5,
        repeat_caption=rng.random() < 0.4,
        table_per_page=rng.random() < 0.8,
        number_align=rng.choice(["right", "right", "center"]),
        label_position=rng.choice(["left", "center"]),
        spaced_labels=rng.random() < 0.5,
        page_numbers=rng.choice(["dash", "plain", "none"]),
        cover=rng.random() < 0.5,
        note_inside=rng.random() < 0.3,
    )


_BASE = Style(
    number=0,
    font="serif",
    table_size=8.0,
    header_size=8.5,
    text_size=11.0,
    title_size=16.0,
    line_width=0.5,
    frame_width=1.0,
    margin=(56.0, 56.0, 56.0, 56.0),
    col_jitter=0.0,
    pad=2.5,
    row_min=2.0,
    code_layout="split",
    t1_code_cell="together",
    total_position="bottom",
    total_spans_codes=True,
    serial_row=False,
    repeat_header=True,
    repeat_caption=False,
    table_per_page=True,
    number_align="right",
    label_position="left",
    spaced_labels=True,
    page_numbers="dash",
    cover=True,
    note_inside=False,
)
