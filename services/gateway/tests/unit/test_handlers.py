"""Every use case of the gateway on the in-memory unit of work and fake services.

What the integration tests show on PostgreSQL and real services, here without I/O: what
each use case stores and commits, what it asks which service (as whom, with which
Idempotency-Key), how it shows the answer, that a refused request commits nothing, and
that a redelivered event is applied once.
"""

from __future__ import annotations

import copy
import uuid
from datetime import timedelta
from decimal import Decimal
from inspect import signature
from typing import Any

import pytest

from gateway_service import credentials, queries
from gateway_service.domain.pin_lock import Backoff, PinPolicy, Scope
from gateway_service.domain.today import KnownTarget
from gateway_service.handlers import events, identity, kiosk, members, trainer
from gateway_service.repository import GatewayRepository, MemberNews, SqlGatewayRepository
from gateway_service.schemas.identity import GymOut
from gateway_service.schemas.kiosk import SetIn, SetPatch
from gateway_service.schemas.members import AssignmentIn, MemberChange, MemberOut
from gateway_service.schemas.programs import ProgramIn
from gateway_service.service_clients import ServiceProblem, Services
from myokine.events import MilestoneReached, PersonalRecord, TargetsUpdated
from myokine.problems import (
    Conflict,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
)
from myokine.units import Unit, from_kg

from .conftest import PASSWORD, PIN, Tenant, Uow, assert_nothing_committed, fake
from .fakes import NOW, FakeGatewayRepository

_SECOND = timedelta(seconds=1)
POLICY = PinPolicy(
    badge_at_kiosk=Backoff(5, 30 * _SECOND, 900 * _SECOND),
    badge_in_chain=Backoff(20, 30 * _SECOND, 180 * _SECOND),
    kiosk=Backoff(20, 30 * _SECOND, 300 * _SECOND),
)
SET_ID = uuid.UUID("6f1c2b9e-1d7a-4a43-9a55-1b0c2e9c8a10")


def test_the_fake_repository_has_every_method_of_the_real_one() -> None:
    def methods(cls: type) -> dict[str, list[tuple[str, Any, Any]]]:
        return {
            name: [(p.name, p.kind, p.default) for p in signature(member).parameters.values()]
            for name, member in vars(cls).items()
            if callable(member) and not name.startswith("_")
        }

    real = methods(GatewayRepository)
    assert len(real) > 20
    assert methods(SqlGatewayRepository) == real
    fake_methods = methods(FakeGatewayRepository)
    assert {name: fake_methods.get(name) for name in real} == real


# --- identity: chains, gyms, kiosks --------------------------------------------------


def test_a_new_chain_is_stored(uow: Uow, repo: FakeGatewayRepository) -> None:
    chain = identity.create_chain(uow, "North Gyms")
    assert repo.chains[chain.id].name == chain.name == "North Gyms"
    assert uow.commits == 1


def test_a_taken_chain_name_is_a_conflict(uow: Uow, tenant: Tenant) -> None:
    with pytest.raises(Conflict, match="exists already"):
        identity.create_chain(uow, tenant.chain.name)
    assert_nothing_committed(uow)


def test_a_gym_keeps_its_time_zone_and_unit(uow: Uow, tenant: Tenant) -> None:
    gym = identity.create_gym(uow, tenant.chain.id, "East", "America/Chicago", "lb")
    assert (gym.chain_id, gym.timezone, gym.unit) == (tenant.chain.id, "America/Chicago", Unit.LB)
    assert uow.commits == 1


@pytest.mark.parametrize(
    ("timezone", "unit", "field"), [("Mars/Olympus", "kg", "timezone"), ("UTC", "stone", "unit")]
)
def test_a_gym_needs_a_real_time_zone_and_unit(
    uow: Uow, tenant: Tenant, timezone: str, unit: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        identity.create_gym(uow, tenant.chain.id, "East", timezone, unit)
    assert refused.value.errors is not None
    assert refused.value.errors[0]["field"] == field
    assert_nothing_committed(uow)


def test_a_gym_needs_its_chain_and_a_free_name(uow: Uow, tenant: Tenant) -> None:
    with pytest.raises(NotFound):
        identity.create_gym(uow, uuid.uuid4(), "East", "UTC", "kg")
    with pytest.raises(Conflict):
        identity.create_gym(uow, tenant.chain.id, tenant.gym.name, "UTC", "kg")
    assert_nothing_committed(uow)


def test_a_new_kiosk_gets_a_token_only_its_hash_is_kept(
    uow: Uow, repo: FakeGatewayRepository, tenant: Tenant
) -> None:
    made, token = identity.create_kiosk(uow, tenant.gym.id, "front")
    assert (made.chain_id, made.gym_id, made.name) == (tenant.chain.id, tenant.gym.id, "front")
    assert token.startswith(credentials.KIOSK_TOKEN_PREFIX)
    assert repo.kiosks[made.id].token_hash == credentials.kiosk_token_hash(token)
    assert queries.authenticate_kiosk(uow, token) is not None


def test_a_kiosk_needs_its_gym_and_a_free_name(uow: Uow, tenant: Tenant) -> None:
    with pytest.raises(NotFound):
        identity.create_kiosk(uow, uuid.uuid4(), "front")
    with pytest.raises(Conflict):
        identity.create_kiosk(uow, tenant.gym.id, tenant.kiosk.name)
    assert_nothing_committed(uow)


def test_a_rotated_kiosk_token_replaces_the_old_one(uow: Uow, tenant: Tenant) -> None:
    tenant.kiosk.revoked_at = NOW
    new = identity.rotate_kiosk_token(uow, tenant.kiosk.id)
    assert queries.authenticate_kiosk(uow, tenant.kiosk_token) is None
    found = queries.authenticate_kiosk(uow, new)
    assert found is not None and found.kiosk_id == tenant.kiosk.id
    assert uow.commits == 1


def test_rotating_an_unknown_kiosk_is_not_found(uow: Uow) -> None:
    with pytest.raises(NotFound):
        identity.rotate_kiosk_token(uow, uuid.uuid4())
    assert_nothing_committed(uow)


# --- identity: trainers ---------------------------------------------------------------


def test_a_new_trainer_signs_in_with_their_email_in_any_case(uow: Uow, tenant: Tenant) -> None:
    made = identity.create_trainer(
        uow, tenant.chain.id, email="Casey@North.example", name="Casey", password=PASSWORD
    )
    assert (made.email, made.role) == ("casey@north.example", "trainer")
    signed_in = queries.authenticate_trainer(uow, "CASEY@north.example", PASSWORD)
    assert signed_in.trainer_id == made.id


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [("casey", PASSWORD, "email"), ("casey@north.example", "short", "password")],
)
def test_a_trainer_needs_an_email_and_a_long_password(
    uow: Uow, tenant: Tenant, email: str, password: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        identity.create_trainer(uow, tenant.chain.id, email=email, name="C", password=password)
    assert refused.value.errors is not None
    assert refused.value.errors[0]["field"] == field
    assert_nothing_committed(uow)


def test_a_trainer_needs_their_chain_and_a_free_email(uow: Uow, tenant: Tenant) -> None:
    with pytest.raises(NotFound):
        identity.create_trainer(uow, uuid.uuid4(), email="c@x.example", name="C", password=PASSWORD)
    with pytest.raises(Conflict):
        identity.create_trainer(
            uow, tenant.chain.id, email=tenant.trainer.email.upper(), name="C", password=PASSWORD
        )
    assert_nothing_committed(uow)


def test_a_new_password_replaces_the_old_one(uow: Uow, tenant: Tenant) -> None:
    identity.set_trainer_password(uow, tenant.trainer.email, "another long one")
    with pytest.raises(Unauthorized):
        queries.authenticate_trainer(uow, tenant.trainer.email, PASSWORD)
    assert queries.authenticate_trainer(uow, tenant.trainer.email, "another long one")


def test_a_new_password_needs_a_trainer_and_length(uow: Uow, tenant: Tenant) -> None:
    with pytest.raises(NotFound):
        identity.set_trainer_password(uow, "nobody@x.example", "another long one")
    with pytest.raises(InvalidInput):
        identity.set_trainer_password(uow, tenant.trainer.email, "short")
    assert_nothing_committed(uow)


# --- identity: members ----------------------------------------------------------------


def test_a_new_member_trains_in_their_gyms_unit_unless_told(uow: Uow, tenant: Tenant) -> None:
    default = identity.create_member(uow, tenant.gym.id, name="Ada", badge="77", pin="2468")
    chosen = identity.create_member(
        uow, tenant.gym.id, name="Ben", badge="78", pin="2468", unit="lb"
    )
    assert (default.unit, chosen.unit) == (Unit.KG, Unit.LB)
    assert (default.home_gym_id, default.created_at) == (tenant.gym.id, NOW)
    assert queries.pin_works(uow, tenant.chain.id, "77", "2468")


@pytest.mark.parametrize(
    ("badge", "pin", "unit", "field"),
    [
        ("77", "12", None, "pin"),
        ("77", "12ab", None, "pin"),
        (" ", "2468", None, "badge"),
        ("77", "2468", "stone", "unit"),
    ],
)
def test_a_member_needs_a_badge_a_pin_of_digits_and_a_unit(
    uow: Uow, tenant: Tenant, badge: str, pin: str, unit: str | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        identity.create_member(uow, tenant.gym.id, name="Ada", badge=badge, pin=pin, unit=unit)
    assert refused.value.errors is not None
    assert refused.value.errors[0]["field"] == field
    assert_nothing_committed(uow)


def test_a_member_needs_a_gym_and_a_free_badge(uow: Uow, tenant: Tenant, other: Tenant) -> None:
    with pytest.raises(NotFound):
        identity.create_member(uow, uuid.uuid4(), name="Ada", badge="77", pin="2468")
    with pytest.raises(Conflict):
        identity.create_member(
            uow, tenant.gym.id, name="Ada", badge=tenant.member.badge, pin="2468"
        )
    assert_nothing_committed(uow)
    # Badges are unique within a chain only.
    identity.create_member(uow, other.gym.id, name="Ada", badge=tenant.member.badge, pin="2468")


def test_a_pin_reset_forgets_the_badges_wrong_pins(uow: Uow, tenant: Tenant) -> None:
    for _ in range(5):
        with pytest.raises((Unauthorized, TooManyRequests)):
            _identify(uow, tenant, "8642")
    identity.reset_pin(uow, tenant.chain.id, tenant.member.badge, "8642")
    # The kiosk's run is of every badge there: it stays.
    assert _runs(uow) == {"kiosk": 5}
    assert queries.pin_works(uow, tenant.chain.id, tenant.member.badge, "8642")
    assert not queries.pin_works(uow, tenant.chain.id, tenant.member.badge, PIN)
    assert _identify(uow, tenant, "8642").member_id == tenant.member.id


def test_a_pin_reset_needs_the_member_and_a_good_pin(uow: Uow, tenant: Tenant) -> None:
    with pytest.raises(NotFound):
        identity.reset_pin(uow, tenant.chain.id, "no such badge", "8642")
    with pytest.raises(InvalidInput):
        identity.reset_pin(uow, tenant.chain.id, tenant.member.badge, "1")
    with pytest.raises(InvalidInput) as weak:
        identity.reset_pin(uow, tenant.chain.id, tenant.member.badge, "4321")
    assert weak.value.errors == [
        {
            "field": "pin",
            "message": "too easy to guess (digits in a row, up or down): choose another",
        }
    ]
    assert_nothing_committed(uow)


def test_a_member_given_a_new_badge_does_not_inherit_its_wrong_pins(
    uow: Uow, tenant: Tenant
) -> None:
    for _ in range(5):
        with pytest.raises((Unauthorized, TooManyRequests)):
            _identify(uow, tenant, PIN, badge="B9")
    members.change_member(uow, tenant.signed_in, tenant.member.id, MemberChange(badge="B9"))
    assert _identify(uow, tenant, PIN, badge="B9").member_id == tenant.member.id


# --- identity: identify at the kiosk --------------------------------------------------


def _identify(
    uow: Uow, tenant: Tenant, pin: str, *, seconds: float = 0, badge: str | None = None
) -> Any:
    return identity.identify_member(
        uow,
        tenant.at_kiosk,
        tenant.member.badge if badge is None else badge,
        pin,
        POLICY,
        now=NOW + timedelta(seconds=seconds),
    )


def _runs(uow: Uow) -> dict[str, int]:
    """The failures each run counts, by scope (runs that count nothing left out)."""
    repo = uow.repo
    assert isinstance(repo, FakeGatewayRepository)
    return {run.scope: run.failures for run in repo.pin_runs.values() if run.failures}


def test_the_right_pin_identifies_the_member_and_clears_this_kiosks_run(
    uow: Uow, tenant: Tenant
) -> None:
    for _ in range(2):
        with pytest.raises(Unauthorized):
            _identify(uow, tenant, "8642")
    member = _identify(uow, tenant, PIN)
    assert (member.member_id, member.unit, member.kiosk) == (
        tenant.member.id,
        Unit.LB,
        tenant.at_kiosk,
    )
    # The chain's and the kiosk's runs forgive with time, not with a member's success.
    assert _runs(uow) == {"badge_in_chain": 2, "kiosk": 2}


def test_identifying_records_the_visit_and_moves_an_old_pin_hash_to_the_pin_profile(
    uow: Uow, tenant: Tenant
) -> None:
    tenant.member.pin_hash = credentials.hash_secret(PIN)  # the password profile, as before
    _identify(uow, tenant, PIN)
    assert not credentials.pin_needs_rehash(tenant.member.pin_hash)
    assert credentials.verify_pin(tenant.member.pin_hash, PIN)
    repo = uow.repo
    assert isinstance(repo, FakeGatewayRepository)
    assert repo.visits[(tenant.member.id, tenant.gym.id)] == NOW


def test_a_deactivated_members_badge_is_refused_like_an_unknown_one(
    uow: Uow, tenant: Tenant
) -> None:
    tenant.member.active = False
    with pytest.raises(Unauthorized):
        _identify(uow, tenant, PIN)


def test_a_wrong_pin_is_refused_and_counted_in_every_scope(uow: Uow, tenant: Tenant) -> None:
    with pytest.raises(Unauthorized) as refused:
        _identify(uow, tenant, "8642")
    assert refused.value.headers == {}
    # The refusal is committed, so the count survives it.
    assert (_runs(uow), uow.commits) == (dict.fromkeys(Scope, 1), 1)


def test_the_wrong_pin_that_reaches_the_limit_starts_a_wait_that_refuses_even_the_right_one(
    uow: Uow, tenant: Tenant
) -> None:
    for _ in range(POLICY.badge_at_kiosk.failures_before_wait - 1):
        with pytest.raises(Unauthorized):
            _identify(uow, tenant, "8642")
    with pytest.raises(TooManyRequests) as waiting:
        _identify(uow, tenant, "8642")
    assert waiting.value.headers == {"Retry-After": "30"}
    assert waiting.value.body()["retry_after"] == 30
    commits = uow.commits
    with pytest.raises(TooManyRequests) as still:
        _identify(uow, tenant, PIN, seconds=20)
    assert still.value.headers == {"Retry-After": "10"}
    assert uow.commits == commits  # refused unchecked, and nothing counted
    assert _identify(uow, tenant, PIN, seconds=30).member_id == tenant.member.id


def test_an_unknown_badge_counts_and_waits_as_a_known_one(uow: Uow, tenant: Tenant) -> None:
    for badge in (tenant.member.badge, "no such badge"):
        answers = []
        for _ in range(POLICY.badge_at_kiosk.failures_before_wait + 1):
            with pytest.raises((Unauthorized, TooManyRequests)) as refused:
                _identify(uow, tenant, "8642", badge=badge)
            answers.append((refused.value.status, refused.value.headers))
        assert answers == [(401, {})] * 4 + [(429, {"Retry-After": "30"})] * 2


def test_a_badge_of_another_chain_is_a_wrong_badge(uow: Uow, tenant: Tenant, other: Tenant) -> None:
    with pytest.raises(Unauthorized, match="Wrong badge or PIN"):
        identity.identify_member(uow, tenant.at_kiosk, other.member.badge, PIN, POLICY, now=NOW)
    repo = uow.repo
    assert isinstance(repo, FakeGatewayRepository)
    # Counted at chain A's kiosk and in chain A, as any unknown badge there.
    assert {(r.chain_id, r.failures) for r in repo.pin_runs.values()} == {(tenant.chain.id, 1)}
    assert repo.visits == {}


def _locked(uow: Uow) -> int:
    """How often attempts took the runs' locks (to count or start afresh)."""
    repo = uow.repo
    assert isinstance(repo, FakeGatewayRepository)
    return repo.pin_runs_locked


def test_the_right_pin_with_nothing_to_start_afresh_only_reads_the_runs(
    uow: Uow, tenant: Tenant
) -> None:
    assert _identify(uow, tenant, PIN).member_id == tenant.member.id
    assert (_locked(uow), _runs(uow), uow.commits) == (0, {}, 1)  # the visit, committed
    # Wrong PINs of another badge here count at the kiosk: the member's right PIN leaves them.
    with pytest.raises(Unauthorized):
        _identify(uow, tenant, "8642", badge="no such badge")
    assert _identify(uow, tenant, PIN).member_id == tenant.member.id
    assert (_locked(uow), _runs(uow)) == (1, {"badge_at_kiosk": 1, "badge_in_chain": 1, "kiosk": 1})


def test_the_right_pin_locks_the_runs_only_while_the_badge_still_counts_here(
    uow: Uow, tenant: Tenant
) -> None:
    longest = POLICY.badge_at_kiosk.longest_wait.total_seconds()
    for _ in range(2):
        with pytest.raises(Unauthorized):
            _identify(uow, tenant, "8642")
    # Both wrong PINs forgiven by now: nothing to start afresh.
    _identify(uow, tenant, PIN, seconds=2 * longest)
    assert _locked(uow) == 2
    with pytest.raises(Unauthorized):
        _identify(uow, tenant, "8642", seconds=2 * longest)
    _identify(uow, tenant, PIN, seconds=2 * longest)
    assert _locked(uow) == 4
    assert "badge_at_kiosk" not in _runs(uow)


def test_forgotten_runs_are_purged_a_batch_at_a_time(uow: Uow, tenant: Tenant) -> None:
    with pytest.raises(Unauthorized):
        _identify(uow, tenant, "8642")
    with pytest.raises(Unauthorized):
        _identify(uow, tenant, "8642", badge="no such badge")
    # Forgotten after their longest waits: the chain's (3 min), the kiosk's (5), this kiosk's.
    assert identity.purge_forgotten_pin_runs(uow, now=NOW + timedelta(minutes=4), limit=9) == 2
    assert _runs(uow) == {"badge_at_kiosk": 1, "kiosk": 2}
    later = NOW + timedelta(hours=1)
    assert identity.purge_forgotten_pin_runs(uow, now=later, limit=2) == 2
    assert identity.purge_forgotten_pin_runs(uow, now=later, limit=2) == 1
    assert _runs(uow) == {}


# --- kiosk ----------------------------------------------------------------------------

PLAN = {
    "program_id": "3d0f6a52-6c8e-4a8f-9a3e-2f1b7c9d0e11",
    "program_name": "A/B",
    "day": "A",
    "day_index": 0,
    "exercises": [
        {
            "exercise": "barbell-back-squat",
            "name": "Back squat",
            "pattern": "squat",
            "sets": 3,
            "rep_min": 6,
            "rep_max": 12,
            "equipment": "barbell",
            "rest_seconds": 120,
            "notes": None,
        },
    ],
}
TARGETS = {
    "exercises": {
        "barbell-back-squat": {
            "target_load_kg": "62.5",
            "target_reps": 6,
            "sets": 3,
            "rep_min": 6,
            "rep_max": 12,
            "calibrate": False,
            "days_since_last": 2,
        }
    },
    "week": {"squat": {"done": 1, "min": 2, "max": 3, "status": "below"}},
}


def a_set(**changes: Any) -> dict[str, Any]:
    """A set as the logging service answers it."""
    return {
        "id": str(SET_ID),
        "session_id": "0b8e7c55-2f0a-4f5e-8a0c-3c1f5d1e2a77",
        "exercise": "barbell-back-squat",
        "load": 100.0,
        "unit": "kg",
        "load_kg": 100.0,
        "reps": 8,
        "rpe": None,
        "warmup": False,
        "performed_at": "2026-11-25T15:30:00Z",
        "local_date": "2026-11-25",
        "set_number": 1,
        **changes,
    }


def progress_doc() -> dict[str, Any]:
    """A progress document as the progression service answers it (decimals as text)."""
    return {
        "exercises": {
            "bench-press": {
                "working_load_kg": "100",
                "next": {"load_kg": "102.5", "reps": 6, "sets": 3},
                "best_e1rm_kg": "133.3",
                "series": [{"date": "2026-11-23", "e1rm_kg": "133.3"}],
                "prs": [
                    {
                        "kind": "e1rm",
                        "value": "133.3",
                        "set_id": str(SET_ID),
                        "date": "2026-11-23",
                        "load_kg": "100",
                        "reps": 10,
                    }
                ],
                "stalled": False,
                "calibrate": False,
                "last_trained": "2026-11-23",
            }
        },
        "weeks": [],
        "milestones": [],
        "streaks": {"current": 0, "longest": 0},
    }


def plan_answered(services: Services, tenant: Tenant) -> str:
    base = f"/members/{tenant.member.id}"
    fake(services.program).answer("GET", f"{base}/today", PLAN)
    return base


def test_today_shows_targets_and_sets_and_remembers_the_targets(
    uow: Uow, repo: FakeGatewayRepository, services: Services, tenant: Tenant
) -> None:
    base = plan_answered(services, tenant)
    fake(services.progression).answer("GET", f"{base}/targets", TARGETS)
    fake(services.logging).answer("GET", f"{base}/sets", [a_set()])
    repo.add_member_news(
        MemberNews(
            id=uuid.uuid4(),
            member_id=tenant.member.id,
            kind="PersonalRecord",
            payload={"exercise": "deadlift"},
            occurred_at=NOW - timedelta(hours=1),
        )
    )
    shown = kiosk.today(uow, services, tenant.identified, now=NOW)
    squat = shown.exercises[0]
    assert (shown.stale, shown.degraded, str(shown.local_date)) == (False, [], "2026-11-25")
    assert (squat.target_load_kg, squat.unit) == (Decimal("62.5"), Unit.LB)
    assert [s.load for s in squat.logged] == [Decimal("220.46")]
    assert [(n.kind, n.model_extra) for n in shown.news] == [
        ("PersonalRecord", {"exercise": "deadlift"})
    ]
    remembered = repo.targets[(tenant.member.id, "barbell-back-squat")]
    assert (remembered.load_kg, remembered.updated_at) == (Decimal("62.5"), NOW)
    assert uow.commits == 1
    # As the member, at the kiosk's gym, for the gym's local day.
    (asked,) = fake(services.progression).calls
    assert asked.caller == tenant.identified.caller()
    assert asked.params == {"exercises": "barbell-back-squat", "local_date": "2026-11-25"}


def test_a_read_of_today_writes_only_the_targets_that_changed(
    uow: Uow, repo: FakeGatewayRepository, services: Services, tenant: Tenant
) -> None:
    base = plan_answered(services, tenant)
    fake(services.logging).answer("GET", f"{base}/sets", [])
    key = (tenant.member.id, "barbell-back-squat")
    fake(services.progression).answer("GET", f"{base}/targets", TARGETS)
    kiosk.today(uow, services, tenant.identified, now=NOW)
    kiosk.today(uow, services, tenant.identified, now=NOW + timedelta(minutes=1))
    assert repo.targets[key].updated_at == NOW, "the same targets again are not written"

    moved = copy.deepcopy(TARGETS)
    moved["exercises"]["barbell-back-squat"]["target_load_kg"] = "65"
    fake(services.progression).answer("GET", f"{base}/targets", moved)
    kiosk.today(uow, services, tenant.identified, now=NOW + timedelta(minutes=2))
    remembered = repo.targets[key]
    assert (remembered.load_kg, remembered.updated_at) == (65, NOW + timedelta(minutes=2))


def test_without_progression_today_shows_the_last_known_targets_stale(
    uow: Uow, repo: FakeGatewayRepository, services: Services, tenant: Tenant
) -> None:
    base = plan_answered(services, tenant)
    fake(services.progression).answer(
        "GET", f"{base}/targets", ServiceUnavailable("down", service="progression")
    )
    fake(services.logging).answer("GET", f"{base}/sets", [])
    repo.save_last_targets(
        tenant.member.id, {"barbell-back-squat": KnownTarget(Decimal("60"), 8, 3)}, as_of=NOW
    )
    shown = kiosk.today(uow, services, tenant.identified, now=NOW)
    assert (shown.stale, shown.degraded) == (True, ["progression"])
    squat = shown.exercises[0]
    assert (squat.target_load_kg, squat.target_reps, squat.calibrate) == (Decimal(60), 8, None)
    assert shown.week["squat"].status == "unknown"


def test_without_logging_today_still_shows_the_plan(
    uow: Uow, services: Services, tenant: Tenant
) -> None:
    base = plan_answered(services, tenant)
    fake(services.progression).answer("GET", f"{base}/targets", TARGETS)
    fake(services.logging).answer("GET", f"{base}/sets", ServiceUnavailable("down"))
    shown = kiosk.today(uow, services, tenant.identified, now=NOW)
    assert (shown.stale, shown.degraded, shown.exercises[0].logged) == (False, ["logging"], [])


def test_without_a_plan_today_answers_the_program_services_problem(
    uow: Uow, services: Services, tenant: Tenant
) -> None:
    problem = ServiceProblem(404, {"type": "x", "title": "Not found", "detail": "No plan."}, {})
    fake(services.program).answer("GET", f"/members/{tenant.member.id}/today", problem)
    with pytest.raises(ServiceProblem):
        kiosk.today(uow, services, tenant.identified, now=NOW)
    assert_nothing_committed(uow)


def test_a_set_is_logged_in_the_members_unit_with_the_kiosks_key(
    services: Services, tenant: Tenant
) -> None:
    logging = fake(services.logging)
    logging.answer(
        "POST", f"/members/{tenant.member.id}/sets", a_set(load=135.0, unit="lb", load_kg=61.235)
    )
    body = SetIn(exercise="barbell-back-squat", load=Decimal(135), reps=8)
    shown = kiosk.log_set(services, tenant.identified, body, "key-1")
    (sent,) = logging.calls
    assert sent.json == {
        "exercise": "barbell-back-squat",
        "load": "135",
        "reps": 8,
        "warmup": False,
        "unit": "lb",
    }
    assert (sent.idempotency_key, sent.caller) == ("key-1", tenant.identified.caller())
    assert (shown.load_kg, shown.load, shown.unit) == (
        Decimal("61.235"),
        Decimal("135.00"),
        Unit.LB,
    )
    assert (shown.entered_load, shown.entered_unit) == (Decimal(135), Unit.LB)


def test_a_set_logged_in_kg_keeps_its_unit(services: Services, tenant: Tenant) -> None:
    logging = fake(services.logging)
    logging.answer("POST", f"/members/{tenant.member.id}/sets", a_set())
    kiosk.log_set(
        services,
        tenant.identified,
        SetIn(exercise="x", load=Decimal(100), unit=Unit.KG, reps=8),
        "key-1",
    )
    assert logging.calls[0].json["unit"] == "kg"


@pytest.mark.parametrize(
    ("changes", "sent"),
    [
        ({"reps": 10}, {"reps": 10}),
        ({"load": 135}, {"load": "135", "unit": "lb"}),
        ({"load": 60, "unit": "kg"}, {"load": "60", "unit": "kg"}),
    ],
)
def test_a_correction_sends_only_the_fields_given(
    services: Services, tenant: Tenant, changes: dict[str, Any], sent: dict[str, Any]
) -> None:
    logging = fake(services.logging)
    logging.answer("PATCH", f"/members/{tenant.member.id}/sets/{SET_ID}", a_set(reps=10))
    shown = kiosk.correct_set(
        services, tenant.identified, SET_ID, SetPatch.model_validate(changes), "key-2"
    )
    assert (logging.calls[0].json, logging.calls[0].idempotency_key) == (sent, "key-2")
    assert (shown.reps, shown.unit) == (10, Unit.LB)


@pytest.mark.parametrize(("reason", "params"), [("typo", {"reason": "typo"}), (None, None)])
def test_a_void_passes_its_reason(
    services: Services, tenant: Tenant, reason: str | None, params: dict[str, str] | None
) -> None:
    logging = fake(services.logging)
    logging.answer("DELETE", f"/members/{tenant.member.id}/sets/{SET_ID}", a_set())
    shown = kiosk.void_set(services, tenant.identified, SET_ID, reason, "key-3")
    assert (logging.calls[0].params, logging.calls[0].idempotency_key) == (params, "key-3")
    assert shown.id == SET_ID


def test_finishing_a_session_answers_it(services: Services, tenant: Tenant) -> None:
    logging = fake(services.logging)
    logging.answer(
        "POST",
        f"/members/{tenant.member.id}/sessions/finish",
        {
            "session_id": str(uuid.uuid4()),
            "sets": 9,
            "local_date": "2026-11-25",
            "finished_at": "2026-11-25T16:30:00Z",
        },
    )
    finished = kiosk.finish_session(services, tenant.identified, "key-4")
    assert (finished.sets, logging.calls[0].idempotency_key) == (9, "key-4")


def test_progress_shows_loads_in_the_members_unit(services: Services, tenant: Tenant) -> None:
    fake(services.progression).answer(
        "GET", f"/members/{tenant.member.id}/progress", progress_doc()
    )
    shown = kiosk.progress(services, tenant.identified)
    bench = shown.exercises["bench-press"]
    assert shown.unit == Unit.LB
    assert (bench.working_load_kg, bench.working_load) == (Decimal(100), Decimal("220.46"))
    assert bench.next is not None and bench.next.load == Decimal("225.97")
    assert bench.prs[0].load == Decimal("220.46")


# --- trainer --------------------------------------------------------------------------

EXERCISE = {
    "slug": "bench-press",
    "name": "Bench press",
    "pattern": "push",
    "equipment": "barbell",
    "load_step_kg": 2.5,
    "bodyweight": False,
    "builtin": True,
}
PROGRAM = {
    "id": "3d0f6a52-6c8e-4a8f-9a3e-2f1b7c9d0e11",
    "version": 1,
    "current_version": 1,
    "name": "A/B",
    "sessions_per_week": 3,
    "days": [
        {
            "name": "A",
            "exercises": [
                {
                    "exercise": "bench-press",
                    "name": "Bench press",
                    "pattern": "push",
                    "sets": 3,
                    "rep_min": 6,
                    "rep_max": 12,
                    "rest_seconds": 120,
                    "notes": None,
                }
            ],
        }
    ],
    "conforms": True,
    "violations": [],
    "exception_reason": None,
    "ready_made": False,
    "created_at": "2026-11-25T15:00:00Z",
    "updated_at": "2026-11-25T15:00:00Z",
}
PROGRAM_IN = ProgramIn.model_validate(
    {
        "name": "A/B",
        "sessions_per_week": 3,
        "days": [
            {"name": "A", "exercises": [{"exercise": "bench-press", "rep_min": 6, "rep_max": 12}]}
        ],
    }
)


def test_the_catalog_and_programs_are_the_chains(services: Services, tenant: Tenant) -> None:
    program = fake(services.program)
    program.answer("GET", "/exercises", [EXERCISE])
    program.answer("GET", "/programs", [PROGRAM])
    program.answer("GET", f"/programs/{PROGRAM['id']}", PROGRAM)
    assert [e.slug for e in trainer.list_exercises(services, tenant.signed_in)] == ["bench-press"]
    assert [p.name for p in trainer.list_programs(services, tenant.signed_in)] == ["A/B"]
    found = trainer.get_program(services, tenant.signed_in, uuid.UUID(PROGRAM["id"]))
    assert found.days[0].exercises[0].name == "Bench press"
    assert {c.caller for c in program.calls} == {tenant.signed_in.caller()}


@pytest.mark.parametrize("key", ["trainer-key", None])
def test_a_saved_program_always_carries_an_idempotency_key(
    services: Services, tenant: Tenant, key: str | None
) -> None:
    program = fake(services.program)
    program.answer("POST", "/programs", PROGRAM)
    saved = trainer.create_program(services, tenant.signed_in, PROGRAM_IN, key)
    (sent,) = program.calls
    assert sent.json["days"][0]["exercises"][0] == {
        "exercise": "bench-press",
        "sets": 3,
        "rep_min": 6,
        "rep_max": 12,
    }
    assert sent.idempotency_key == key or str(sent.idempotency_key).startswith("gateway-")
    assert saved.id == uuid.UUID(PROGRAM["id"])


def test_a_program_is_checked_without_a_key(services: Services, tenant: Tenant) -> None:
    program = fake(services.program)
    violation = {"pattern": "hinge", "rule": "weekly_min", "detail": "no hinge", "day": "A"}
    program.answer("POST", "/programs/check", {"conforms": False, "violations": [violation]})
    checked = trainer.check_program(services, tenant.signed_in, PROGRAM_IN)
    assert (checked.conforms, checked.violations[0].rule) == (False, "weekly_min")
    assert checked.violations[0].model_extra == {"day": "A"}
    assert program.calls[0].idempotency_key is None


def _assignment(member_id: uuid.UUID) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "member_id": str(member_id),
        "program_id": PROGRAM["id"],
        "program_version": 1,
        "program_name": "A/B",
        "start_date": "2026-11-30",
        "weekdays": [1, 3, 5],
        "starting_loads": {"bench-press": 60.0},
        "active": True,
    }


def test_a_program_is_assigned_to_a_member_of_the_chain(
    uow: Uow, services: Services, tenant: Tenant
) -> None:
    program = fake(services.program)
    path = f"/members/{tenant.member.id}/assignments"
    program.answer("POST", path, _assignment(tenant.member.id))
    body = AssignmentIn.model_validate(
        {"program_id": PROGRAM["id"], "start_date": "2026-11-30", "weekdays": [1, 3, 5]}
    )
    assigned = trainer.assign_program(uow, services, tenant.signed_in, tenant.member.id, body, "k")
    # The member reads pounds: the loads are shown in lb, and in kg beside them.
    assert assigned.starting_loads == {"bench-press": Decimal("132.28")}
    assert assigned.starting_loads_kg == {"bench-press": Decimal(60)}
    assert program.calls[0].json == {
        "program_id": PROGRAM["id"],
        "start_date": "2026-11-30",
        "weekdays": [1, 3, 5],
    }


def test_starting_loads_are_read_in_the_members_unit(
    uow: Uow, services: Services, tenant: Tenant
) -> None:
    """135 lb for a pound member is 61.23 kg to the program, not 135 kg (297.62 lb)."""
    program = fake(services.program)
    path = f"/members/{tenant.member.id}/assignments"
    answered = {**_assignment(tenant.member.id), "starting_loads": {"bench-press": "61.23496995"}}
    program.answer("POST", path, answered)
    body = AssignmentIn.model_validate(
        {
            "program_id": PROGRAM["id"],
            "start_date": "2026-11-30",
            "weekdays": [1, 3, 5],
            "starting_loads": {"bench-press": 135},
        }
    )
    assigned = trainer.assign_program(uow, services, tenant.signed_in, tenant.member.id, body, "k")
    assert program.calls[0].json["starting_loads"] == {"bench-press": "61.23496995"}
    assert assigned.starting_loads == {"bench-press": Decimal(135)}


def test_another_chains_member_is_not_found_before_any_service_is_asked(
    uow: Uow, services: Services, tenant: Tenant, other: Tenant
) -> None:
    body = AssignmentIn.model_validate(
        {"program_id": PROGRAM["id"], "start_date": "2026-11-30", "weekdays": [1]}
    )
    with pytest.raises(NotFound):
        trainer.assign_program(uow, services, tenant.signed_in, other.member.id, body, None)
    with pytest.raises(NotFound):
        trainer.member_progress(uow, services, tenant.signed_in, other.member.id)
    with pytest.raises(NotFound):
        trainer.gym_attention(uow, services, tenant.signed_in, other.gym.id, now=NOW)
    assert fake(services.program).calls == fake(services.progression).calls == []
    assert_nothing_committed(uow)


def test_a_members_progress_is_asked_about_their_home_gym(
    uow: Uow, services: Services, tenant: Tenant
) -> None:
    progression = fake(services.progression)
    progression.answer("GET", f"/members/{tenant.member.id}/progress", progress_doc())
    shown = trainer.member_progress(uow, services, tenant.signed_in, tenant.member.id)
    assert shown.unit == Unit.LB
    at_home = tenant.signed_in.caller(tenant.gym.id, tenant.gym.timezone)
    assert progression.calls[0].caller == at_home


def test_progress_at_home_needs_no_database(services: Services, tenant: Tenant) -> None:
    member = MemberOut.model_validate(tenant.member, from_attributes=True)
    home = GymOut.model_validate(tenant.gym, from_attributes=True)
    fake(services.progression).answer("GET", f"/members/{member.id}/progress", progress_doc())
    shown = trainer.progress_at_home(services, tenant.signed_in, member, home)
    assert shown.exercises["bench-press"].best_e1rm == from_kg(Decimal("133.3"), Unit.LB)


def test_attention_names_the_members(uow: Uow, services: Services, tenant: Tenant) -> None:
    gone = uuid.uuid4()
    week = {"squat": {"done": 0, "min": 2, "max": 3, "status": "below"}}
    fake(services.progression).answer(
        "GET",
        f"/gyms/{tenant.gym.id}/attention",
        {
            "members": [
                {
                    "member_id": str(tenant.member.id),
                    "stalled": ["bench-press"],
                    "stalls": [{"exercise": "bench-press", "since": "2026-11-20"}],
                    "week": week,
                    "on_protocol": False,
                },
                {"member_id": str(gone), "stalled": [], "week": week, "on_protocol": False},
            ]
        },
    )
    fake(services.program).answer(
        "POST",
        "/assignments/active",
        [
            {"member_id": str(m), "weekdays": [1, 3, 5], "start_date": "2026-11-23"}
            for m in (tenant.member.id, gone)
        ],
    )
    shown = trainer.gym_attention(uow, services, tenant.signed_in, tenant.gym.id, now=NOW)
    assert (shown.gym_id, shown.gym_name) == (tenant.gym.id, tenant.gym.name)
    assert [(m.member_id, m.name, m.no_program) for m in shown.members] == [
        (tenant.member.id, tenant.member.name, False),
        (gone, None, False),
    ]
    assert [r.kind for r in shown.members[0].reasons] == ["stalled", "missed"]


def test_attention_names_home_members_without_a_program(
    uow: Uow, services: Services, tenant: Tenant
) -> None:
    fake(services.progression).answer("GET", f"/gyms/{tenant.gym.id}/attention", {"members": []})
    program = fake(services.program)
    program.answer("POST", "/assignments/active", [])
    shown = trainer.gym_attention(uow, services, tenant.signed_in, tenant.gym.id, now=NOW)
    assert program.calls[0].json == {"member_ids": [str(tenant.member.id)]}
    (needs,) = shown.members
    assert (needs.member_id, needs.no_program, needs.stalled, needs.on_protocol) == (
        tenant.member.id,
        True,
        [],
        None,
    )
    program.answer(
        "POST",
        "/assignments/active",
        [{"member_id": str(tenant.member.id), "weekdays": [1, 3, 5], "start_date": "2026-11-25"}],
    )
    assert (
        trainer.gym_attention(uow, services, tenant.signed_in, tenant.gym.id, now=NOW).members == []
    )


# --- events ---------------------------------------------------------------------------


def _targets(member_id: uuid.UUID, load: str, minutes: int = 0) -> TargetsUpdated:
    return TargetsUpdated(
        chain_id=uuid.uuid4(),
        member_id=member_id,
        exercise="bench-press",
        load_kg=Decimal(load),
        reps=6,
        sets=3,
        occurred_at=NOW + timedelta(minutes=minutes),
    )


def test_a_new_target_is_remembered_once(
    uow: Uow, repo: FakeGatewayRepository, tenant: Tenant
) -> None:
    event = _targets(tenant.member.id, "62.5")
    events.on_targets_updated(uow, event)
    repo.targets.clear()
    events.on_targets_updated(uow, event)
    assert repo.targets == {}, "a redelivered event changes nothing"
    assert uow.inbox == {event.event_id}


def test_an_older_target_does_not_replace_a_newer_one(
    uow: Uow, repo: FakeGatewayRepository, tenant: Tenant
) -> None:
    member = tenant.member.id
    events.on_targets_updated(uow, _targets(member, "65"))
    events.on_targets_updated(uow, _targets(member, "62.5", minutes=-1))
    assert repo.targets[(member, "bench-press")].load_kg == Decimal(65)


@pytest.mark.parametrize(
    "event",
    [
        PersonalRecord(
            chain_id=uuid.uuid4(),
            member_id=uuid.uuid4(),
            exercise="deadlift",
            kind="e1rm",
            value=Decimal("150"),
            set_id=uuid.uuid4(),
        ),
        MilestoneReached(chain_id=uuid.uuid4(), member_id=uuid.uuid4(), milestone="first_pr"),
    ],
)
def test_news_is_kept_once_without_the_events_ids(
    uow: Uow, repo: FakeGatewayRepository, tenant: Tenant, event: PersonalRecord | MilestoneReached
) -> None:
    event = event.model_copy(update={"member_id": tenant.member.id})
    events.on_member_news(uow, event, now=NOW)
    events.on_member_news(uow, event, now=NOW)
    (news,) = repo.news
    assert (news.id, news.member_id, news.kind) == (
        event.event_id,
        event.member_id,
        event.event_type,
    )
    assert not {"event_id", "chain_id", "member_id", "occurred_at"} & set(news.payload)
    assert uow.outbox == []
