"""Small server-side SVG charts (line and bar) for printed pages and PDFs.

The interactive pages draw with Plotly; a printed report must not depend on JavaScript
having run before the print, so it gets plain SVG written here: axes with "nice" ticks,
a legend, every text escaped. Values of ``None`` are gaps (no data), never zeros.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

FONT = "'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
PALETTE = ("#2563eb", "#16a34a", "#d97706", "#b42318", "#7c3aed", "#0891b2")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    color: str = ""
    dashed: bool = False


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering [low, high] (steps of 1, 2, 2.5 or 5 × 10ⁿ)."""
    if high < low:
        low, high = high, low
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9) * step  # 4.52 / 0.02 is 225.999… in floats
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def _fmt_default(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")


@dataclass(frozen=True)
class _Frame:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int

    @property
    def plot_w(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> float:
        return self.height - self.top - self.bottom


def _open(frame: _Frame, title: str) -> list[str]:
    label = escape(title, quote=True)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{label}" '
        f'viewBox="0 0 {frame.width} {frame.height}" width="{frame.width}" '
        f'height="{frame.height}" font-family="{escape(FONT, quote=True)}" font-size="11">',
        f"<title>{escape(title)}</title>",
    ]


def _text_width(text: str) -> float:
    """About how wide ``text`` is at the charts' 11 px: a CJK character is square, Latin
    letters and digits about half as wide (so an English legend does not leave gaps)."""
    return sum(11.5 if ord(c) >= 0x2E80 else 6.5 for c in text)


def _legend(
    series: Sequence[Series], colors: list[str], frame: _Frame, partial_note: str = ""
) -> list[str]:
    out = []
    x = frame.left
    for s, color in zip(series, colors, strict=True):
        dash = ' stroke-dasharray="5 3"' if s.dashed else ""
        out.append(
            f'<line x1="{x}" y1="10" x2="{x + 18}" y2="10" stroke="{color}" '
            f'stroke-width="3"{dash}/>'
        )
        out.append(f'<text x="{x + 22}" y="14" fill="#334155">{escape(s.name)}</text>')
        x += 30 + max(round(_text_width(s.name)), 48)
    if partial_note:
        # What a dashed stretch ending in a hollow point means (see line_chart).
        out.append(
            f'<g class="partial-note"><line x1="{x}" y1="10" x2="{x + 18}" y2="10" '
            f'stroke="#64748b" stroke-width="2" stroke-dasharray="4 3"/>'
            f'<circle cx="{x + 18}" cy="10" r="3.5" fill="#fff" stroke="#64748b" '
            f'stroke-width="1.5"/>'
            f'<text x="{x + 26}" y="14" fill="#334155">{escape(partial_note)}</text></g>'
        )
    return out


def _y_axis(
    ticks: list[float], y: Callable[[float], float], frame: _Frame, fmt: Callable[[float], str]
) -> list[str]:
    out = []
    for t in ticks:
        py = y(t)
        out.append(
            f'<line x1="{frame.left}" y1="{py:.1f}" x2="{frame.width - frame.right}" '
            f'y2="{py:.1f}" stroke="#e2e8f0"/>'
        )
        out.append(
            f'<text x="{frame.left - 6}" y="{py + 4:.1f}" text-anchor="end" '
            f'fill="#64748b">{escape(fmt(t))}</text>'
        )
    return out


def _x_labels(labels: Sequence[str], xs: list[float], frame: _Frame) -> list[str]:
    every = max(1, math.ceil(len(labels) / max(1, int(frame.plot_w // 48))))
    return [
        f'<text x="{x:.1f}" y="{frame.height - frame.bottom + 16}" text-anchor="middle" '
        f'fill="#64748b">{escape(label)}</text>'
        for i, (label, x) in enumerate(zip(labels, xs, strict=True))
        if i % every == 0
    ]


def _colors(series: Sequence[Series]) -> list[str]:
    return [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]


def _pieces(
    points: list[tuple[int, str]], dashed: bool, partial: Sequence[bool]
) -> list[tuple[list[str], bool]]:
    """A run of drawn points cut where the style changes: a stretch into or out of a partial
    part is dashed; returns (points, dashed) pieces that share their end points."""
    if len(points) == 1:
        return [([points[0][1]], dashed)]
    out: list[tuple[list[str], bool]] = []
    for (i, a), (j, b) in itertools.pairwise(points):
        style = dashed or bool(partial and (partial[i] or partial[j]))
        if out and out[-1][1] == style:
            out[-1][0].append(b)
        else:
            out.append(([a, b], style))
    return out


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str = "",
    width: int = 640,
    height: int = 240,
    fmt: Callable[[float], str] = _fmt_default,
    zero_based: bool = False,
    y_range: tuple[float, float] | None = None,
    partial: Sequence[bool] = (),
    partial_note: str = "",
) -> str:
    """Lines over categorical x ``labels``; a ``None`` breaks the line (no data there).

    ``y_range`` fixes the axis (ticks only inside it) instead of fitting it to the values,
    so small wobbles do not fill the height. ``partial`` flags the labels whose figures
    cover less than a whole part (a week or month cut short): their points are hollow, the
    stretches to them dashed, and ``partial_note`` explains it in the legend.
    """
    frame = _Frame(width, height, left=56, right=16, top=28, bottom=28)
    present = [v for s in series for v in s.values if v is not None]
    if not present:
        return _empty(frame, title)
    if y_range is not None:
        lo, hi = y_range
        ticks = [t for t in nice_ticks(lo, hi) if lo - 1e-9 <= t <= hi + 1e-9]
    else:
        ticks = nice_ticks(0.0 if zero_based else min(present), max(present))
        lo, hi = ticks[0], ticks[-1]
    n = len(labels)
    if partial and len(partial) != n:
        raise ValueError(f"{len(partial)} partial flags for {n} labels")
    xs = [frame.left + frame.plot_w * (i + 0.5) / n for i in range(n)]

    def y(v: float) -> float:
        return frame.top + frame.plot_h * (1 - (v - lo) / (hi - lo))

    colors = _colors(series)
    out = _open(frame, title) + _y_axis(ticks, y, frame, fmt) + _x_labels(labels, xs, frame)
    for s, color in zip(series, colors, strict=True):
        runs: list[list[tuple[int, str]]] = []
        run: list[tuple[int, str]] = []
        for i, (x, v) in enumerate(zip(xs, s.values, strict=True)):
            if v is None:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append((i, f"{x:.1f},{y(v):.1f}"))
        if run:
            runs.append(run)
        for points in runs:
            for piece, dashed in _pieces(points, s.dashed, partial):
                dash = ' stroke-dasharray="5 3"' if dashed else ""
                out.append(
                    f'<polyline points="{" ".join(piece)}" fill="none" stroke="{color}" '
                    f'stroke-width="2"{dash}/>'
                )
        if not s.dashed:
            for i, (x, v) in enumerate(zip(xs, s.values, strict=True)):
                if v is None:
                    continue
                if partial and partial[i]:
                    out.append(
                        f'<circle class="partial" cx="{x:.1f}" cy="{y(v):.1f}" r="3.5" '
                        f'fill="#fff" stroke="{color}" stroke-width="1.5"/>'
                    )
                else:
                    out.append(f'<circle cx="{x:.1f}" cy="{y(v):.1f}" r="2.5" fill="{color}"/>')
    out += _legend(series, colors, frame, partial_note if any(partial) else "")
    out.append("</svg>")
    return "\n".join(out)


def bar_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str = "",
    width: int = 640,
    height: int = 240,
    fmt: Callable[[float], str] = _fmt_default,
    show_values: bool = False,
) -> str:
    """Vertical bars, grouped when there are several series; the axis starts at zero."""
    frame = _Frame(width, height, left=56, right=16, top=28, bottom=28)
    present = [v for s in series for v in s.values if v is not None]
    if not present:
        return _empty(frame, title)
    ticks = nice_ticks(min(0.0, min(present)), max(0.0, max(present)))
    lo, hi = ticks[0], ticks[-1]

    def y(v: float) -> float:
        return frame.top + frame.plot_h * (1 - (v - lo) / (hi - lo))

    n = len(labels)
    slot = frame.plot_w / n
    xs = [frame.left + slot * (i + 0.5) for i in range(n)]
    bar = slot * 0.8 / len(series)
    colors = _colors(series)
    out = _open(frame, title) + _y_axis(ticks, y, frame, fmt) + _x_labels(labels, xs, frame)
    for k, (s, color) in enumerate(zip(series, colors, strict=True)):
        for i, v in enumerate(s.values):
            if v is None:
                continue
            x = frame.left + slot * i + slot * 0.1 + bar * k
            top, base = y(max(v, 0.0)), y(min(v, 0.0))
            out.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{bar:.1f}" '
                f'height="{max(base - top, 0.5):.1f}" fill="{color}"/>'
            )
            if show_values:
                out.append(
                    f'<text x="{x + bar / 2:.1f}" y="{top - 3:.1f}" text-anchor="middle" '
                    f'fill="#334155">{escape(fmt(v))}</text>'
                )
    if len(series) > 1:
        out += _legend(series, colors, frame)
    out.append("</svg>")
    return "\n".join(out)


def funnel_chart(
    labels: Sequence[str],
    counts: Sequence[int],
    notes: Sequence[str],
    *,
    title: str = "",
    width: int = 640,
    row_height: int = 34,
) -> str:
    """Horizontal bars centred on one axis, widest first; each bar's width is its count ÷
    the largest count (a small step still gets a visible sliver). ``notes`` go to the right."""
    label_w, note_w = 150, 180
    height = row_height * len(labels) + 12
    frame = _Frame(width, height, left=label_w, right=note_w, top=6, bottom=6)
    if not any(counts):
        return _empty(frame, title)
    biggest = max(counts)
    centre = frame.left + frame.plot_w / 2
    out = _open(frame, title)
    for i, (label, count, note) in enumerate(zip(labels, counts, notes, strict=True)):
        w = max(frame.plot_w * count / biggest, 3.0)
        top = frame.top + i * row_height
        mid = top + row_height / 2
        out.append(
            f'<rect x="{centre - w / 2:.1f}" y="{top + 3}" width="{w:.1f}" '
            f'height="{row_height - 6}" rx="3" fill="{PALETTE[i % len(PALETTE)]}"/>'
        )
        out.append(
            f'<text x="{frame.left - 8}" y="{mid + 4:.1f}" text-anchor="end" '
            f'fill="#334155">{escape(label)}</text>'
        )
        out.append(
            f'<text x="{width - note_w + 8}" y="{mid + 4:.1f}" fill="#0f172a">'
            f"{escape(f'{count:,}')}  {escape(note)}</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


def _empty(frame: _Frame, title: str) -> str:
    dash = (
        f'<text x="{frame.width / 2}" y="{frame.height / 2}" text-anchor="middle" '
        f'fill="#64748b">—</text>'
    )
    return "\n".join([*_open(frame, title), dash, "</svg>"])
