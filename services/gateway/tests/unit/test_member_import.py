"""Importing members: rows read and checked one by one, matched to existing members,
nothing changed by a second import of the same rows."""

from __future__ import annotations

import json

import pytest

from gateway_service import credentials
from gateway_service.domain.member_import import (
    UnreadableImportError,
    check_rows,
    read_rows,
)
from gateway_service.domain.pin_lock import badge_digest
from gateway_service.handlers import members
from gateway_service.principals import TrainerPrincipal

from .conftest import PIN, Tenant, Uow
from .fakes import NOW, FakeGatewayRepository

CSV = (
    "name,badge,pin,home_gym,unit,external_id\n"
    "Ada,2001,4821,Gym A,kg,crm-1\n"
    "Bob,2002,,Gym A,,crm-2\n"
    ",2003,12,Nowhere,stone,\n"
    "Cy,2001,5831,Gym A,lb,\n"
)


def _repo(uow: Uow) -> FakeGatewayRepository:
    assert isinstance(uow.repo, FakeGatewayRepository)
    return uow.repo


def test_csv_and_json_lines_read_alike() -> None:
    from_csv = read_rows(b"name,badge,home_gym\nAda,1,Gym A\n", "text/csv")
    from_json = read_rows(
        b'{"name": "Ada", "badge": 1, "home_gym": "Gym A"}\n\n', "application/x-ndjson"
    )
    assert from_csv == [{"name": "Ada", "badge": "1", "home_gym": "Gym A"}]
    assert from_json == from_csv


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b"nickname,badge\nx,1\n", "text/csv"),
        (b"[1, 2]\n", "application/x-ndjson"),
        (b"{nope\n", "application/x-ndjson"),
        (b"\xff\xfe", "text/csv"),
        ("\u00a4\r\x1b5]w".encode(), "text/csv"),  # schemathesis found: a 500 before
        (b"name,badge,home_gym\n" + b"x" * 200_000 + b",1,Gym A\n", "text/csv"),
    ],
)
def test_an_unreadable_file_is_refused_whole(body: bytes, kind: str) -> None:
    with pytest.raises(UnreadableImportError):
        read_rows(body, kind)


def test_each_bad_row_names_its_fields_and_a_repeated_badge_is_the_later_rows_error() -> None:
    rows, errors = check_rows(read_rows(CSV.encode(), "text/csv"), {"gym a": "g1", "g1": "g1"})
    assert [r.badge for r in rows] == ["2001", "2002"]
    assert sorted((e.row, e.field) for e in errors) == [
        (3, "home_gym"),
        (3, "name"),
        (3, "pin"),
        (3, "unit"),
        (4, "badge"),
    ]


@pytest.mark.parametrize("kind", ["text/csv", "application/x-ndjson"])
def test_a_cell_with_a_nul_or_another_control_character_leaves_its_row_out(kind: str) -> None:
    bad = [("Ada\x00Lovelace", "3001", "Gym A"), ("Bo", "30\x1b02", "Gym A")]
    good = ("Cy", "3003", "Gym A")
    if kind == "text/csv":
        body = "name,badge,home_gym\n" + "".join(f"{n},{b},{g}\n" for n, b, g in [*bad, good])
    else:
        body = "".join(
            json.dumps({"name": n, "badge": b, "home_gym": g}) + "\n" for n, b, g in [*bad, good]
        )
    rows, errors = check_rows(read_rows(body.encode(), kind), {"gym a": "g1"})
    assert [r.badge for r in rows] == ["3003"]
    assert [(e.row, e.field) for e in errors] == [(1, "name"), (2, "badge")]
    assert all("Control characters" in e.message for e in errors)


def test_an_import_creates_updates_and_a_second_run_changes_nothing(
    uow: Uow, tenant: Tenant
) -> None:
    admin = TrainerPrincipal(tenant.trainer.id, tenant.chain.id, "chain_admin")
    rows = read_rows(CSV.encode(), "text/csv")
    rows.append({"name": "Renamed", "badge": tenant.member.badge, "home_gym": "Gym A", "pin": PIN})
    first = members.import_members(uow, admin, rows)
    assert (first.created, first.updated, first.unchanged) == (2, 1, 0)
    assert [(e.row, e.field) for e in first.errors][-1] == (4, "badge")
    # Bob had no PIN: one is generated, shown once, and works.
    (generated,) = first.pins
    assert generated.badge == "2002"
    repo = _repo(uow)
    bob = repo.member_by_badge(tenant.chain.id, "2002")
    assert bob is not None and credentials.verify_pin(bob.pin_hash, generated.pin)
    assert bob.unit == "kg"  # the gym's, as the row named none
    assert tenant.member.name == "Renamed"
    ada = repo.member_by_external_id(tenant.chain.id, "crm-1")
    assert ada is not None and ada.badge == "2001"
    hashes = {m.id: m.pin_hash for m in repo.members.values()}
    again = members.import_members(uow, admin, [r for r in rows if r.get("badge") != "2002"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert {m.id: m.pin_hash for m in repo.members.values()} == hashes


def test_a_row_matched_on_external_id_moves_the_badge(uow: Uow, tenant: Tenant) -> None:
    admin = TrainerPrincipal(tenant.trainer.id, tenant.chain.id, "chain_admin")
    members.import_members(
        uow, admin, [{"name": "Ada", "badge": "1", "home_gym": "Gym A", "external_id": "x"}]
    )
    moved = members.import_members(
        uow, admin, [{"name": "Ada", "badge": "2", "home_gym": "Gym A", "external_id": "x"}]
    )
    assert (moved.created, moved.updated) == (0, 1)
    found = _repo(uow).member_by_external_id(tenant.chain.id, "x")
    assert found is not None and found.badge == "2"


def test_a_trainer_imports_only_into_their_gyms(uow: Uow, tenant: Tenant, other: Tenant) -> None:
    answer = members.import_members(
        uow, tenant.signed_in, [{"name": "Ada", "badge": "7", "home_gym": other.gym.name}]
    )
    assert answer.created == 0
    assert [(e.row, e.field) for e in answer.errors] == [(1, "home_gym")]


def test_a_row_with_a_pin_easy_to_guess_is_left_out_naming_it(uow: Uow, tenant: Tenant) -> None:
    admin = TrainerPrincipal(tenant.trainer.id, tenant.chain.id, "chain_admin")
    rows = [
        {"name": "Ada", "badge": "1", "home_gym": "Gym A", "pin": "1111"},
        {"name": "Renamed", "badge": tenant.member.badge, "home_gym": "Gym A", "pin": "2580"},
        {"name": "Bo", "badge": "2", "home_gym": "Gym A", "pin": "5831"},
    ]
    answer = members.import_members(uow, admin, rows)
    assert (answer.created, answer.updated, answer.unchanged) == (1, 0, 0)
    assert [(e.row, e.field, e.message) for e in answer.errors] == [
        (1, "pin", "too easy to guess (a digit or a block of digits repeated): choose another"),
        (2, "pin", "too easy to guess (one of the most common PINs): choose another"),
    ]
    assert tenant.member.name == "Member A"
    assert credentials.verify_pin(tenant.member.pin_hash, PIN)


def test_a_new_pin_or_member_forgets_the_wrong_pins_typed_for_their_badge(
    uow: Uow, tenant: Tenant
) -> None:
    admin = TrainerPrincipal(tenant.trainer.id, tenant.chain.id, "chain_admin")
    repo = _repo(uow)
    for badge in (tenant.member.badge, "3"):
        digest = badge_digest(badge)
        runs = repo.pin_failure_runs(tenant.chain.id, tenant.kiosk.id, digest, at=NOW)
        for run in runs.values():
            run.failures = 4
    rows = [
        {"name": "Member A", "badge": tenant.member.badge, "home_gym": "Gym A", "pin": "5831"},
        {"name": "Cy", "badge": "3", "home_gym": "Gym A"},
    ]
    answer = members.import_members(uow, admin, rows)
    assert (answer.created, answer.updated) == (1, 1)
    assert {(r.scope, r.failures) for r in repo.pin_runs.values()} == {("kiosk", 4)}
