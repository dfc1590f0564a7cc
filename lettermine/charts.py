"""Charts for the scrutiny report: PNG images at print resolution, each with a one-line summary.

A chart is drawn only where it has at least two points; the summary says in words what the
chart shows, for screen readers (it is the image's alt text and is printed beside it) and for
anyone reading the paper in black and white. matplotlib is imported only here, inside the
functions that draw (it takes half a second to import), through its object API: no pyplot, no
global state, no display needed.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DPI = 300  # print resolution
CM = 1 / 2.54
FONT = "DejaVu Sans"  # ships with matplotlib: the same glyphs on every machine
INK, MUTED, LINE = "#1F1F1F", "#595959", "#1F3864"
RAG_COLOURS = {"red": "#C00000", "amber": "#FFC000", "green": "#00B050"}
TARGET_COLOUR = "#00B050"
MEASURE_SIZE_CM = (8.2, 4.6)  # two to a row on A4 portrait
RAG_SIZE_CM = (16.5, 5.6)


@dataclass(frozen=True)
class Chart:
    """A drawn chart: PNG bytes, its width on the page, and what it shows in one line."""

    png: bytes
    width_cm: float
    summary: str


@dataclass(frozen=True)
class MeasureSeries:
    """A measure's values over time with its baseline and target."""

    name: str
    unit: str | None
    baseline: float
    target: float
    direction: str  # "up" or "down": which way is better
    points: Sequence[tuple[dt.date, float]]


def _num(value: float, unit: str | None) -> str:
    text = f"{value:g}"
    if unit in ("%", "percent"):
        return text + "%"
    return f"{text} {unit}" if unit else text


def _month(day: dt.date) -> str:
    return f"{day.strftime('%b')} {day.year}"


def _long(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    # No Software or date stamp: the same data draws the same bytes. Light compression: the
    # flat colours of a chart compress well anyway, and the heavy setting doubles the time.
    fig.savefig(out, format="png", metadata={"Software": None},
                pil_kwargs={"compress_level": 1})  # fmt: skip
    return out.getvalue()


def _figure(size_cm: tuple[float, float]) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size_cm[0] * CM, size_cm[1] * CM), dpi=DPI)
    fig.patch.set_facecolor("white")
    return fig


def _style(ax: Any) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED)
        ax.spines[side].set_linewidth(0.6)
    ax.tick_params(labelsize=7.5, length=2.5, width=0.6, colors=INK, labelcolor=INK)


def measure_summary(series: MeasureSeries) -> str:
    """The chart of a measure in one line: where it started, where it is, the target."""
    first_day, first = series.points[0]
    last_day, last = series.points[-1]
    better = "higher is better" if series.direction == "up" else "lower is better"
    met = last >= series.target if series.direction == "up" else last <= series.target
    return (
        f"{series.name}: {_num(first, series.unit)} on {_long(first_day)}, "
        f"{_num(last, series.unit)} on {_long(last_day)} ({len(series.points)} values); "
        f"baseline {_num(series.baseline, series.unit)}, target {_num(series.target, series.unit)}"
        f" ({better}): {'met' if met else 'not yet met'}."
    )


def measure_charts(measures: Sequence[MeasureSeries]) -> list[Chart | None]:
    """One chart per measure (None where it has fewer than two values), drawn on one figure."""
    out: list[Chart | None] = []
    fig = ax = None
    for series in measures:
        if len(series.points) < 2:
            out.append(None)
            continue
        if fig is None:
            fig = _figure(MEASURE_SIZE_CM)
            ax = fig.add_axes((0.2, 0.15, 0.77, 0.72))
        else:
            assert ax is not None
            ax.clear()
        _draw_measure(ax, series)
        out.append(Chart(_png(fig), MEASURE_SIZE_CM[0], measure_summary(series)))
    return out


def _draw_measure(ax: Any, series: MeasureSeries) -> None:
    _style(ax)
    days = [d.toordinal() for d, _ in series.points]
    values = [v for _, v in series.points]
    ax.axhline(series.baseline, color=MUTED, linewidth=0.9, linestyle=(0, (4, 2)))
    ax.axhline(series.target, color=TARGET_COLOUR, linewidth=1.3)
    ax.plot(days, values, color=LINE, linewidth=1.4, marker="o", markersize=3)
    low = min(*values, series.baseline, series.target)
    high = max(*values, series.baseline, series.target)
    pad = (high - low) * 0.12 or 1.0
    ax.set_ylim(low - pad, high + pad)
    span = days[-1] - days[0]
    ax.set_xlim(days[0] - span * 0.04, days[-1] + span * 0.04)
    ax.set_xticks([days[0], days[-1]], [_month(series.points[0][0]), _month(series.points[-1][0])])
    unit = f" {series.unit}" if series.unit and series.unit not in ("%", "percent") else ""
    pct = "%" if series.unit in ("%", "percent") else ""
    ticks = sorted({series.baseline, series.target})
    labels = [f"{'target' if t == series.target else 'baseline'} {t:g}{pct}" for t in ticks]
    if series.baseline == series.target:
        labels = [f"baseline = target {series.target:g}{pct}"]
    ax.set_yticks(ticks, labels)
    ax.set_title(_clip(series.name + unit, 52), fontsize=8, loc="left", color=INK, pad=3)
    ax.annotate(f"{values[-1]:g}{pct}", (days[-1], values[-1]), textcoords="offset points",
                xytext=(0, 5), ha="center", fontsize=7.5, color=LINE)  # fmt: skip


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def rag_summary(points: Sequence[tuple[dt.date, dict[str, int]]]) -> str:
    """The RAG chart in one line: the counts at the first and last month end."""
    (first_day, first), (last_day, last) = points[0], points[-1]
    moves = ", ".join(f"{colour} {first.get(colour, 0)} → {last.get(colour, 0)}"
                      for colour in RAG_COLOURS)  # fmt: skip
    return (
        f"Actions by RAG at each month end from {_month(first_day)} to {_month(last_day)} "
        f"({len(points)} month ends): {moves}."
    )


def rag_chart(points: Sequence[tuple[dt.date, dict[str, int]]]) -> Chart | None:
    """Stacked bars of the number of actions red, amber and green at each month end."""
    if len(points) < 2:
        return None
    fig = _figure(RAG_SIZE_CM)
    ax = fig.add_axes((0.07, 0.2, 0.78, 0.72))
    _style(ax)
    xs = list(range(len(points)))
    bottom = [0] * len(points)
    for colour, fill in RAG_COLOURS.items():
        heights = [counts.get(colour, 0) for _, counts in points]
        ax.bar(xs, heights, bottom=bottom, color=fill, width=0.7, label=colour.capitalize(),
               edgecolor="white", linewidth=0.4)  # fmt: skip
        for x, h, b in zip(xs, heights, bottom, strict=True):
            if h and len(points) <= 18:
                ax.text(x, b + h / 2, str(h), ha="center", va="center", fontsize=7,
                        color="white" if colour == "red" else INK)  # fmt: skip
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    step = max(1, -(-len(points) // 12))  # at most a dozen month labels
    shown = xs[::step]
    ax.set_xticks(shown, [_month(points[i][0]) for i in shown])
    ax.set_xlim(-0.6, len(points) - 0.4)
    ax.set_ylabel("Actions", fontsize=7.5, color=INK)
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7.5, frameon=False)
    return Chart(_png(fig), RAG_SIZE_CM[0], rag_summary(points))


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """The last day of each month that falls from start to end, both included."""
    out: list[dt.date] = []
    year, month = start.year, start.month
    while True:
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        last = nxt - dt.timedelta(days=1)
        if last > end:
            return out
        if last >= start:
            out.append(last)
        year, month = nxt.year, nxt.month
