"""The gateway's reads on the in-memory unit of work: who is calling, members, gyms, tenants.

A read commits nothing, and never shows one chain anything of another.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from gateway_service import queries
from myokine.problems import NotFound, Unauthorized
from myokine.units import Unit

from .conftest import PASSWORD, PIN, Tenant, Uow
from .fakes import NOW, FakeGatewayRepository


@pytest.fixture(autouse=True)
def _reads_commit_nothing(uow: Uow) -> Iterator[None]:
    yield
    assert uow.commits == 0


def test_a_kiosk_is_known_by_its_token_until_revoked(uow: Uow, tenant: Tenant) -> None:
    assert queries.authenticate_kiosk(uow, tenant.kiosk_token) == tenant.at_kiosk
    assert queries.authenticate_kiosk(uow, "mkk_unknown") is None
    tenant.kiosk.revoked_at = NOW
    assert queries.authenticate_kiosk(uow, tenant.kiosk_token) is None


def test_a_member_token_holds_at_its_kiosk_only(uow: Uow, tenant: Tenant, other: Tenant) -> None:
    found = queries.member_at_kiosk(uow, tenant.member.id, tenant.kiosk.id, tenant.chain.id)
    assert found == tenant.identified
    assert queries.member_at_kiosk(uow, tenant.member.id, other.kiosk.id, tenant.chain.id) is None
    assert queries.member_at_kiosk(uow, uuid.uuid4(), tenant.kiosk.id, tenant.chain.id) is None
    tenant.kiosk.revoked_at = NOW
    assert queries.member_at_kiosk(uow, tenant.member.id, tenant.kiosk.id, tenant.chain.id) is None


def test_a_trainer_token_holds_while_the_trainer_is_in_the_chain(
    uow: Uow, tenant: Tenant, other: Tenant
) -> None:
    assert queries.trainer_exists(uow, tenant.trainer.id, tenant.chain.id) == tenant.signed_in
    assert queries.trainer_exists(uow, tenant.trainer.id, other.chain.id) is None
    assert queries.trainer_exists(uow, uuid.uuid4(), tenant.chain.id) is None


@pytest.mark.parametrize(
    ("email", "password"), [("trainer@a.example", "wrong"), ("x@y.z", PASSWORD)]
)
def test_a_wrong_email_or_password_is_refused_alike(
    uow: Uow, tenant: Tenant, email: str, password: str
) -> None:
    with pytest.raises(Unauthorized, match="Wrong email or password") as refused:
        queries.authenticate_trainer(uow, email, password)
    assert refused.value.headers == {"WWW-Authenticate": "Bearer"}


def test_trainers_see_their_chains_members_by_name(uow: Uow, tenant: Tenant, other: Tenant) -> None:
    listed = queries.list_members(uow, tenant.signed_in)
    assert [(m.id, m.unit) for m in listed] == [(tenant.member.id, Unit.LB)]
    assert queries.get_member(uow, tenant.signed_in, tenant.member.id) == listed[0]
    with pytest.raises(NotFound):
        queries.get_member(uow, tenant.signed_in, other.member.id)


def test_a_member_comes_with_their_home_gym(uow: Uow, tenant: Tenant, other: Tenant) -> None:
    member, home = queries.member_and_home_gym(uow, tenant.signed_in, tenant.member.id)
    assert (member.id, home.id, home.timezone) == (tenant.member.id, tenant.gym.id, "Europe/Berlin")
    with pytest.raises(NotFound):
        queries.member_and_home_gym(uow, tenant.signed_in, other.member.id)


def test_gyms_and_names_are_the_chains_only(uow: Uow, tenant: Tenant, other: Tenant) -> None:
    assert queries.gym_of_chain(uow, tenant.signed_in, tenant.gym.id).name == tenant.gym.name
    with pytest.raises(NotFound):
        queries.gym_of_chain(uow, tenant.signed_in, other.gym.id)
    gyms = queries.gyms_of_chain(uow, tenant.signed_in, [tenant.gym.id, other.gym.id])
    assert list(gyms) == [tenant.gym.id]
    names = queries.member_names(uow, tenant.signed_in, [tenant.member.id, other.member.id])
    assert names == {tenant.member.id: tenant.member.name}


def test_the_operators_lookups_by_name(uow: Uow, tenant: Tenant) -> None:
    assert queries.find_chain(uow, tenant.chain.name).id == tenant.chain.id
    assert queries.chain_named(uow, "nope") is None
    with pytest.raises(NotFound, match="No chain named"):
        queries.find_chain(uow, "nope")
    gym = queries.gym_named(uow, tenant.chain.id, tenant.gym.name)
    assert gym is not None and gym.id == tenant.gym.id
    kiosk = queries.kiosk_named(uow, tenant.gym.id, tenant.kiosk.name)
    assert kiosk is not None and kiosk.id == tenant.kiosk.id
    trainer = queries.trainer_named(uow, tenant.trainer.email.upper())
    assert trainer is not None and trainer.id == tenant.trainer.id
    member = queries.member_with_badge(uow, tenant.chain.id, tenant.member.badge)
    assert member is not None and member.id == tenant.member.id
    assert queries.gym_named(uow, tenant.chain.id, "nope") is None
    assert queries.kiosk_named(uow, tenant.gym.id, "nope") is None
    assert queries.trainer_named(uow, "nope@x.example") is None
    assert queries.member_with_badge(uow, tenant.chain.id, "nope") is None


def test_a_pin_check_is_not_an_attempt(uow: Uow, tenant: Tenant) -> None:
    assert queries.pin_works(uow, tenant.chain.id, tenant.member.badge, PIN)
    assert not queries.pin_works(uow, tenant.chain.id, tenant.member.badge, "0000")
    assert not queries.pin_works(uow, tenant.chain.id, "nope", PIN)
    repo = uow.repo
    assert isinstance(repo, FakeGatewayRepository)
    assert repo.pin_runs == {}
