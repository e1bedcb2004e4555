"""The conformance rule (docs/protocol.md §1 window rule, §2 rep range), on plain values."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from myokine.patterns import REP_MAX, REP_MIN, WEEKLY_RANGES, Pattern
from program_service.domain.conformance import Rule, Violation, check, windows
from program_service.domain.plans import Plan, Slot, TrainingDay
from program_service.domain.ready_made import READY_MADE

SQ, HI, PU, PL = Pattern.SQUAT, Pattern.HINGE, Pattern.PUSH, Pattern.PULL
EXERCISE = {SQ: "barbell-back-squat", HI: "deadlift", PU: "bench-press", PL: "barbell-row"}


def day(name: str, *patterns: Pattern, rep_min: int = 6, rep_max: int = 12) -> TrainingDay:
    return TrainingDay(
        name=name,
        slots=tuple(
            Slot(exercise=EXERCISE[p], pattern=p, rep_min=rep_min, rep_max=rep_max)
            for p in patterns
        ),
    )


def plan(sessions: int, *days: TrainingDay) -> Plan:
    return Plan(name="test", sessions_per_week=sessions, days=days)


def found(violations: list[Violation]) -> set[tuple[str, str, str]]:
    return {(v.pattern, v.rule, v.day) for v in violations}


# --- docs/protocol.md's own examples -------------------------------------------------------


def test_protocol_example_two_days_three_sessions_conforms() -> None:
    # A = squat, push, pull; B = hinge, squat, push, pull; N = 3 -> squat 3, push 3,
    # pull 3, hinge 1-2: conforms.
    assert check(plan(3, day("A", SQ, PU, PL), day("B", HI, SQ, PU, PL))) == []


def test_protocol_example_one_day_once_a_week_violates_squat_minimum() -> None:
    violations = check(plan(1, day("A", SQ, PU, PL)))
    squat = [v for v in violations if v.pattern is SQ]
    assert len(squat) == 1
    assert squat[0].rule is Rule.WEEKLY_MIN
    assert (squat[0].count, squat[0].minimum, squat[0].maximum) == (1, 2, 3)
    assert squat[0].day == "A"
    assert squat[0].window == ("A",)
    # Every other pattern is short as well: hinge 0 of 1, push and pull 1 of 2.
    assert found(violations) == {
        (SQ, Rule.WEEKLY_MIN, "A"),
        (HI, Rule.WEEKLY_MIN, "A"),
        (PU, Rule.WEEKLY_MIN, "A"),
        (PL, Rule.WEEKLY_MIN, "A"),
    }


# --- the window rule ---------------------------------------------------------------------


def test_windows_wrap_around_the_rotation() -> None:
    a, b, c = day("A", SQ), day("B", HI), day("C", PU)
    assert [[d.name for d in w] for w in windows((a, b, c), 2)] == [
        ["A", "B"],
        ["B", "C"],
        ["C", "A"],
    ]
    assert [[d.name for d in w] for w in windows((a, b), 5)] == [
        ["A", "B", "A", "B", "A"],
        ["B", "A", "B", "A", "B"],
    ]


def test_full_body_twice_a_week_conforms() -> None:
    assert check(plan(2, day("A", SQ, HI, PU, PL))) == []


def test_full_body_three_times_a_week_trains_hinge_too_often() -> None:
    violations = check(plan(3, day("A", SQ, HI, PU, PL)))
    assert found(violations) == {(HI, Rule.WEEKLY_MAX, "A")}
    (hinge,) = violations
    assert (hinge.count, hinge.minimum, hinge.maximum) == (3, 1, 2)
    assert "hinge" in hinge.detail and "at most 2" in hinge.detail


def test_full_body_four_times_breaks_every_maximum() -> None:
    violations = check(plan(4, day("A", SQ, HI, PU, PL)))
    assert found(violations) == {(p, Rule.WEEKLY_MAX, "A") for p in (SQ, HI, PU, PL)}


def test_a_pattern_missing_from_every_day_is_below_minimum() -> None:
    violations = check(plan(3, day("A", SQ, PU, PL), day("B", SQ, PU, PL)))
    assert {(v.pattern, v.rule) for v in violations} == {(HI, Rule.WEEKLY_MIN)}


def test_only_the_offending_windows_are_reported_with_their_first_day() -> None:
    # A B C at N = 2: hinge only on C, so the window A-B has no hinge.
    violations = check(
        plan(
            2,
            day("A", SQ, PU, PL),
            day("B", SQ, PU, PL),
            day("C", SQ, HI, PU, PL),
        )
    )
    hinge = [v for v in violations if v.pattern is HI]
    assert [(v.rule, v.day, v.window) for v in hinge] == [(Rule.WEEKLY_MIN, "A", ("A", "B"))]
    # Squat, push and pull are on every day: two in every window of two, in range.
    assert {v.pattern for v in violations} == {HI}


def test_windows_holding_the_same_days_report_once() -> None:
    # At N = 2 with two days, windows A-B and B-A hold the same days.
    violations = check(plan(2, day("A", SQ, PU, PL), day("B", SQ, PU, PL)))
    assert found(violations) == {(HI, Rule.WEEKLY_MIN, "A")}


def test_uneven_rotation_against_weekly_count_is_checked_in_every_window() -> None:
    # Upper/lower with hinge on one lower day, three sessions a week: windows L1 U L2,
    # U L2 U, L2 U L1 ... the window U-L2-U trains squat once.
    violations = check(
        plan(
            3,
            day("L1", SQ, HI),
            day("U1", PU, PL),
            day("L2", SQ),
            day("U2", PU, PL),
        )
    )
    squat = {(v.rule, v.day) for v in violations if v.pattern is SQ}
    assert (Rule.WEEKLY_MIN, "U1") in squat
    assert (Rule.WEEKLY_MIN, "U2") in squat
    assert all(v.rule is not Rule.WEEKLY_MAX for v in violations)


def test_a_pattern_counts_once_per_day_however_many_exercises_train_it() -> None:
    double = TrainingDay(
        name="A",
        slots=(
            Slot("barbell-back-squat", SQ),
            Slot("goblet-squat", SQ),
            Slot("front-squat", SQ),
            Slot("deadlift", HI),
            Slot("bench-press", PU),
            Slot("barbell-row", PL),
        ),
    )
    assert check(plan(2, double)) == []


def test_the_ready_made_programs_conform() -> None:
    assert [p.sessions_per_week for p in READY_MADE] == [2, 3, 4]
    for ready in READY_MADE:
        assert check(ready) == [], ready.name


# --- rep ranges ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rep_min", "rep_max", "breaks"),
    [
        (6, 12, False),
        (8, 10, False),
        (6, 6, False),
        (12, 12, False),
        (5, 12, True),
        (6, 13, True),
        (3, 5, True),
        (12, 15, True),
        (1, 20, True),
    ],
)
def test_rep_ranges_must_lie_within_6_to_12(rep_min: int, rep_max: int, breaks: bool) -> None:
    program = plan(
        2,
        TrainingDay(
            name="A",
            slots=(
                Slot("barbell-back-squat", SQ, rep_min=rep_min, rep_max=rep_max),
                Slot("deadlift", HI),
                Slot("bench-press", PU),
                Slot("barbell-row", PL),
            ),
        ),
    )
    violations = check(program)
    if not breaks:
        assert violations == []
        return
    (v,) = violations
    assert (v.pattern, v.rule, v.day, v.exercise) == (
        SQ,
        Rule.REP_RANGE,
        "A",
        "barbell-back-squat",
    )
    assert (v.minimum, v.maximum) == (rep_min, rep_max)
    assert f"{REP_MIN}-{REP_MAX}" in v.detail


def test_every_rep_violation_is_listed_by_day() -> None:
    program = plan(
        3,
        day("A", SQ, PU, PL, rep_min=3, rep_max=5),
        day("B", HI, SQ, PU, PL, rep_min=12, rep_max=15),
    )
    rep = [(v.day, v.exercise) for v in check(program) if v.rule is Rule.REP_RANGE]
    assert rep == [
        ("A", "barbell-back-squat"),
        ("A", "bench-press"),
        ("A", "barbell-row"),
        ("B", "deadlift"),
        ("B", "barbell-back-squat"),
        ("B", "bench-press"),
        ("B", "barbell-row"),
    ]


def test_a_program_without_days_is_not_a_program() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        check(Plan(name="empty", sessions_per_week=2, days=()))


# --- properties ----------------------------------------------------------------------------

patterns = st.frozensets(st.sampled_from(list(Pattern)), min_size=1)
rotations = st.lists(patterns, min_size=1, max_size=7)
sessions = st.integers(min_value=1, max_value=7)


def as_plan(n: int, days: list[frozenset[Pattern]]) -> Plan:
    return plan(n, *(day(chr(ord("A") + i), *sorted(d)) for i, d in enumerate(days)))


def simulate(n: int, days: list[frozenset[Pattern]]) -> bool:
    """Conformance by brute force: walk the rotation for many weeks starting anywhere."""
    for start in range(len(days)):
        sequence = [days[(start + i) % len(days)] for i in range(n)]
        counts = Counter(p for d in sequence for p in d)
        for pattern, weekly in WEEKLY_RANGES.items():
            if not weekly.min <= counts[pattern] <= weekly.max:
                return False
    return True


@settings(max_examples=300)
@given(sessions, rotations)
def test_the_check_agrees_with_walking_the_rotation(n: int, days: list[frozenset[Pattern]]) -> None:
    assert (check(as_plan(n, days)) == []) == simulate(n, days)


@settings(max_examples=200)
@given(sessions, rotations, st.integers(min_value=0, max_value=6))
def test_starting_the_rotation_elsewhere_changes_no_finding(
    n: int, days: list[frozenset[Pattern]], shift: int
) -> None:
    shift %= len(days)
    before = check(as_plan(n, days))
    after = check(as_plan(n, days[shift:] + days[:shift]))
    assert {(v.pattern, v.rule) for v in before} == {(v.pattern, v.rule) for v in after}


@settings(max_examples=200)
@given(sessions, rotations)
def test_repeating_the_rotation_changes_no_finding(n: int, days: list[frozenset[Pattern]]) -> None:
    once = {(v.pattern, v.rule, v.count) for v in check(as_plan(n, days))}
    twice = {(v.pattern, v.rule, v.count) for v in check(as_plan(n, days + days))}
    assert once == twice


@settings(max_examples=200)
@given(sessions, rotations)
def test_every_window_finding_names_a_real_window_of_the_rotation(
    n: int, days: list[frozenset[Pattern]]
) -> None:
    program = as_plan(n, days)
    names = [d.name for d in program.days]
    for v in check(program):
        assert len(v.window) == n
        start = names.index(v.day)
        assert list(v.window) == [names[(start + i) % len(names)] for i in range(n)]
        weekly = WEEKLY_RANGES[v.pattern]
        assert v.count is not None
        if v.rule is Rule.WEEKLY_MIN:
            assert v.count < weekly.min
        else:
            assert v.count > weekly.max
