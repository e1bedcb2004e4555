"""The PIN backoff with plain values: waits that double and stop at a cap, per badge at a
kiosk, per badge in the chain, per kiosk; failures forgiven with time; who can make a member
wait where."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gateway_service.domain.pin_lock import (
    Backoff,
    FailureRun,
    PinPolicy,
    Scope,
    after_failure,
    after_success,
    badge_digest,
    success_changes,
    wait,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
# The defaults of the settings.
POLICY = PinPolicy(
    badge_at_kiosk=Backoff(5, 30 * SECOND, 900 * SECOND),
    badge_in_chain=Backoff(20, 30 * SECOND, 180 * SECOND),
    kiosk=Backoff(20, 30 * SECOND, 300 * SECOND),
)
AT_KIOSK = POLICY.badge_at_kiosk


def _fail(run: FailureRun, times: int, at: datetime = NOW) -> FailureRun:
    for _ in range(times):
        run = run.after_failure(at, AT_KIOSK)
    return run


def test_waits_start_at_the_fifth_failure_double_and_stop_at_the_longest() -> None:
    waits = [AT_KIOSK.wait_after(n).total_seconds() for n in range(1, 12)]
    assert waits == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]
    assert AT_KIOSK.wait_after(10_000) == AT_KIOSK.longest_wait


def test_four_wrong_pins_do_not_wait_the_fifth_waits_30_seconds() -> None:
    four = _fail(FailureRun(), 4)
    assert four.wait(NOW) == timedelta(0)
    fifth = four.after_failure(NOW, AT_KIOSK)
    assert fifth.wait(NOW) == 30 * SECOND
    assert fifth.wait(NOW + 29 * SECOND) == SECOND
    assert fifth.wait(NOW + 30 * SECOND) == timedelta(0)


def test_trying_as_each_wait_ends_doubles_it_up_to_15_minutes() -> None:
    run, at, waits = _fail(FailureRun(), 4), NOW, []
    for _ in range(9):
        run = run.after_failure(at, AT_KIOSK)
        waits.append(run.wait(at).total_seconds())
        at += run.wait(at)
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900, 900]


def test_one_failure_is_forgiven_per_longest_wait_but_none_while_waiting() -> None:
    four = _fail(FailureRun(), 4)
    assert four.counted(NOW + 14 * 60 * SECOND, AT_KIOSK).failures == 4
    assert four.counted(NOW + 15 * 60 * SECOND, AT_KIOSK).failures == 3
    assert four.counted(NOW + 60 * 60 * SECOND, AT_KIOSK).failures == 0
    # Time towards the next forgiven failure is kept across a failure.
    later = four.counted(NOW + 25 * 60 * SECOND, AT_KIOSK).after_failure(
        NOW + 25 * 60 * SECOND, AT_KIOSK
    )
    assert later.counted(NOW + 30 * 60 * SECOND, AT_KIOSK).failures == 3
    # A run waiting 8 minutes forgives nothing during them.
    waiting = _fail(FailureRun(), 9)
    assert waiting.wait(NOW) == 480 * SECOND
    assert waiting.counted(NOW + 480 * SECOND, AT_KIOSK).failures == 9
    assert waiting.counted(NOW + (480 + 900) * SECOND, AT_KIOSK).failures == 8


def test_typos_spread_over_the_day_never_add_up_to_a_wait() -> None:
    run = FailureRun()
    for hour in range(12):
        run = run.after_failure(NOW + timedelta(minutes=20 * hour), AT_KIOSK)
        assert run.wait(NOW + timedelta(minutes=20 * hour)) == timedelta(0)
        assert run.failures <= 2


def test_a_run_is_forgotten_when_it_counts_and_refuses_nothing() -> None:
    assert FailureRun().forgotten_at(AT_KIOSK) is None
    three = _fail(FailureRun(), 3)
    assert three.forgotten_at(AT_KIOSK) == NOW + 3 * 900 * SECOND
    assert three.counted(NOW + 3 * 900 * SECOND, AT_KIOSK) == FailureRun()
    waiting = _fail(FailureRun(), 5)
    assert waiting.forgotten_at(AT_KIOSK) == NOW + 30 * SECOND + 5 * 900 * SECOND


def test_the_longest_wait_of_the_three_runs_holds() -> None:
    runs = {
        Scope.BADGE_AT_KIOSK: FailureRun(5, NOW, NOW + 30 * SECOND),
        Scope.BADGE_IN_CHAIN: FailureRun(21, NOW, NOW + 60 * SECOND),
    }
    assert wait(runs, NOW) == 60 * SECOND
    assert wait(runs, NOW + 60 * SECOND) == timedelta(0)
    assert wait({}, NOW) == timedelta(0)


def test_a_wrong_pin_counts_in_every_scope_and_the_right_one_clears_this_kiosks() -> None:
    runs = after_failure({}, NOW, POLICY)
    assert {scope: run.failures for scope, run in runs.items()} == dict.fromkeys(Scope, 1)
    cleared = after_success(runs)
    assert cleared[Scope.BADGE_AT_KIOSK] == FailureRun()
    # A member signing in says nothing of guessing elsewhere or of other badges.
    assert cleared[Scope.BADGE_IN_CHAIN] == runs[Scope.BADGE_IN_CHAIN]
    assert cleared[Scope.KIOSK] == runs[Scope.KIOSK]


def test_the_right_pin_changes_the_runs_only_where_this_kiosk_still_counts_the_badge() -> None:
    # Nothing to start afresh: no run of the badge here, or one that counts nothing by now.
    assert not success_changes({}, NOW, POLICY)
    elsewhere = after_failure({}, NOW, POLICY)
    assert not success_changes({s: elsewhere[s] for s in (Scope.KIOSK,)}, NOW, POLICY)
    assert not success_changes({Scope.BADGE_AT_KIOSK: FailureRun()}, NOW, POLICY)
    two = {Scope.BADGE_AT_KIOSK: _fail(FailureRun(), 2)}
    assert success_changes(two, NOW, POLICY)
    assert not success_changes(two, NOW + 2 * 900 * SECOND, POLICY)  # both forgiven
    # A wait that has run out still leaves its failures to start afresh.
    waited = {Scope.BADGE_AT_KIOSK: _fail(FailureRun(), 5)}
    assert success_changes(waited, NOW + 30 * SECOND, POLICY)


def _attack(kiosks: int, hours: int) -> tuple[int, timedelta]:
    """A stranger guessing one badge at `kiosks` kiosks, each time the waits let them: the
    wrong PINs they get to try, and the longest the badge waits at every kiosk."""
    at_kiosks = [FailureRun() for _ in range(kiosks)]
    every_badge = [FailureRun() for _ in range(kiosks)]
    in_chain = FailureRun()
    tries, longest, at = 0, timedelta(0), NOW
    while at < NOW + timedelta(hours=hours):
        for k in range(kiosks):
            runs = {
                Scope.BADGE_AT_KIOSK: at_kiosks[k],
                Scope.BADGE_IN_CHAIN: in_chain,
                Scope.KIOSK: every_badge[k],
            }
            if wait(runs, at):
                continue
            runs = after_failure(runs, at, POLICY)
            at_kiosks[k], in_chain = runs[Scope.BADGE_AT_KIOSK], runs[Scope.BADGE_IN_CHAIN]
            every_badge[k] = runs[Scope.KIOSK]
            tries += 1
            longest = max(longest, in_chain.wait(at))
        at += 5 * SECOND
    return tries, longest


def test_strangers_at_one_gym_never_make_the_badge_wait_at_other_kiosks() -> None:
    for kiosks in (1, 2):
        tries, longest_everywhere = _attack(kiosks, hours=24)
        assert longest_everywhere == timedelta(0)
        # At each kiosk, about one wrong PIN per 15 minutes once the waits are long.
        assert tries <= kiosks * (10 + 24 * 4)


def test_strangers_at_many_kiosks_make_it_wait_everywhere_3_minutes_at_most() -> None:
    tries, longest_everywhere = _attack(kiosks=6, hours=6)
    assert longest_everywhere == 180 * SECOND
    # The chain's backstop: about one wrong PIN per 3 minutes, however many kiosks.
    assert tries <= 6 * 10 + 6 * 20 + 20


def test_a_badge_is_kept_as_its_digest() -> None:
    assert badge_digest("1001") == badge_digest("1001") != badge_digest("1002")
    assert len(badge_digest("1001")) == 64 and "1001" not in badge_digest("1001")
