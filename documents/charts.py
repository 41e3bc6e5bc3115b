"""Server-side SVG charts returned as strings, so the web page and the WeasyPrint PDF show the same picture.

Pure functions: plain numbers in, markup out; no JavaScript, no database, every text escaped.
"""

import bisect
import math
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

# Fonts that carry Chinese glyphs first, so WeasyPrint and browsers pick a CJK face for labels. The font the
# project ships (documents/fonts, declared by the PDFs' @font-face) comes first: on a machine without system CJK
# fonts (the Docker image) WeasyPrint otherwise drew the charts' digits in a serif fallback.
FONT_FAMILY = (
    "'Noto Sans SC', 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', "
    "'PingFang SC', 'Microsoft YaHei', sans-serif"
)
PALETTE = ("#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#d63384", "#20c997")
TRACK = "#e9ecef"
AXIS = "#6c757d"
TEXT = "#212529"


def _num(value):
    """A float from an int, float or Decimal; None stays None."""
    if value is None:
        return None
    return float(value)


def _fmt(value, digits=1):
    """A short label: integers without decimals, others with `digits` decimals."""
    if value is None:
        return "–"
    value = float(value)
    if math.isclose(value, round(value), abs_tol=1e-9):
        return str(int(round(value)))
    return f"{value:.{digits}f}"


def _text(x, y, content, *, size=12, anchor="start", weight="normal", fill=TEXT, extra=""):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}"{extra}>{escape(str(content))}</text>'
    )


# The web page lets a chart shrink with the window; WeasyPrint, given the same style, letterboxed each chart in a
# much taller box (a blank band above and below it). PDFs take the picture at its own size: for_pdf.
PAGE_STYLE = ' style="max-width:100%;height:auto"'


def for_pdf(svg) -> str:
    """The chart without the web page's responsive style, for WeasyPrint."""
    return str(svg).replace(PAGE_STYLE, "", 1)


def _open(width, height, title, description):
    label = title or description
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label={quoteattr(str(label))} '
        f'font-family={quoteattr(FONT_FAMILY)} class="kpi-chart"{PAGE_STYLE}>',
        f"<title>{escape(str(label))}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    if title:
        parts.append(_text(width / 2, 20, title, size=14, anchor="middle", weight="bold"))
    return parts


def _nice_ceiling(value):
    """The smallest 'round' number (1, 2, 2.5, 5 × 10^k) not below value, for axis tops."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value - 1e-9:
            return float(candidate)
    return float(10 ** (exponent + 1))


def histogram_svg(
    values,
    *,
    bins=10,
    width=600,
    height=300,
    title=None,
    lo=None,
    hi=None,
    edges=None,
    over_top=False,
    markers=(),
    x_label=None,
    y_label=None,
    color=PALETTE[0],
):
    """A histogram of `values` in `bins` equal bins from lo to hi (defaults: the values' min and max), or in the
    bins between the ascending `edges` when given (then each bin is drawn as wide as the others, labelled by its
    edges).

    With `over_top` the values above the last edge get a bin of their own, labelled "100+" (for an edge of 100),
    instead of stretching the scale; otherwise values outside the range are clamped into the first or last bin,
    so every person is counted once. `markers` are (edge, label) pairs drawn as dashed lines at those edges (the
    grade bands' floors).
    """
    numbers = [_num(v) for v in values if v is not None]
    if edges is not None:
        edges = sorted({float(edge) for edge in edges})
        if len(edges) < 2:
            edges = [edges[0] if edges else 0.0, (edges[0] if edges else 0.0) + 1.0]
    else:
        bins = max(1, int(bins))
        if lo is None:
            lo = math.floor(min(numbers)) if numbers else 0.0
        if hi is None:
            hi = math.ceil(max(numbers)) if numbers else 100.0
        lo, hi = float(lo), float(hi)
        if hi <= lo:
            hi = lo + 1.0
        edges = [lo + (hi - lo) * index / bins for index in range(bins)] + [hi]
    top_edge = edges[-1]
    ranges = [(edges[index], edges[index + 1]) for index in range(len(edges) - 1)]
    counts = [0] * len(ranges)
    over = 0
    for number in numbers:
        if over_top and number > top_edge + 1e-9:
            over += 1
            continue
        # A value on an inner edge belongs to the bin that starts there (a grade band's floor is in the band);
        # the top edge itself is in the last bin.
        index = bisect.bisect_right(edges, number) - 1
        counts[min(max(index, 0), len(ranges) - 1)] += 1
    labels = [f"{_fmt(low)}–{_fmt(high)}" for low, high in ranges]
    if over_top:
        counts.append(over)
        labels.append(f"{_fmt(top_edge)}+")
    bins = len(counts)

    description = title or _("Histogram")
    parts = _open(width, height, title, description)
    left, right = 44, 12
    top = 34 if title else 14
    bottom = 44 if x_label else 30
    plot_w = width - left - right
    plot_h = height - top - bottom
    top_count = max(counts) if counts else 0
    y_max = max(1, top_count)
    # Gridlines at whole counts, at most five of them.
    step = max(1, math.ceil(y_max / 5))
    y_max = step * math.ceil(y_max / step)
    for tick in range(0, y_max + 1, step):
        y = top + plot_h - plot_h * tick / y_max
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{TRACK}"/>')
        parts.append(_text(left - 6, y + 4, tick, size=10, anchor="end", fill=AXIS))
    bar_w = plot_w / bins
    for index, count in enumerate(counts):
        x = left + index * bar_w
        bar_h = plot_h * count / y_max
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{top + plot_h - bar_h:.1f}" width="{max(bar_w - 2, 1):.1f}" '
            f'height="{bar_h:.1f}" fill="{color}"><title>{escape(labels[index])}: {count}</title></rect>'
        )
        if count:
            parts.append(_text(x + bar_w / 2, top + plot_h - bar_h - 3, count, size=10, anchor="middle"))
    # Edge labels: every bin edge when there is room, else every other one; the over-the-top bin is named.
    every = 1 if bar_w >= 28 else 2
    for index in range(0, len(edges), every):
        x = left + index * bar_w
        parts.append(_text(x, top + plot_h + 14, _fmt(edges[index]), size=10, anchor="middle", fill=AXIS))
    if over_top:
        x = left + (bins - 0.5) * bar_w
        parts.append(_text(x, top + plot_h + 14, labels[-1], size=10, anchor="middle", fill=AXIS))
    for edge, label in markers:
        if float(edge) not in edges:
            continue
        x = left + edges.index(float(edge)) * bar_w
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + plot_h}" stroke="{AXIS}" '
            f'stroke-dasharray="3 3" class="band-floor"/>'
        )
        parts.append(_text(x + 3, top + 10, label, size=10, fill=AXIS))
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{AXIS}"/>')
    if x_label:
        parts.append(_text(left + plot_w / 2, height - 6, x_label, size=11, anchor="middle", fill=AXIS))
    if y_label:
        parts.append(
            _text(
                12,
                top + plot_h / 2,
                y_label,
                size=11,
                anchor="middle",
                fill=AXIS,
                extra=f' transform="rotate(-90 12 {top + plot_h / 2:.1f})"',
            )
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart_svg(
    labels,
    values,
    *,
    max_value=None,
    capacities=None,
    width=600,
    height=None,
    title=None,
    value_suffix="",
    color=PALETTE[0],
):
    """Horizontal bars, one per label: e.g. points earned per category against the weight available.

    With `capacities` each bar sits on a grey track as long as its capacity and is labelled "earned / capacity";
    `max_value` fixes the scale (default: the largest value or capacity).
    """
    labels = [str(label) for label in labels]
    numbers = [_num(v) or 0.0 for v in values]
    limits = [_num(c) for c in capacities] if capacities is not None else [None] * len(numbers)
    if len(labels) != len(numbers) or len(limits) != len(numbers):
        raise ValueError("labels, values and capacities must have the same length")
    scale = _num(max_value) if max_value is not None else max([0.0, *numbers, *(c or 0.0 for c in limits)])
    scale = scale if scale and scale > 0 else 1.0
    row_h = 30
    top = 34 if title else 12
    if height is None:
        height = top + row_h * max(len(labels), 1) + 12
    # Room for labels: Chinese glyphs are about one em wide, Latin ones about half.
    longest = max((sum(1.0 if ord(ch) > 0x2E80 else 0.6 for ch in label) for label in labels), default=4)
    left = min(max(70, int(longest * 12) + 12), int(width * 0.45))
    right = 92
    plot_w = width - left - right
    parts = _open(width, height, title, title or _("Bar chart"))
    for index, (label, number, limit) in enumerate(zip(labels, numbers, limits, strict=True)):
        y = top + index * row_h
        parts.append(_text(left - 8, y + 19, label, size=12, anchor="end"))
        if limit is not None:
            track_w = plot_w * min(max(limit, 0.0), scale) / scale
            parts.append(f'<rect x="{left}" y="{y + 6:.1f}" width="{track_w:.1f}" height="18" fill="{TRACK}"/>')
        bar_w = plot_w * min(max(number, 0.0), scale) / scale
        parts.append(f'<rect x="{left}" y="{y + 6:.1f}" width="{bar_w:.1f}" height="18" fill="{color}"/>')
        caption = _fmt(number) + value_suffix if limit is None else f"{_fmt(number)} / {_fmt(limit)}{value_suffix}"
        parts.append(_text(left + plot_w + 6, y + 19, caption, size=11, fill=AXIS))
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + row_h * max(len(labels), 1)}" stroke="{AXIS}"/>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart_svg(labels, series, *, width=600, height=280, title=None, y_min=None, y_max=None, value_suffix=""):
    """One line per series over the labels (e.g. quarters); None leaves a gap. Includes a legend."""
    labels = [str(label) for label in labels]
    cleaned = {str(name): [_num(v) for v in points] for name, points in series.items()}
    for name, points in cleaned.items():
        if len(points) != len(labels):
            raise ValueError(f"series {name!r} has {len(points)} points for {len(labels)} labels")
    known = [v for points in cleaned.values() for v in points if v is not None]
    low = float(y_min) if y_min is not None else (min(0.0, min(known)) if known else 0.0)
    high = float(y_max) if y_max is not None else _nice_ceiling(max(known) if known else 1.0)
    if high <= low:
        high = low + 1.0
    left, right = 44, 16
    top = 34 if title else 14
    legend_h = 20 * math.ceil(max(len(cleaned), 1) / 3)
    bottom = 26 + legend_h
    plot_w = width - left - right
    plot_h = height - top - bottom
    parts = _open(width, height, title, title or _("Line chart"))

    def y_of(value):
        return top + plot_h - plot_h * (value - low) / (high - low)

    for tick in range(5):
        value = low + (high - low) * tick / 4
        y = y_of(value)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{TRACK}"/>')
        parts.append(_text(left - 6, y + 4, _fmt(value), size=10, anchor="end", fill=AXIS))
    count = len(labels)
    x_step = plot_w / count if count else plot_w

    def x_of(index):
        return left + x_step * (index + 0.5)

    for index, label in enumerate(labels):
        parts.append(_text(x_of(index), top + plot_h + 16, label, size=11, anchor="middle", fill=AXIS))
    # The value labels of the highest point at each label go above it, the others' below theirs: two series
    # close together (a person near the firm's average) would otherwise print one number over the other.
    highest = {}
    for index in range(len(labels)):
        series_values = enumerate(cleaned.values())
        values = [(points[index], -number) for number, points in series_values if points[index] is not None]
        if values:
            highest[index] = -max(values)[1]
    for number, (name, points) in enumerate(cleaned.items()):
        color = PALETTE[number % len(PALETTE)]
        dash = "" if number == 0 else ' stroke-dasharray="6 4"'
        # Consecutive known points form one segment; a None breaks the line.
        segment = []
        segments = [segment]
        for index, value in enumerate(points):
            if value is None:
                segment = []
                segments.append(segment)
            else:
                segment.append((x_of(index), y_of(min(max(value, low), high))))
        for run in segments:
            if len(run) > 1:
                coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline points="{coordinates}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
        for index, value in enumerate(points):
            if value is None:
                continue
            x, y = x_of(index), y_of(min(max(value, low), high))
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}">'
                f"<title>{escape(name)} {escape(labels[index])}: {escape(_fmt(value))}{escape(value_suffix)}</title>"
                f"</circle>"
            )
            label_y = y - 7 if highest.get(index) == number else y + 15
            parts.append(_text(x, label_y, _fmt(value), size=10, anchor="middle", fill=color))
        # Legend: three entries per row under the plot.
        row, column = divmod(number, 3)
        lx = left + column * (plot_w / 3)
        ly = top + plot_h + 32 + row * 20
        parts.append(
            f'<line x1="{lx:.1f}" y1="{ly - 4:.1f}" x2="{lx + 22:.1f}" y2="{ly - 4:.1f}" stroke="{color}" '
            f'stroke-width="2"{dash}/>'
        )
        parts.append(_text(lx + 28, ly, name, size=11))
    parts.append("</svg>")
    return "".join(parts)


def sparkline_svg(values, *, labels, title, width=120, height=28, y_min=None, y_max=None, value_suffix=""):
    """A small line of `values` (None leaves a gap) for a table cell: no axes, the last point marked, each point's
    label and value in its tooltip. The number beside it on the page is the figure; the line shows its course."""
    numbers = [_num(value) for value in values]
    if len(numbers) != len(labels):
        raise ValueError(f"{len(numbers)} values for {len(labels)} labels")
    known = [value for value in numbers if value is not None]
    low = float(y_min) if y_min is not None else (min(known) if known else 0.0)
    high = float(y_max) if y_max is not None else (max(known) if known else 1.0)
    if high - low < 1e-9:
        low, high = low - 1.0, high + 1.0
    pad = 3
    step = (width - 2 * pad) / max(len(numbers) - 1, 1)

    def point(index, value):
        clamped = min(max(value, low), high)
        return pad + step * index, pad + (height - 2 * pad) * (high - clamped) / (high - low)

    parts = _open(width, height, None, title)
    segment = []
    segments = [segment]
    for index, value in enumerate(numbers):
        if value is None:
            segment = []
            segments.append(segment)
        else:
            segment.append(point(index, value))
    for run in segments:
        if len(run) > 1:
            coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(f'<polyline points="{coordinates}" fill="none" stroke="{PALETTE[0]}" stroke-width="1.5"/>')
    last = max((index for index, value in enumerate(numbers) if value is not None), default=None)
    for index, value in enumerate(numbers):
        if value is None:
            continue
        x, y = point(index, value)
        radius = 2.5 if index == last else 1.5
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{PALETTE[0]}">'
            f"<title>{escape(str(labels[index]))}: {escape(_fmt(value))}{escape(value_suffix)}</title></circle>"
        )
    parts.append("</svg>")
    return "".join(parts)
