"""Each chart's margins worked out before the browser draws it, so that Plotly draws it once.

Every axis of a chart here has automatic margins: Plotly draws the chart, measures its tick
labels and axis titles, widens the margins that are too narrow and then draws the whole chart
a second time. That second drawing is about 120 ms per chart in the browser, and a page with
eight charts pays it eight times on every visit. :func:`estimate` predicts the room each side
needs from the figure itself (its tick labels, titles, legend and colour bar), with the sizes
Streamlit's chart theme draws in, so the first drawing is already the last.

The prediction is a floor that Plotly may still raise: automatic margins stay on, so a label
is never cut, however the user's fonts or screen differ. Text is measured with the advance
widths of DejaVu Sans, wider than the usual Segoe UI, Helvetica and Arial, so the prediction
errs on the roomy side by a few pixels. What cannot be known before drawing is the chart's
width: each builder says what share of a desktop page it is drawn in (``span``), and on other
screens Plotly may widen a margin and redraw, as it did for every chart before.
``python -m bench margins`` counts the charts still drawn twice, per screen width.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from types import SimpleNamespace

import numpy as np
import pandas as pd
import plotly.graph_objects as go

# Advance widths of DejaVu Sans, thousandths of an em, for the characters " " (32) to "~" (126).
_ASCII = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698,
    770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732,
    684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635,
    634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592,
    525, 636, 337, 636, 838,
)  # fmt: skip
_OTHER = 700  # a letter outside ASCII with no ASCII base (Cyrillic, Greek, €, the minus sign)

# Sizes of Streamlit's chart theme, measured in the browser (``_fullLayout``): tick labels
# 12 px, axis titles 14 px with a 20 px stand-off, legend text 12 px.
TICK = 12
TITLE = 14
LEGEND = 12
LINE = 1.3  # height of a line of text, in font sizes
# Room an axis takes beyond its tick labels: the labels' padding, the title's stand-off and
# one line of title. A left axis of labels ``w`` px wide pushes ``w + 52.8`` px; a bottom axis
# of flat one-line labels pushes 66.2 px, of labels turned 90 degrees ``w + 57.2`` px.
_SIDE = 52.8
_BOTTOM = 66.2 - TICK * 1.2
_UNTITLED = _SIDE - 20 - TITLE * LINE
_LEGEND_ROW = 19.0
_EDGE = 10  # the house layout's margin on a side with nothing on it
_TOP = 14  # room for half of a top tick label

# The width of a desktop page's content (1440 px wide, sidebar open), and the gap between
# two columns on it.
PAGE = 980
_GAP = 16

_TAG = re.compile(r"<[^>]+>")
_FORMAT = re.compile(r"^(?P<comma>,)?(?:\.(?P<digits>\d+))?(?P<kind>[dfe%s])?$")


def text_width(text: str, size: float = TICK) -> float:
    """Width in px of one line of ``text`` at font ``size``, in DejaVu Sans.

    >>> round(text_width("400,000"), 1)  # 6 digits of 636 and a comma of 318, at 12 px
    49.6
    """
    total = 0
    for ch in text:
        code = ord(ch)
        if 32 <= code < 127:
            total += _ASCII[code - 32]
            continue
        if ch == "\u2212":  # the minus sign of Plotly's negative numbers
            total += 838
            continue
        base = unicodedata.normalize("NFKD", ch)[:1]
        if base and 32 <= ord(base) < 127:
            total += _ASCII[ord(base) - 32]
        elif unicodedata.east_asian_width(ch) in "WF":
            total += 1000
        else:
            total += _OTHER
    return total * size / 1000


def _lines(label: object) -> list[str]:
    """The lines of a label as Plotly draws them: split at ``<br>``, other tags dropped."""
    text = str(label)
    return [_TAG.sub("", part) for part in re.split(r"<br\s*/?>", text, flags=re.I)]


def _widest(labels: Iterable[object], size: float = TICK) -> tuple[float, int]:
    """Width of the widest label and the most lines any label has."""
    width, lines = 0.0, 1
    for label in labels:
        parts = _lines(label)
        lines = max(lines, len(parts))
        width = max(width, *(text_width(p, size) for p in parts))
    return width, lines


def _title_lines(axis) -> int:
    text = axis.title.text if axis.title is not None else None
    return len(_lines(text)) if text else 0


# --- what sits on each axis ----------------------------------------------------------------


def _values(trace, letter: str) -> np.ndarray:
    values = getattr(trace, letter, None)
    if values is None:
        return np.array([], dtype="float64")
    return np.asarray(values).ravel()


def _is_text(values: np.ndarray) -> bool:
    return values.dtype.kind in "OUS" and any(isinstance(v, str) for v in values[:50])


def _numbers(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind in "iufb":
        out = values.astype("float64")
    else:
        out = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype="float64")
    return out[np.isfinite(out)]


def _dates(values: np.ndarray) -> pd.DatetimeIndex | None:
    if not len(values):
        return None
    if values.dtype.kind == "M":
        return pd.DatetimeIndex(values[~np.isnat(values)])
    if isinstance(values[0], (pd.Timestamp, np.datetime64)) or hasattr(values[0], "year"):
        return pd.DatetimeIndex(pd.to_datetime(pd.Series(values), errors="coerce").dropna())
    return None


class _Axis:
    """What one axis carries: category labels, numbers, or dates, and how it is drawn."""

    def __init__(self, name: str, layout_axis) -> None:
        self.name = name
        self.layout = layout_axis
        self.categories: list[object] = []
        self.numbers: list[np.ndarray] = []
        self.dates: list[pd.DatetimeIndex] = []
        self.zero = False  # bars start at zero
        self._ticks: dict[float, tuple[list[float], float, float]] = {}

    def kind(self) -> str:
        declared = self.layout.type
        if declared in ("category", "multicategory"):
            return "category"
        if declared in ("linear", "log", "date"):
            return declared
        if self.categories:
            return "category"
        if self.dates:
            return "date"
        return "linear"

    def labels(self, length: float) -> list[str]:
        """The tick labels Plotly will likely draw on ``length`` px of axis."""
        kind = self.kind()
        if self.layout.ticktext:
            return [str(t) for t in self.layout.ticktext]
        if kind == "category":
            seen = dict.fromkeys(str(c) for c in self.categories)
            return list(seen)
        if kind == "date":
            return _date_labels(self.dates)
        return _tick_labels(self.layout, self.ticks(length)[0])

    def ticks(self, length: float) -> tuple[list[float], float, float]:
        """The ticks of a number axis ``length`` px long and its range (worked out once)."""
        if length not in self._ticks:
            numbers = np.concatenate(self.numbers) if self.numbers else np.array([])
            self._ticks[length] = _number_ticks(
                self.layout, numbers, self.zero, length, self.name[0]
            )
        return self._ticks[length]

    def overhang(self, length: float) -> float:
        """How far the last tick label of a number x axis reaches past the plot's right edge:
        half its width (plus Plotly's padding), when that tick sits at the end of the range."""
        if self.kind() != "linear" or self.layout.ticktext:
            return 0.0
        ticks, lo, hi = self.ticks(length)
        half = text_width(_tick_labels(self.layout, ticks)[-1]) / 2
        inside = (hi - ticks[-1]) / (hi - lo) * length if hi > lo else 0.0
        return half + 12 - inside if inside < half + 2 else 0.0


def _axes(fig: go.Figure) -> dict[str, _Axis]:
    axes: dict[str, _Axis] = {}

    def axis(ref: str | None, letter: str) -> _Axis:
        name = f"{letter}axis{(ref or letter)[1:]}"
        if name not in axes:
            axes[name] = _Axis(name, fig.layout[name])
        return axes[name]

    for name in fig.layout:
        if re.fullmatch(r"[xy]axis\d*", name) and fig.layout[name] is not None:
            axis(name[0] + name[5:], name[0])
    stacked = fig.layout.barmode in ("stack", "relative")
    sums: dict[tuple[str, str], dict[object, list[float]]] = {}
    for trace in fig.data:
        x, y = axis(getattr(trace, "xaxis", None), "x"), axis(getattr(trace, "yaxis", None), "y")
        if trace.type == "heatmap":
            for ax, letter in ((x, "x"), (y, "y")):
                vals = _values(trace, letter)
                if _is_text(vals) or ax.layout.type == "category":
                    ax.categories.extend(vals)
                else:
                    ax.numbers.append(_numbers(vals))
            continue
        flat = getattr(trace, "orientation", None) == "h"
        pairs = ((y, "y"), (x, "x")) if flat else ((x, "x"), (y, "y"))
        (base, base_letter), (value, value_letter) = pairs
        where, amounts = _values(trace, base_letter), _values(trace, value_letter)
        if trace.type == "waterfall":
            amounts = _running_totals(_numbers(amounts), trace.measure)
        if _is_text(where):
            base.categories.extend(where)
        elif (dates := _dates(where)) is not None:
            base.dates.append(dates)
        else:
            base.numbers.append(_numbers(where))
        if _is_text(amounts):
            value.categories.extend(amounts)
            continue
        numbers = _numbers(amounts)
        if trace.type in ("bar", "waterfall"):
            value.zero = True
            if stacked and trace.type == "bar" and len(numbers) == len(where):
                key = sums.setdefault((value.name, base.name), {})
                for w, n in zip(where, numbers, strict=True):
                    key.setdefault(w, [0.0, 0.0])[0 if n >= 0 else 1] += n
                continue
        value.numbers.append(numbers)
    for (value_name, _), per_place in sums.items():
        ends = np.array([end for pos_neg in per_place.values() for end in pos_neg])
        axes[value_name].numbers.append(ends)
    return axes


def _running_totals(steps: np.ndarray, measure) -> np.ndarray:
    """The heights a waterfall's bars reach: a "relative" step adds to the running total, a
    "total" bar is that total (its own value is not added)."""
    kinds = list(measure or [])
    out, total = [], 0.0
    for k, step in enumerate(steps):
        if k < len(kinds) and kinds[k] == "total":
            out.append(total)
        else:
            total += step
            out.append(total)
    return np.array(out, dtype="float64")


# --- tick labels ---------------------------------------------------------------------------


def _date_labels(dates: list[pd.DatetimeIndex]) -> list[str]:
    """Plotly's date ticks: "Jan 2025" over months or more; a day with its year under it
    ("Jan 5<br>2025") on the first tick of a shorter span."""
    if not dates:
        return []
    every = dates[0].append(list(dates[1:])) if len(dates) > 1 else dates[0]
    if not len(every):
        return []
    span = every.max() - every.min()
    if span >= pd.Timedelta(days=90):
        return ["Sep 2026"]
    return ["Sep 30<br>2026"]


def _nice_step(span: float, count: float) -> float:
    """Plotly's automatic tick step: ``span / count`` rounded up to 2, 5 or 10 times a power
    of ten."""
    rough = span / count
    if not rough > 0:
        return 1.0
    base = 10 ** math.floor(math.log10(rough))
    for factor in (2, 5, 10):
        if rough / base <= factor:
            return factor * base
    return 10 * base


def _number_ticks(
    axis, numbers: np.ndarray, zero: bool, length: float, letter: str
) -> tuple[list[float], float, float]:
    """The ticks Plotly will likely draw on a number axis ``length`` px long, and its range."""
    if axis.range is not None and None not in tuple(axis.range):
        lo, hi = (float(v) for v in axis.range)
    elif len(numbers):
        lo, hi = float(numbers.min()), float(numbers.max())
        if zero or axis.rangemode == "tozero":
            lo, hi = min(lo, 0.0), max(hi, 0.0)
        pad = 0.05 * (hi - lo) if hi > lo else max(abs(hi), 1.0)
        lo, hi = lo - (pad if lo < 0 else 0.0), hi + pad
    else:
        lo, hi = -1.0, 6.0  # Plotly's empty axis
    lo, hi = min(lo, hi), max(lo, hi)
    if axis.type == "log":
        return [10.0**k for k in range(math.floor(lo), math.ceil(hi) + 1)], lo, hi
    count = min(max(length / (40 if letter == "y" else 80), 4), 9) + 1
    dtick = axis.dtick
    step = float(dtick) if isinstance(dtick, (int, float)) else _nice_step(hi - lo, count)
    first = math.ceil(lo / step - 1e-9)
    ticks = [k * step for k in range(first, math.floor(hi / step + 1e-9) + 1)][:200]
    return ticks or [lo, hi], lo, hi


def _tick_labels(axis, ticks: list[float]) -> list[str]:
    """``ticks`` written in the axis's (or colour bar's) tick format."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    return [_format(axis, v, step) for v in ticks]


def _format(axis, value: float, step: float) -> str:
    spec = _FORMAT.match(axis.tickformat or "")
    if spec and axis.tickformat:
        digits = int(spec["digits"]) if spec["digits"] is not None else None
        kind = spec["kind"] or "f"
        if kind == "%":
            text = f"{value * 100:,.{digits or 0}f}%"
        elif kind == "d":
            text = f"{round(value):,}"
        elif kind == "e":
            text = f"{value:.{digits if digits is not None else 6}e}"
        else:
            text = f"{value:,.{digits if digits is not None else 6}f}"
        if not spec["comma"]:
            text = text.replace(",", "")
    else:
        text = _plain(value, step)
    text = text.replace("-", "\u2212")
    return f"{axis.tickprefix or ''}{text}{axis.ticksuffix or ''}"


def _plain(value: float, step: float) -> str:
    """Plotly's default number format: SI suffixes from 10,000 up, else as many decimals as
    the tick step has."""
    scale, suffix = 1.0, ""
    big = max(abs(value), step)
    for s, name in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if big >= max(s, 1e4):
            scale, suffix = s, name
            break
    digits = max(0, -math.floor(math.log10(step / scale) + 1e-9)) if step > 0 else 0
    return f"{value / scale:.{min(digits, 6)}f}{suffix}"


def _scale_labels(trace, length: float) -> list[str]:
    """The tick labels of a heatmap's colour bar, ``length`` px long."""
    bar = trace.colorbar
    z = _numbers(np.asarray(trace.z if trace.z is not None else [], dtype=object).ravel())
    low = trace.zmin if trace.zmin is not None else (z.min() if len(z) else 0.0)
    high = trace.zmax if trace.zmax is not None else (z.max() if len(z) else 1.0)
    scale = SimpleNamespace(
        range=[float(low), float(high)], rangemode=None, type="linear", dtick=bar.dtick,
        tickformat=bar.tickformat, tickprefix=bar.tickprefix, ticksuffix=bar.ticksuffix,
    )  # fmt: skip
    return _tick_labels(scale, _number_ticks(scale, z, False, length, "y")[0])


# --- the margins ---------------------------------------------------------------------------


def _legend_rows(fig: go.Figure, width: float) -> int:
    listed = [t for t in fig.data if t.showlegend is not False]
    names = [t.name for t in listed if t.name]
    names += [s.name for s in fig.layout.shapes if s.showlegend and s.name]
    shown = fig.layout.showlegend
    if shown is None:  # Plotly shows a legend once a figure has two traces
        shown = len(fig.data) >= 2 or any(t.showlegend for t in listed)
    if not shown or fig.layout.legend.orientation != "h" or not names:
        return 0
    # Plotly's horizontal legend: an entry is 40 px of symbol and padding plus its text (4 px
    # more here, to err on the roomy side), 5 px apart. When the entries do not fit on one row
    # of the plot's width, they are laid out in a grid of columns as wide as the widest entry.
    entries = [44 + max(text_width(line, LEGEND) for line in _lines(n)) for n in names]
    if sum(entries) + 5 * (len(entries) - 1) < width:
        return 1
    widest = max(entries)
    columns = max(1, math.floor((width - widest) / (widest + 5)) + 1) if widest < width else 1
    return math.ceil(len(entries) / columns)


def _angle(labels: list[str], width: float, lines: int) -> int:
    """The angle Plotly turns category labels to on ``width`` px: 0, 30 or 90 degrees."""
    shown = max(1, min(len(labels), int(width / (TICK * 1.2))))
    spacing = width / shown
    widest, _ = _widest(labels)
    if widest + 6 <= spacing:
        return 0
    if spacing >= 2 * TICK * lines + 2:  # measured: 27 px apart turn 30 degrees, 24 px 90
        return 30
    return 90


def estimate(fig: go.Figure, *, span: float = 0.5) -> dict[str, int]:
    """Margins (px) that hold ``fig``'s tick labels, axis titles, legend and colour bar.

    ``span``: the share of a desktop page's width the chart is drawn in (0.5 in one of two
    columns, 1 across the page). It decides whether x labels are drawn flat or turned, and how
    many rows the legend takes.
    """
    height = fig.layout.height or 360
    figure_width = PAGE * span - (0 if span >= 1 else _GAP / 2)
    heatmap = any(t.type == "heatmap" for t in fig.data)
    out = {"l": float(_EDGE), "r": float(_EDGE), "t": float(_TOP), "b": float(_EDGE)}
    axes = [a for a in _axes(fig).values() if a.layout.visible is not False]
    axes = [a for a in axes if a.layout.showticklabels is not False]
    for axis in sorted(axes, key=lambda a: a.name[0] != "y"):  # y axes first: they set the width
        layout = axis.layout
        titled = _title_lines(layout)
        title_room = (20 + TITLE * LINE * titled) if titled else 0.0
        if axis.name.startswith("y"):
            widest, _ = _widest(axis.labels(height - 110))
            side = "r" if layout.side == "right" else "l"
            out[side] = max(out[side], widest + _UNTITLED + title_room + (10 if heatmap else 0))
            continue
        plot_width = figure_width - out["l"] - out["r"]
        labels = axis.labels(plot_width)
        widest, lines = _widest(labels)
        height_of_labels = TICK * 1.2 + 18 * (lines - 1)  # measured: 18 px a further line
        angle = 0
        if layout.tickangle not in (None, "auto"):
            angle = abs(int(layout.tickangle)) % 180
        elif axis.kind() == "category":
            angle = _angle(labels, plot_width, lines)
        if angle == 0:
            extent = height_of_labels
        elif angle >= 90:
            extent = widest + 5.4  # measured: turned labels sit a little further out
        else:
            a = math.radians(angle)
            extent = widest * math.sin(a) + height_of_labels * math.cos(a)
            spacing = plot_width / max(1, min(len(labels), int(plot_width / (TICK * 1.2))))
            out["r"] = max(out["r"], widest * math.cos(a) - spacing / 2 + 17)
        room = _BOTTOM - 20 - TITLE * LINE + extent + title_room + (5 if heatmap else 0)
        side = "t" if layout.side == "top" else "b"
        out[side] = max(out[side], room)
        if angle == 0 and side == "b":
            out["r"] = max(out["r"], axis.overhang(plot_width))
    # Up to two rows of legend are set aside: on a wider screen the legend may take a row
    # fewer, and a row too many is 19 px of empty space. A longer legend is left to Plotly.
    rows = min(_legend_rows(fig, figure_width - out["l"] - out["r"]), 2)
    if rows:
        out["t"] = max(out["t"], 25 + _LEGEND_ROW * rows)
    for trace in fig.data:
        if trace.type == "heatmap" and trace.showscale is not False:
            # Measured: the colour bar stands 2 % of the plot's width off its right edge and
            # takes 63 px beside its widest tick label.
            bar = 63 + _widest(_scale_labels(trace, height - 110))[0]
            plot_width = figure_width - out["l"] - bar
            out["r"] = max(out["r"], bar + 0.02 * plot_width)
    return {side: math.ceil(v + 2) for side, v in out.items()}
