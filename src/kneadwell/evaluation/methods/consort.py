"""The CONSORT 2010 flow diagram [CONSORT-2010]: enrolment (assessed, excluded with reasons, randomised),
allocation (allocated, received or not the allocated programme), follow-up (lost, discontinued) and
analysis (analysed, excluded from analysis), one column per arm. Counts in, an SVG out; no Django import.
The page shows the same counts as a table (the diagram's text alternative)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

BOX_W = 320
GAP = 30
LINE_H = 17
PAD = 10
CHAR_W = 6.8  # an average character of 13 px system sans-serif: wide enough that text stays in its box


@dataclass
class ArmFlow:
    label: str
    allocated: int = 0
    received: int = 0
    not_received: int = 0
    received_unknown: int = 0
    lost: int = 0
    discontinued: int = 0
    analysed: int = 0
    not_analysed: int = 0


@dataclass
class Flow:
    assessed: int = 0
    not_eligible: int = 0
    declined: int = 0
    excluded_other: int = 0
    awaiting: int = 0  # eligible, not yet randomised
    randomised: int = 0
    arms: list[ArmFlow] = field(default_factory=list)
    analysis: str = "intention to treat"

    @property
    def excluded(self) -> int:
        return self.not_eligible + self.declined + self.excluded_other


def _wrap(lines: Sequence[str], width: float) -> list[str]:
    """Lines broken to fit the box (an indented line keeps its indent on the lines it continues on)."""
    most = max(int((width - 2 * PAD) / CHAR_W), 12)
    out: list[str] = []
    for line in lines:
        indent = line[: len(line) - len(line.lstrip())]
        out += textwrap.wrap(line.strip(), most, initial_indent=indent, subsequent_indent=indent + "  ")
    return out


def _box(
    x: float, y: float, width: float, lines: Sequence[str], *, bold_first: bool = True
) -> tuple[str, float]:
    first = _wrap(lines[:1], width)
    lines = [*first, *_wrap(lines[1:], width)]
    height = PAD * 2 + LINE_H * len(lines)
    parts = [f'<rect x="{x:.0f}" y="{y:.0f}" width="{width:.0f}" height="{height:.0f}" rx="4" class="box"/>']
    for i, line in enumerate(lines):
        weight = ' font-weight="600"' if bold_first and i < len(first) else ""
        ty = y + PAD + LINE_H * (i + 1) - 4
        parts.append(f'<text x="{x + PAD:.0f}" y="{ty:.0f}"{weight}>{escape(line)}</text>')
    return "\n".join(parts), height


def _arrow(x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" class="flow" '
        'marker-end="url(#arrow)"/>'
    )


def svg(flow: Flow, *, title: str) -> str:
    k = max(len(flow.arms), 1)
    width = max(2 * BOX_W + 3 * GAP, k * BOX_W + (k + 1) * GAP)
    centre = width / 2
    out: list[str] = []
    y = 56.0
    box, h = _box(centre - BOX_W / 2, y, BOX_W, [f"Assessed for eligibility (n={flow.assessed})"])
    out.append(box)
    top_bottom = y + h
    excluded_lines = [
        f"Excluded (n={flow.excluded})",
        f"  Not meeting the criteria (n={flow.not_eligible})",
        f"  Declined to take part (n={flow.declined})",
        f"  Other reasons (n={flow.excluded_other})",
    ]
    if flow.awaiting:
        excluded_lines.append(f"Eligible, awaiting randomisation (n={flow.awaiting})")
    ex_x = min(centre + BOX_W / 2 + GAP / 2, width - BOX_W - 5)
    ex_y = top_bottom + 20
    box, ex_h = _box(ex_x, ex_y, BOX_W - 20, excluded_lines)
    out.append(box)
    rand_y = ex_y + ex_h + 25
    out.append(_arrow(centre, top_bottom, centre, rand_y))
    out.append(_arrow(centre, ex_y + ex_h / 2, ex_x, ex_y + ex_h / 2))
    box, h = _box(centre - BOX_W / 2, rand_y, BOX_W, [f"Randomised (n={flow.randomised})"])
    out.append(box)
    split_y = rand_y + h + 20
    out.append(
        f'<line x1="{centre:.0f}" y1="{rand_y + h:.0f}" x2="{centre:.0f}" y2="{split_y:.0f}" class="flow"/>'
    )
    column_w = (width - GAP) / k
    xs = [GAP / 2 + column_w * i + (column_w - BOX_W) / 2 for i in range(k)]
    if k > 1:
        out.append(
            f'<line x1="{xs[0] + BOX_W / 2:.0f}" y1="{split_y:.0f}" x2="{xs[-1] + BOX_W / 2:.0f}" '
            f'y2="{split_y:.0f}" class="flow"/>'
        )
    stage_y = split_y + 40
    stages = [
        (
            "Allocation",
            lambda a: [
                f"Allocated to {a.label} (n={a.allocated})",
                f"  Received the allocated programme (n={a.received})",
                f"  Did not receive it (n={a.not_received})",
                f"  Not yet recorded (n={a.received_unknown})",
            ],
        ),
        (
            "Follow-up",
            lambda a: [
                f"Lost to follow-up (n={a.lost})",
                f"Discontinued / withdrawn (n={a.discontinued})",
            ],
        ),
        (
            "Analysis",
            lambda a: [
                f"Analysed (n={a.analysed})",
                f"  Excluded from analysis (n={a.not_analysed})",
                "  (no primary outcome data)",
            ],
        ),
    ]
    bottoms = [split_y] * len(flow.arms)  # where each column's arrow starts: the box above it
    for name, lines_of in stages:
        out.append(f'<text x="4" y="{stage_y - 8:.0f}" class="stage">{escape(name)}</text>')
        heights = []
        for i, arm in enumerate(flow.arms):
            out.append(_arrow(xs[i] + BOX_W / 2, bottoms[i], xs[i] + BOX_W / 2, stage_y))
            box, h = _box(xs[i], stage_y, BOX_W, lines_of(arm))
            out.append(box)
            heights.append(h)
            bottoms[i] = stage_y + h
        stage_y += (max(heights) if heights else 40) + 25 + (15 if name == "Allocation" else 0)
    height = stage_y + 10
    style = (
        "<style>.box{fill:#fff;stroke:#55606e;stroke-width:1.2}.flow{stroke:#55606e;stroke-width:1.2}"
        "text{font:13px system-ui,sans-serif;fill:#1d2430}.stage{font-weight:700;fill:#55606e}"
        ".title{font-size:15px;font-weight:700}</style>"
    )
    marker = (
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#55606e"/></marker></defs>'
    )
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" role="img" aria-labelledby="consort-title">'
        f'<title id="consort-title">{escape(title)}: CONSORT flow diagram ({escape(flow.analysis)})</title>'
    )
    room = int(width / 9)  # characters of the 15 px bold title that fit
    shown = title if len(title) <= room else title[: room - 1].rstrip() + "…"
    caption = (
        f'<text x="4" y="20" class="title">{escape(shown)}</text>'
        f'<text x="4" y="38">CONSORT flow diagram ({escape(flow.analysis)})</text>'
    )
    return "\n".join([head, style, marker, caption, *out, "</svg>"])
