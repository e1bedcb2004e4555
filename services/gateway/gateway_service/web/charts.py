"""Server-rendered SVG charts for the dashboard: an e1RM line per lift, weekly adherence.

Pure functions from plain values to SVG text: no I/O, no browser library, so a kiosk or
dashboard without internet draws them and the tests read them as text. Every piece of
text that reaches the SVG is escaped, so a name cannot inject markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

# Colours chosen for contrast on white (WCAG AA for the text ones).
INK = "#1b1f24"
MUTED = "#57606a"
GRID = "#d0d7de"
LINE = "#0550ae"
STATUS_FILL: Mapping[str, str] = {
    "below": "#ffebe9",
    "in_range": "#dafbe1",
    "above": "#fff8c5",
    "unknown": "#f6f8fa",
}
# The typographic dash of ranges ("1 to 2" drawn with an en dash) and of a missing count.
EN_DASH = "\u2013"
STATUS_WORD: Mapping[str, str] = {
    "below": "below",
    "in_range": "in range",
    "above": "above",
    "unknown": "unknown",
}


@dataclass(frozen=True)
class SeriesPoint:
    """The best e1RM of one training day, in the unit shown."""

    day: date
    value: Decimal


@dataclass(frozen=True)
class PatternWeek:
    """One pattern in one week: sessions done against the weekly range."""

    done: int | None
    min: int
    max: int
    status: str


@dataclass(frozen=True)
class AdherenceWeek:
    """One ISO week of a member: each pattern's count and whether all were in range."""

    label: str
    patterns: Mapping[str, PatternWeek]
    on_protocol: bool | None


def _num(value: float) -> str:
    """A coordinate with at most one decimal, so the SVG stays small and stable."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _fmt(value: Decimal) -> str:
    """A load for a label: no trailing zeros, at most one decimal."""
    rounded = value.quantize(Decimal("0.1"))
    return f"{rounded.normalize():f}"


def _svg(width: int, height: int, label: str, body: Sequence[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label={quoteattr(label)} '
        f'font-family="system-ui, sans-serif" font-size="13">'
        f"<title>{escape(label)}</title>{''.join(body)}</svg>"
    )


def _bounds(values: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """A value range with some air above and below, never empty."""
    low, high = min(values), max(values)
    pad = (high - low) * Decimal("0.1") or max(high * Decimal("0.05"), Decimal(1))
    return max(low - pad, Decimal(0)), high + pad


def e1rm_chart(
    points: Sequence[SeriesPoint],
    *,
    title: str,
    unit: str,
    width: int = 560,
    height: int = 240,
) -> str:
    """A line of the best e1RM per training day, oldest left; a note when there is none.

    Days are spaced by date, not by index, so a gap in training shows as a gap.
    """
    label = f"{title}: estimated one-rep max ({unit}) per training day"
    if not points:
        note = (
            f'<text x="{width // 2}" y="{height // 2}" text-anchor="middle" fill="{MUTED}">'
            f"No e1RM yet: log a working set of {escape(title)}.</text>"
        )
        return _svg(width, height, label, [note])
    ordered = sorted(points, key=lambda p: p.day)
    left, right, top, bottom = 56, 16, 28, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    low, high = _bounds([p.value for p in ordered])
    first, last = ordered[0].day, ordered[-1].day
    span_days = max((last - first).days, 1)

    def x(day: date) -> float:
        if first == last:
            return left + plot_w / 2
        return left + plot_w * (day - first).days / span_days

    def y(value: Decimal) -> float:
        return top + plot_h * float((high - value) / (high - low))

    body = [
        f'<text x="{left}" y="18" fill="{INK}" font-weight="600">'
        f"{escape(title)} · e1RM ({escape(unit)})</text>"
    ]
    for value in (low, (low + high) / 2, high):
        gy = _num(y(value))
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{gy}" y2="{gy}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{gy}" dy="4" text-anchor="end" fill="{MUTED}">'
            f"{_fmt(value)}</text>"
        )
    body.append(
        f'<text x="{left}" y="{height - 10}" fill="{MUTED}">{first.isoformat()}</text>'
        f'<text x="{width - right}" y="{height - 10}" text-anchor="end" fill="{MUTED}">'
        f"{last.isoformat()}</text>"
    )
    coords = [(x(p.day), y(p.value)) for p in ordered]
    if len(coords) > 1:
        path = " ".join(f"{_num(cx)},{_num(cy)}" for cx, cy in coords)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2.5" '
            'stroke-linejoin="round"/>'
        )
    for point, (cx, cy) in zip(ordered, coords, strict=True):
        body.append(
            f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="4" fill="{LINE}">'
            f"<title>{point.day.isoformat()}: {_fmt(point.value)} {escape(unit)}</title>"
            "</circle>"
        )
    return _svg(width, height, label, body)


def adherence_chart(
    weeks: Sequence[AdherenceWeek],
    *,
    patterns: Sequence[str] = ("squat", "hinge", "push", "pull"),
    cell: int = 56,
) -> str:
    """A grid of weeks (columns, oldest left) by pattern (rows): sessions done, coloured
    by status against the weekly range, with a mark under each week on protocol."""
    label = "Weekly pattern adherence: sessions per pattern against the protocol's range"
    left, top = 64, 40
    # At least wide enough for the title, however few weeks there are.
    width = max(left + cell * len(weeks) + 8, 320)
    height = top + cell * len(patterns) + 28
    if not weeks:
        note = f'<text x="{left}" y="{top + 20}" fill="{MUTED}">No training weeks yet.</text>'
        return _svg(width, height, label, [note])
    body = [f'<text x="0" y="18" fill="{INK}" font-weight="600">Weekly adherence</text>']
    for row, pattern in enumerate(patterns):
        cy = top + row * cell + cell / 2
        body.append(
            f'<text x="{left - 8}" y="{_num(cy)}" dy="4" text-anchor="end" fill="{INK}">'
            f"{escape(pattern)}</text>"
        )
    for column, week in enumerate(weeks):
        cx = left + column * cell
        body.append(
            f'<text x="{cx + cell / 2:.0f}" y="{top - 8}" text-anchor="middle" '
            f'fill="{MUTED}" font-size="11">{escape(week.label)}</text>'
        )
        for row, pattern in enumerate(patterns):
            entry = week.patterns.get(pattern)
            status = entry.status if entry else "unknown"
            done = EN_DASH if entry is None or entry.done is None else str(entry.done)
            wanted = "" if entry is None else f" of {entry.min}{EN_DASH}{entry.max}"
            word = STATUS_WORD.get(status, status)
            y0 = top + row * cell
            fill = STATUS_FILL.get(status, STATUS_FILL["unknown"])
            body.append(
                f"<g><title>{escape(week.label)} {escape(pattern)}: {done}{wanted} ({word})"
                f'</title><rect x="{cx + 2}" y="{y0 + 2}" width="{cell - 4}" '
                f'height="{cell - 4}" rx="6" fill="{fill}"'
                f' stroke="{GRID}"/><text x="{cx + cell / 2:.0f}" y="{y0 + cell / 2:.0f}" '
                f'dy="5" text-anchor="middle" fill="{INK}" font-size="16" font-weight="600">'
                f"{done}</text></g>"
            )
        mark = "✓" if week.on_protocol else ""
        body.append(
            f'<text x="{cx + cell / 2:.0f}" y="{height - 8}" text-anchor="middle" '
            f'fill="#1a7f37" font-weight="700">{mark}</text>'
        )
    return _svg(width, height, label, body)
