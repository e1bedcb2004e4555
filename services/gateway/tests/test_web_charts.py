"""The dashboard's server-drawn charts: plain values in, well-formed, escaped SVG out."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

from gateway_service.web.charts import (
    AdherenceWeek,
    PatternWeek,
    SeriesPoint,
    adherence_chart,
    e1rm_chart,
)
from gateway_service.web.dashboard import iso_week, recent_prs, week_of

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_an_e1rm_line_has_one_point_per_day_oldest_left_and_lower_is_lower() -> None:
    points = [
        SeriesPoint(date(2026, 11, 9), Decimal("120")),
        SeriesPoint(date(2026, 11, 2), Decimal("110")),
        SeriesPoint(date(2026, 11, 16), Decimal("133.33")),
    ]
    root = parse(e1rm_chart(points, title="Back squat", unit="kg"))
    circles = root.findall(f"{SVG}circle")
    assert len(circles) == 3
    xs = [float(c.get("cx", "")) for c in circles]
    ys = [float(c.get("cy", "")) for c in circles]
    assert xs == sorted(xs), "oldest day left"
    assert ys[0] > ys[1] > ys[2], "a heavier e1RM is drawn higher (smaller y)"
    tips = [c.findtext(f"{SVG}title") for c in circles]
    assert tips == ["2026-11-02: 110 kg", "2026-11-09: 120 kg", "2026-11-16: 133.3 kg"]
    assert root.find(f"{SVG}polyline") is not None
    assert root.get("role") == "img"
    assert "Back squat" in (root.get("aria-label") or "")


def test_days_are_spaced_by_date_so_a_training_gap_shows() -> None:
    points = [
        SeriesPoint(date(2026, 1, 1), Decimal(100)),
        SeriesPoint(date(2026, 1, 2), Decimal(101)),
        SeriesPoint(date(2026, 1, 31), Decimal(102)),
    ]
    xs = [
        float(c.get("cx", ""))
        for c in parse(e1rm_chart(points, title="x", unit="kg")).iter(f"{SVG}circle")
    ]
    assert (xs[2] - xs[1]) > 20 * (xs[1] - xs[0])


def test_one_point_is_centred_and_drawn_without_a_line() -> None:
    root = parse(e1rm_chart([SeriesPoint(date(2026, 5, 1), Decimal(60))], title="Row", unit="lb"))
    (circle,) = root.findall(f"{SVG}circle")
    assert float(circle.get("cx", "")) == (56 + 560 - 16) / 2
    assert root.find(f"{SVG}polyline") is None


def test_no_points_says_so() -> None:
    svg = e1rm_chart([], title="Deadlift", unit="kg")
    assert "No e1RM yet" in svg
    assert parse(svg).find(f"{SVG}circle") is None


def test_text_is_escaped() -> None:
    svg = e1rm_chart(
        [SeriesPoint(date(2026, 5, 1), Decimal(60))], title='<script>"x"</script>', unit="kg"
    )
    root = parse(svg)  # well-formed despite the markup in the title
    assert root.find(f".//{SVG}script") is None
    assert "&lt;script&gt;" in svg


def _week(label: str, done: dict[str, int], on: bool) -> AdherenceWeek:
    ranges = {"squat": (2, 3), "hinge": (1, 2), "push": (2, 3), "pull": (2, 3)}
    patterns = {}
    for pattern, (low, high) in ranges.items():
        n = done.get(pattern, 0)
        status = "below" if n < low else "above" if n > high else "in_range"
        patterns[pattern] = PatternWeek(n, low, high, status)
    return AdherenceWeek(label, patterns, on)


def test_adherence_is_a_grid_of_weeks_by_pattern_coloured_by_status() -> None:
    weeks = [
        _week("2026-W47", {"squat": 1, "hinge": 0, "push": 2, "pull": 2}, False),
        _week("2026-W48", {"squat": 2, "hinge": 1, "push": 4, "pull": 2}, True),
    ]
    root = parse(adherence_chart(weeks))
    cells = root.findall(f"{SVG}g")
    assert len(cells) == 8
    titles = [g.findtext(f"{SVG}title") for g in cells]
    assert "2026-W47 hinge: 0 of 1\u20132 (below)" in titles
    assert "2026-W48 push: 4 of 2\u20133 (above)" in titles
    fills = {g.findtext(f"{SVG}title"): g.find(f"{SVG}rect").get("fill") for g in cells}  # type: ignore[union-attr]
    assert fills["2026-W47 squat: 1 of 2\u20133 (below)"] == "#ffebe9"
    assert fills["2026-W48 squat: 2 of 2\u20133 (in range)"] == "#dafbe1"
    marks = [t.text for t in root.findall(f"{SVG}text") if t.text == "\u2713"]
    assert marks == ["\u2713"], "only the week on protocol is marked"


def test_an_unknown_count_shows_a_dash_and_no_weeks_say_so() -> None:
    week = AdherenceWeek("2026-W01", {"squat": PatternWeek(None, 2, 3, "unknown")}, None)
    assert "2026-W01 squat: \u2013 of 2\u20133 (unknown)" in adherence_chart([week])
    assert "No training weeks yet" in adherence_chart([])


def test_this_week_comes_from_progress_or_is_all_zero() -> None:
    progress = {
        "weeks": [
            {"week": "2026-W48", "patterns": {"squat": {"done": 2}}, "on_protocol": False},
        ]
    }
    assert iso_week(date(2026, 11, 25)) == "2026-W48"
    assert week_of(progress, date(2026, 11, 25))["patterns"] == {"squat": {"done": 2}}
    empty = week_of(progress, date(2026, 12, 2))
    assert empty["on_protocol"] is False
    assert empty["patterns"]["hinge"] == {"done": 0, "min": 1, "max": 2, "status": "below"}


def test_prs_of_this_week_only_newest_first() -> None:
    progress = {
        "exercises": {
            "bench-press": {
                "prs": [
                    {"kind": "e1rm", "date": "2026-11-20", "value": 100},
                    {"kind": "load", "date": "2026-11-24", "value": 90},
                ]
            },
            "deadlift": {"prs": [{"kind": "reps", "date": "2026-11-25", "value": 9}]},
        }
    }
    found = recent_prs(progress, date(2026, 11, 23))
    assert [(p["exercise"], p["kind"]) for p in found] == [
        ("deadlift", "reps"),
        ("bench-press", "load"),
    ]
