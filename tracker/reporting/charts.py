"""Charts drawn on the server as SVG (no script, no CDN): a target's trajectory, the four
timeliness classes as bars, a trend of counts over time and a directive's timeline (Gantt).
Every chart has a text label and its figures are also shown as text on the page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from math import ceil

from flask_babel import gettext
from markupsafe import Markup, escape

from ..domain.timeliness import TimelinessCounts
from ..infra.i18n import format_amount

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 640, 260, 56, 16, 16, 36


def trajectory_svg(
    values: list[tuple[date, Decimal]],
    baseline: Decimal | None,
    target_value: Decimal | None,
    start: date | None,
    due: date | None,
    unit_of_measure: str = "",
) -> Markup:
    """Recorded values as a line, against the planned path from the baseline to the target;
    its words and figures in the page's language (62,5 in Vietnamese)."""
    days = [d for d, _ in values] + [d for d in (start, due) if d is not None]
    numbers = [float(v) for _, v in values] + [
        float(v) for v in (baseline, target_value) if v is not None
    ]
    if len(days) < 2 or not numbers:
        return Markup("")
    first, last = min(days), max(days)
    span = max((last - first).days, 1)
    low, high = min(0.0, *numbers), max(numbers)
    high = high if high > low else low + 1

    def x(day: date) -> float:
        return PAD_LEFT + (day - first).days / span * (WIDTH - PAD_LEFT - PAD_RIGHT)

    def y(value: float) -> float:
        return PAD_TOP + (high - value) / (high - low) * (HEIGHT - PAD_TOP - PAD_BOTTOM)

    unit = escape(unit_of_measure)
    title = gettext("Recorded values against the planned path to the target")
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<line x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH - PAD_RIGHT}" '
        f'y2="{HEIGHT - PAD_BOTTOM}" class="axis"/>',
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{HEIGHT - PAD_BOTTOM}" '
        'class="axis"/>',
        f'<text x="{PAD_LEFT - 6}" y="{y(high) + 4:.1f}" text-anchor="end">'
        f"{format_amount(high)}</text>",
        f'<text x="{PAD_LEFT - 6}" y="{y(low) + 4:.1f}" text-anchor="end">'
        f"{format_amount(low)}</text>",
        f'<text x="{PAD_LEFT}" y="{HEIGHT - 10}">{first:%d/%m/%Y}</text>',
        f'<text x="{WIDTH - PAD_RIGHT}" y="{HEIGHT - 10}" text-anchor="end">{last:%d/%m/%Y}</text>',
    ]
    if target_value is not None:
        ty = y(float(target_value))
        target_words = gettext("target %(value)s", value=format_amount(target_value))
        parts.append(
            f'<line x1="{PAD_LEFT}" y1="{ty:.1f}" x2="{WIDTH - PAD_RIGHT}" y2="{ty:.1f}" '
            'class="target"/>'
            f'<text x="{WIDTH - PAD_RIGHT}" y="{ty - 4:.1f}" text-anchor="end">'
            f"{escape(target_words)} {unit}</text>"
        )
        if baseline is not None and start is not None and due is not None:
            parts.append(
                f'<line x1="{x(start):.1f}" y1="{y(float(baseline)):.1f}" x2="{x(due):.1f}" '
                f'y2="{ty:.1f}" class="plan"/>'
            )
    if values:
        points = " ".join(f"{x(d):.1f},{y(float(v)):.1f}" for d, v in values)
        parts.append(f'<polyline points="{points}" class="actual"/>')
        parts += [
            f'<circle cx="{x(d):.1f}" cy="{y(float(v)):.1f}" r="4" class="actual">'
            f"<title>{d:%d/%m/%Y}: {format_amount(v)} {unit}</title></circle>"
            for d, v in values
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


# The four classes: colour, and a shape and a label so that colour is never the only cue.
CLASS_STYLE = {
    "completed_on_time": ("#1b7f3b", "✓"),
    "completed_late": ("#7a5c00", "✓"),
    "within_deadline": ("#1f5fa8", "○"),
    "overdue": ("#b3261e", "▲"),
}


def class_bars(counts: TimelinessCounts) -> Markup:
    """The four timeliness counts as labelled horizontal bars (an SVG for pages and PDFs),
    each class's name above its bar: drawn about as wide as the dashboard's half-width
    panel shows it, so its words keep their size (beside the bars, the Vietnamese names
    made a chart 670 wide, shrunk to 8-pixel text in a 460-pixel panel)."""
    from ..domain.timeliness import TIMELINESS_ORDER

    row_height, bar_width, value_width = 44, 360, 60
    width = bar_width + value_width
    largest = max((counts.count(t) for t in TIMELINESS_ORDER), default=0) or 1
    height = row_height * len(TIMELINESS_ORDER) + 4
    total = counts.total
    label = gettext("Tasks per timeliness class, %(total)s in all", total=total)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" '
        f'class="chart">'
    ]
    for index, klass in enumerate(TIMELINESS_ORDER):
        colour, mark = CLASS_STYLE[klass.value]
        value = counts.count(klass)
        top = 4 + index * row_height
        length = value / largest * bar_width
        name = escape(gettext(klass.label))
        parts.append(
            f'<text x="8" y="{top + 15}" font-size="14">{mark} {name}</text>'
            f'<rect x="8" y="{top + 21}" width="{length:.1f}" height="16" fill="{colour}"/>'
            f'<text x="{8 + length + 6:.1f}" y="{top + 34}" font-size="14">{value}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_svg(points: list[tuple[str, int]], label: str) -> Markup:
    """Counts over time as labelled columns (e.g. overdue tasks at each month's end); twelve
    are drawn about as wide as the dashboard's half-width panel shows them."""
    if not points:
        return Markup("")
    column, gap, top, bottom, height = 34, 8, 18, 34, 180
    largest = max(value for _, value in points) or 1
    width = len(points) * (column + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" '
        f'class="chart">'
    ]
    plot = height - top - bottom
    for index, (name, value) in enumerate(points):
        x = gap + index * (column + gap)
        bar = value / largest * plot
        y = top + plot - bar
        parts.append(
            f'<rect x="{x}" y="{y:.1f}" width="{column}" height="{bar:.1f}" fill="#b3261e"/>'
            f'<text x="{x + column / 2}" y="{y - 4:.1f}" font-size="12" '
            f'text-anchor="middle">{value}</text>'
            f'<text x="{x + column / 2}" y="{height - bottom + 16}" font-size="11" '
            f'text-anchor="middle">{escape(name)}</text>'
        )
    parts.append(
        f'<line x1="0" y1="{top + plot}" x2="{width}" y2="{top + plot}" stroke="#555"/></svg>'
    )
    return Markup("".join(parts))


@dataclass(frozen=True)
class TimelineRow:
    """One line of a timeline: a target heading, or a task / milestone with its dates."""

    label: str
    heading: bool = False
    start: date | None = None
    deadline: date | None = None
    original_deadline: date | None = None
    completed_on: date | None = None
    milestone: bool = False
    timeliness: str | None = None  # a Timeliness value; None when cancelled
    status_text: str = ""
    href: str = ""


def _month_starts(first: date, last: date) -> list[date]:
    months, day = [], date(first.year, first.month, 1)
    while day <= last:
        months.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return months


# The timeline's words are drawn in the page's 12 px DejaVu Sans, about 6.5–7 px a
# character in Vietnamese (measured in Chromium); its columns of words are sized by this.
GANTT_CHAR_PX = 7.2
GANTT_LABEL_CHARS = 40  # a task's code and title, cut with "…" past this


def gantt_svg(rows: list[TimelineRow], today: date, title: str) -> Markup:
    """A directive's targets, tasks and milestones on a time axis: a bar from start to
    deadline (an extension drawn as an outlined tail from the original deadline), a diamond
    for a milestone, a tick where the task was completed, month lines and today's line.
    Each task's class is written beside its bar, so the chart reads in black and white."""
    days = [today] + [
        d for r in rows for d in (r.start, r.deadline, r.original_deadline, r.completed_on) if d
    ]
    first, last = min(days), max(days)
    first = date(first.year, first.month, 1)
    last = date(last.year + (last.month == 12), last.month % 12 + 1, 1)
    plot_width, row_height, head = 560, 22, 30
    # the labels from x = 14, the class from 8 past the plot: each column as wide as its
    # words (a class with its unit runs to 45 characters in Vietnamese)
    label_width = 14 + ceil(GANTT_LABEL_CHARS * GANTT_CHAR_PX) + 8
    longest_status = max((len(row.status_text) + 2 for row in rows if not row.heading), default=0)
    status_width = max(170, 8 + ceil(longest_status * GANTT_CHAR_PX) + 8)
    span = max((last - first).days, 1)
    width = label_width + plot_width + status_width
    height = head + row_height * len(rows) + 10

    def x(day: date) -> float:
        return label_width + (day - first).days / span * plot_width

    parts = [
        # A labelled group, not an image: its task labels are links (an image's content is
        # hidden from assistive technology, and links inside one are unreachable). The group
        # is the element around the chart (HTML allows no such role on <svg> itself).
        f'<div class="chart-group" role="group" aria-label="{escape(title)}">'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" '
        f'class="chart gantt" font-family="DejaVu Sans, sans-serif">'
    ]
    months = _month_starts(first, last)
    step = max(1, len(months) // 18)
    for index, month in enumerate(months):
        parts.append(
            f'<line x1="{x(month):.1f}" y1="{head - 6}" x2="{x(month):.1f}" y2="{height}" '
            f'stroke="#e1e5ea"/>'
        )
        if index % step == 0:
            parts.append(
                f'<text x="{x(month) + 2:.1f}" y="{head - 10}" font-size="11" fill="#333">'
                f"{month:%m/%y}</text>"
            )
    for index, row in enumerate(rows):
        top = head + index * row_height
        label = escape(
            row.label
            if len(row.label) <= GANTT_LABEL_CHARS
            else row.label[: GANTT_LABEL_CHARS - 1] + "…"
        )
        if row.heading:
            parts.append(
                f'<rect x="0" y="{top}" width="{width}" height="{row_height}" fill="#eef2f7"/>'
                f'<text x="4" y="{top + 15}" font-size="12" font-weight="bold">{label}</text>'
            )
            continue
        colour, mark = CLASS_STYLE.get(row.timeliness or "", ("#8a8f96", "×"))
        text = f'<text x="14" y="{top + 15}" font-size="11">{label}</text>'
        if row.href:
            text = f'<a href="{escape(row.href)}">{text}</a>'
        parts.append(text)
        if row.milestone and row.deadline:
            cx, cy = x(row.deadline), top + row_height / 2
            parts.append(
                f'<polygon points="{cx:.1f},{cy - 7} {cx + 7:.1f},{cy} {cx:.1f},{cy + 7} '
                f'{cx - 7:.1f},{cy}" fill="{colour}"/>'
            )
        elif row.deadline:
            start = row.start or row.deadline
            judged_end = row.original_deadline or row.deadline
            parts.append(
                f'<rect x="{x(start):.1f}" y="{top + 5}" '
                f'width="{max(x(judged_end) - x(start), 2):.1f}" height="12" fill="{colour}"/>'
            )
            if row.original_deadline and row.deadline > row.original_deadline:
                parts.append(
                    f'<rect x="{x(row.original_deadline):.1f}" y="{top + 5}" '
                    f'width="{x(row.deadline) - x(row.original_deadline):.1f}" height="12" '
                    f'fill="none" stroke="{colour}" stroke-dasharray="3 2"/>'
                )
        if row.completed_on:
            cx = x(row.completed_on)
            parts.append(
                f'<line x1="{cx:.1f}" y1="{top + 2}" x2="{cx:.1f}" y2="{top + 20}" '
                f'stroke="#111" stroke-width="2"/>'
            )
        parts.append(
            f'<text x="{label_width + plot_width + 8}" y="{top + 15}" font-size="11">'
            f"{mark} {escape(row.status_text)}</text>"
        )
    today_x, today_word = x(today), gettext("today")
    parts.append(
        f'<line x1="{today_x:.1f}" y1="{head - 6}" x2="{today_x:.1f}" y2="{height}" '
        f'stroke="#111" stroke-width="1.5" stroke-dasharray="5 3"/>'
        f'<text x="{today_x + 3:.1f}" y="{height - 2}" font-size="11">'
        f"{escape(today_word)}</text></svg></div>"
    )
    return Markup("".join(parts))
