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
MEASURE_SIZE_CM = (7.6, 2.3)  # a table row of its own, with the words beside it
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


def _palette() -> Any:
    """A palette image of the charts' colours, each blended into white and into each other in
    16 steps: every pixel Agg draws (anti-aliased edges included) has a near neighbour in it."""
    from PIL import Image

    colours = ["#FFFFFF", INK, MUTED, LINE, TARGET_COLOUR, *RAG_COLOURS.values()]
    rgb = [tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in colours]
    entries: list[tuple[int, ...]] = []
    pairs = [(rgb[0], c) for c in rgb[1:]] + [(rgb[1], c) for c in rgb[5:]]
    for (r1, g1, b1), (r2, g2, b2) in pairs:
        for k in range(1, 16):
            a = k / 15
            entry = (
                round(r1 + (r2 - r1) * a),
                round(g1 + (g2 - g1) * a),
                round(b1 + (b2 - b1) * a),
            )
            if entry not in entries:
                entries.append(entry)
    entries = [rgb[0], *entries][:256]
    flat = [v for entry in entries for v in entry]
    image = Image.new("P", (1, 1))
    image.putpalette(flat + flat[:3] * (256 - len(entries)))
    return image


_PALETTE: list[Any] = []


def _png(fig: Figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas: Any = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    if not _PALETTE:
        _PALETTE.append(_palette())
    # Mapped to the charts' own palette (8 bits a pixel, not 24): a fifth of the time to
    # compress and a third of the bytes, and no visible change: the charts use a few flat
    # colours. No software or date stamp, so the same data draws the same bytes.
    indexed = image.convert("RGB").quantize(palette=_PALETTE[0], dither=Image.Dither.NONE)
    out = io.BytesIO()
    indexed.save(out, format="PNG", compress_level=6, dpi=(DPI, DPI))
    return out.getvalue()


def _figure(size_cm: tuple[float, float]) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size_cm[0] * CM, size_cm[1] * CM), dpi=DPI)
    FigureCanvasAgg(fig)  # drawn by Agg into memory: no display, no pyplot
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
    canvas: _MeasureCanvas | None = None
    for series in measures:
        if len(series.points) < 2:
            out.append(None)
            continue
        canvas = canvas or _MeasureCanvas()
        out.append(Chart(canvas.draw(series), MEASURE_SIZE_CM[0], measure_summary(series)))
    return out


class _MeasureCanvas:
    """A compact chart of one measure: its values over time (dots joined by a line), the
    baseline (dashed grey) and the target (green), each labelled with its value.

    One figure whose artists are made once and given each measure's data in turn, with no axis
    machinery (ticks cost more to draw than the chart): a report may chart dozens of measures.
    The measure's name and dates are printed beside it, in the document.
    """

    def __init__(self) -> None:
        self.fig = _figure(MEASURE_SIZE_CM)
        ax = self.ax = self.fig.add_axes((0.27, 0.08, 0.71, 0.84))
        ax.set_axis_off()
        self.baseline = ax.axhline(0, color=MUTED, linewidth=0.9, linestyle=(0, (4, 2)))
        self.target = ax.axhline(0, color=TARGET_COLOUR, linewidth=1.4)
        (self.line,) = ax.plot([], [], color=LINE, linewidth=1.4, marker="o", markersize=2.6)
        # The values of the baseline and target in the left margin; the latest value and the
        # dates are in the words beside the chart (each label drawn costs as much as the chart).
        self.baseline_label = ax.text(0, 0, "", ha="right", va="center", fontsize=7, color=MUTED)
        self.target_label = ax.text(0, 0, "", ha="right", va="center", fontsize=7,
                                    color=TARGET_COLOUR, fontweight="bold")  # fmt: skip
        (self.last,) = ax.plot([], [], color=LINE, marker="o", markersize=4.2, linestyle="")

    def draw(self, series: MeasureSeries) -> bytes:
        """The PNG of one measure's chart."""
        ax = self.ax
        days = [d.toordinal() for d, _ in series.points]
        values = [v for _, v in series.points]
        self.baseline.set_ydata([series.baseline] * 2)
        self.target.set_ydata([series.target] * 2)
        self.line.set_data(days, values)
        low = min(*values, series.baseline, series.target)
        high = max(*values, series.baseline, series.target)
        pad = (high - low) * 0.1 or 1.0
        ax.set_ylim(low - pad, high + pad)
        span = (days[-1] - days[0]) or 1
        left, right = days[0] - span * 0.03, days[-1] + span * 0.03
        ax.set_xlim(left, right)
        pct = "%" if series.unit in ("%", "percent") else ""
        # Labels apart even when the baseline and target are close.
        gap = (high - low + 2 * pad) * 0.16
        lower, upper = sorted([series.baseline, series.target])
        nudge = max(0.0, (gap - (upper - lower)) / 2)
        margin = left - span * 0.03
        for label, value, word in ((self.baseline_label, series.baseline, "baseline"),
                                   (self.target_label, series.target, "target")):  # fmt: skip
            where = value - nudge if value == lower else value + nudge
            if series.baseline == series.target:
                where = value + (gap / 2 if word == "baseline" else -gap / 2)
            label.set_position((margin, where))
            label.set_text(f"{word} {value:g}{pct}")
        self.last.set_data([days[-1]], [values[-1]])  # the latest value, a larger dot
        return _png(self.fig)


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
    ax = fig.add_axes((0.07, 0.2, 0.8, 0.72))
    _style(ax)
    xs = list(range(len(points)))
    bottom = [0] * len(points)
    counted = len(points) <= 13  # a count in each bar while there is room for it
    for colour, fill in RAG_COLOURS.items():
        heights = [counts.get(colour, 0) for _, counts in points]
        ax.bar(xs, heights, bottom=bottom, color=fill, width=0.7, edgecolor="white",
               linewidth=0.4)  # fmt: skip
        ink = "white" if colour == "red" else INK
        for x, h, b in zip(xs, heights, bottom, strict=True):
            if h and counted:
                ax.text(x, b + h / 2, str(h), ha="center", va="center", fontsize=7, color=ink)
        # The colour named beside the last bar, instead of a legend to look up.
        if heights[-1]:
            ax.text(xs[-1] + 0.45, bottom[-1] + heights[-1] / 2, colour.capitalize(),
                    va="center", fontsize=7.5, color=INK)  # fmt: skip
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    step = max(1, -(-len(points) // 12))  # at most a dozen month labels
    shown = xs[::step]
    labels = []
    for k, i in enumerate(shown):
        day = points[i][0]
        # The year under the first month and under each January: "Nov / 2021", "Dec", "Jan / 2022".
        new_year = k == 0 or day.year != points[shown[k - 1]][0].year
        labels.append(f"{day.strftime('%b')}\n{day.year}" if new_year else day.strftime("%b"))
    ax.set_xticks(shown, labels)
    ax.set_xlim(-0.6, len(points) - 0.4)
    top = max(bottom)
    ax.set_ylim(0, top * 1.04 or 1)
    ticks = sorted({0, top // 2, top})
    ax.set_yticks(ticks, [str(t) for t in ticks])
    ax.set_ylabel("Actions", fontsize=7.5, color=INK)
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
