"""`myokine`: the operator's command line.

Identity and tenancy commands work on the gateway's own database. `migrate` and
`dead-letters` run each service's own command (`python -m <name>_service ...`) as a
subprocess, so the gateway never imports another service or touches its database.

Each command imports what it needs when it runs: the gateway's modules bring FastAPI,
SQLAlchemy and pydantic, seconds of imports that `myokine --help` has no use for.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

if TYPE_CHECKING:
    from gateway_service.bootstrap import Dependencies
    from gateway_service.schemas.identity import GymOut

SERVICES = ("gateway", "program", "logging", "progression")

app = typer.Typer(help="Operate Myokine: tenants, credentials, migrations, dead letters.")

STACK_FILE = "stack.env"
"""What `make run` writes in its data folder: where its servers are (infra/devstack)."""


@app.callback()
def find_the_stack() -> None:
    """Use the stack `make run` started when nothing else names a database.

    Without `DATABASE_URL` in the environment or in `.env`, the servers `make run` wrote
    to `<DEVSTACK_DATA_DIR or .data>/stack.env` are used (the variables it names that the
    environment does not set), so `myokine` and `make run` share one database.
    """
    from dotenv import dotenv_values

    if "DATABASE_URL" in os.environ or "DATABASE_URL" in dotenv_values(".env"):
        return
    folder = Path(os.environ.get("DEVSTACK_DATA_DIR", ".data"))
    found = folder / STACK_FILE
    if not found.exists():
        return
    for key, value in dotenv_values(found).items():
        if value is not None:
            os.environ.setdefault(key, value)
    typer.echo(f"using the stack `make run` started ({found})", err=True)


@contextmanager
def _wired() -> Iterator[Dependencies]:
    """The gateway's wiring for one command, let go of when it ends."""
    from gateway_service.bootstrap import bootstrap

    deps = bootstrap()
    try:
        yield deps
    finally:
        deps.close()


def _out(document: dict[str, Any]) -> None:
    typer.echo(json.dumps(document, default=str, indent=2))


@contextmanager
def _reported() -> Iterator[None]:
    """Turn a refusal into a one-line message and exit status 1."""
    from myokine.problems import Problem

    try:
        yield
    except Problem as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        for error in exc.errors or []:
            typer.echo(f"  {error['field']}: {error['message']}", err=True)
        raise typer.Exit(1) from exc


def _gym(deps: Dependencies, chain: str, gym: str) -> GymOut:
    from gateway_service import queries

    uow = deps.unit_of_work()
    found = queries.gym_named(uow, queries.find_chain(uow, chain).id, gym)
    if found is None:
        typer.echo(f"error: chain {chain!r} has no gym named {gym!r}", err=True)
        raise typer.Exit(1)
    return found


ChainOpt = Annotated[str, typer.Option("--chain", help="The chain's name.")]
GymOpt = Annotated[str, typer.Option("--gym", help="The gym's name.")]


@app.command("create-chain")
def create_chain(name: Annotated[str, typer.Argument(help="The chain's name.")]) -> None:
    """Create a chain (a tenant)."""
    from gateway_service.handlers import identity

    with _wired() as deps, _reported():
        chain = identity.create_chain(deps.unit_of_work(), name)
    _out({"id": chain.id, "name": chain.name})


@app.command("create-gym")
def create_gym(
    chain: ChainOpt,
    name: Annotated[str, typer.Option("--name", help="The gym's name.")],
    timezone: Annotated[str, typer.Option("--timezone", help="IANA time zone.")] = "UTC",
    unit: Annotated[str, typer.Option("--unit", help="kg or lb.")] = "kg",
) -> None:
    """Create a gym of a chain."""
    from gateway_service import queries
    from gateway_service.handlers import identity

    with _wired() as deps, _reported():
        uow = deps.unit_of_work()
        found = queries.find_chain(uow, chain)
        gym = identity.create_gym(uow, found.id, name, timezone, unit)
    _out({"id": gym.id, "chain_id": gym.chain_id, "name": gym.name, "timezone": gym.timezone})


@app.command("create-kiosk")
def create_kiosk(
    chain: ChainOpt,
    gym: GymOpt,
    name: Annotated[str, typer.Option("--name", help="The kiosk's name.")],
) -> None:
    """Create a kiosk bound to a gym; its device token is printed this once only."""
    from gateway_service.handlers import identity

    with _wired() as deps, _reported():
        row = _gym(deps, chain, gym)
        kiosk, token = identity.create_kiosk(deps.unit_of_work(), row.id, name)
    _out({"id": kiosk.id, "gym_id": kiosk.gym_id, "name": kiosk.name, "token": token})


@app.command("create-trainer")
def create_trainer(
    chain: ChainOpt,
    email: Annotated[str, typer.Option("--email")],
    name: Annotated[str, typer.Option("--name")],
    role: Annotated[str, typer.Option("--role", help="trainer or chain_admin.")] = "trainer",
    password: Annotated[
        str | None, typer.Option("--password", help="Printed generated one when left out.")
    ] = None,
    gyms: Annotated[
        list[str] | None,
        typer.Option(
            "--gym",
            help="A gym the trainer works in (repeat for several); every gym of the chain "
            "when left out.",
        ),
    ] = None,
) -> None:
    """Create a trainer (or chain admin) of a chain, working in some of its gyms."""
    from gateway_service import credentials, queries
    from gateway_service.handlers import identity

    if role not in ("trainer", "chain_admin"):
        typer.echo("error: --role is trainer or chain_admin", err=True)
        raise typer.Exit(1)
    chosen: Literal["trainer", "chain_admin"] = (
        "chain_admin" if role == "chain_admin" else "trainer"
    )
    secret = password or credentials.new_password()
    with _wired() as deps, _reported():
        uow = deps.unit_of_work()
        found = queries.find_chain(uow, chain)
        works_in = (
            [_gym(deps, chain, g).id for g in gyms]
            if gyms
            else [g.id for g in queries.gyms_named(uow, found.id)]
        )
        trainer = identity.create_trainer(
            uow, found.id, email=email, name=name, password=secret, role=chosen, gym_ids=works_in
        )
    shown: dict[str, Any] = {
        "id": trainer.id,
        "email": trainer.email,
        "role": trainer.role,
        "gym_ids": trainer.gym_ids,
    }
    if password is None:
        shown["password"] = secret
    _out(shown)


@app.command("create-member")
def create_member(
    chain: ChainOpt,
    gym: Annotated[str, typer.Option("--gym", help="The member's home gym.")],
    name: Annotated[str, typer.Option("--name")],
    badge: Annotated[str, typer.Option("--badge")],
    pin: Annotated[
        str | None,
        typer.Option(
            "--pin", help="4-8 digits, not easy to guess; printed generated one when left out."
        ),
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="kg or lb; the gym's by default.")
    ] = None,
) -> None:
    """Create a member of a chain, at a home gym."""
    from gateway_service import credentials
    from gateway_service.handlers import identity

    secret = pin or credentials.new_pin()
    with _wired() as deps, _reported():
        row = _gym(deps, chain, gym)
        member = identity.create_member(
            deps.unit_of_work(), row.id, name=name, badge=badge, pin=secret, unit=unit
        )
    shown: dict[str, Any] = {"id": member.id, "badge": member.badge, "unit": member.unit.value}
    if pin is None:
        shown["pin"] = secret
    _out(shown)


@app.command("import-members")
def import_members(
    chain: ChainOpt,
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="A CSV file with a header (name, badge, pin, home_gym, unit, external_id), "
            "or JSON lines when it ends in .jsonl or .ndjson.",
        ),
    ],
) -> None:
    """Import a chain's members (as `POST /v1/members/import` does), showing progress: each
    bad row is reported with its field and never stops the others; running it again
    changes nothing. Prints what it did, with the PINs it generated (shown this once)."""
    from rich.progress import Progress

    from gateway_service import queries
    from gateway_service.domain.member_import import UnreadableImportError, read_rows
    from gateway_service.handlers import members
    from gateway_service.principals import operator

    kind = "application/x-ndjson" if file.suffix in (".jsonl", ".ndjson") else "text/csv"
    try:
        rows = read_rows(file.read_bytes(), kind)
    except UnreadableImportError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    with _wired() as deps, _reported(), Progress(transient=True) as bar:
        uow = deps.unit_of_work()
        found = queries.find_chain(uow, chain)
        task = bar.add_task(f"Reading {len(rows)} rows", total=None)
        answer = members.import_members(
            uow,
            operator(found.id),
            rows,
            progress=lambda step, done, total: bar.update(
                task, description=step, completed=done, total=total
            ),
        )
    _out(answer.model_dump(mode="json"))


@app.command("reset-pin")
def reset_pin(
    chain: ChainOpt,
    badge: Annotated[str, typer.Option("--badge")],
    pin: Annotated[
        str | None,
        typer.Option(
            "--pin", help="4-8 digits, not easy to guess; printed generated one when left out."
        ),
    ] = None,
) -> None:
    """Give a member a new PIN; their badge's wrong PINs are forgotten at every kiosk."""
    from gateway_service import credentials, queries
    from gateway_service.handlers import identity

    secret = pin or credentials.new_pin()
    with _wired() as deps, _reported():
        uow = deps.unit_of_work()
        found = queries.find_chain(uow, chain)
        member = identity.reset_pin(uow, found.id, badge, secret)
    shown: dict[str, Any] = {"id": member.id, "badge": member.badge}
    if pin is None:
        shown["pin"] = secret
    _out(shown)


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]

listing = typer.Typer(help="List chains, or a chain's gyms, kiosks, trainers or members.")
app.add_typer(listing, name="list")


def _listed(rows: list[Any], columns: list[str], as_json: bool) -> None:
    """Rows (pydantic models) as a table of these columns, or as a JSON array."""
    documents = [row.model_dump(mode="json") for row in rows]
    if as_json:
        typer.echo(json.dumps(documents, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns)
    for document in documents:
        table.add_row(*("" if document[c] is None else str(document[c]) for c in columns))
    Console().print(table)


def _admin_of(deps: Dependencies, chain: str) -> Any:
    """The operator acting as a chain admin of the chain of that name."""
    from gateway_service import queries
    from gateway_service.principals import operator

    return operator(queries.find_chain(deps.unit_of_work(), chain).id)


@listing.command("chains")
def list_chains(as_json: JsonOpt = False) -> None:
    """Every chain."""
    from gateway_service import queries

    with _wired() as deps, _reported():
        rows = queries.all_chains(deps.unit_of_work())
    _listed(rows, ["name", "id"], as_json)


@listing.command("gyms")
def list_gyms(chain: ChainOpt, as_json: JsonOpt = False) -> None:
    """A chain's gyms."""
    from gateway_service.handlers import staff

    with _wired() as deps, _reported():
        rows = staff.list_gyms(deps.unit_of_work(), _admin_of(deps, chain))
    _listed(rows, ["name", "id", "unit", "timezone"], as_json)


@listing.command("kiosks")
def list_kiosks(chain: ChainOpt, as_json: JsonOpt = False) -> None:
    """A chain's kiosks, revoked ones too (never their tokens)."""
    from gateway_service.handlers import staff

    with _wired() as deps, _reported():
        rows = staff.list_kiosks(deps.unit_of_work(), _admin_of(deps, chain))
    _listed(rows, ["name", "id", "gym_id", "revoked_at"], as_json)


@listing.command("trainers")
def list_trainers(chain: ChainOpt, as_json: JsonOpt = False) -> None:
    """A chain's trainers and admins."""
    from gateway_service.handlers import staff

    with _wired() as deps, _reported():
        rows = staff.list_trainers(deps.unit_of_work(), _admin_of(deps, chain))
    _listed(rows, ["name", "email", "role", "active", "id"], as_json)


@listing.command("members")
def list_members(chain: ChainOpt, as_json: JsonOpt = False) -> None:
    """A chain's members."""
    from gateway_service import queries

    with _wired() as deps, _reported():
        rows = queries.list_members(deps.unit_of_work(), _admin_of(deps, chain))
    _listed(rows, ["name", "badge", "active", "unit", "id"], as_json)


@app.command("deactivate-member")
def deactivate_member(
    chain: ChainOpt, badge: Annotated[str, typer.Option("--badge", help="The member's badge.")]
) -> None:
    """Deactivate a member: their badge stops working at once; their history stays."""
    from gateway_service import queries
    from gateway_service.handlers import members
    from gateway_service.schemas.members import MemberChange
    from myokine.problems import NotFound

    with _wired() as deps, _reported():
        admin = _admin_of(deps, chain)
        found = [m for m in queries.list_members(deps.unit_of_work(), admin) if m.badge == badge]
        if not found:
            raise NotFound(f"No member with badge {badge!r} in {chain!r}.")
        changed = members.change_member(
            deps.unit_of_work(), admin, found[0].id, MemberChange(active=False)
        )
    _out(changed.model_dump(mode="json"))


@app.command("revoke-kiosk")
def revoke_kiosk(
    chain: ChainOpt,
    kiosk_id: Annotated[uuid.UUID, typer.Option("--kiosk-id", help="The kiosk's id.")],
) -> None:
    """Revoke a kiosk: its token and the member tokens bound to it stop working at once."""
    from datetime import UTC, datetime

    from gateway_service.handlers import staff

    with _wired() as deps, _reported():
        revoked = staff.revoke_kiosk(
            deps.unit_of_work(), _admin_of(deps, chain), kiosk_id, now=datetime.now(UTC)
        )
    _out(revoked.model_dump(mode="json"))


@app.command("show-inventory")
def show_inventory(chain: ChainOpt, gym: GymOpt) -> None:
    """Print a gym's equipment (as `GET /v1/gyms/{id}/inventory` answers it)."""
    from gateway_service.handlers import equipment
    from gateway_service.principals import operator

    with _wired() as deps, _reported():
        row = _gym(deps, chain, gym)
        shown = equipment.gym_inventory(deps.unit_of_work(), operator(row.chain_id), row.id)
    _out(shown.model_dump(mode="json"))


@app.command("set-inventory")
def set_inventory(
    chain: ChainOpt,
    gym: GymOpt,
    file: Annotated[
        typer.FileText, typer.Argument(help="The inventory as JSON (`-` reads standard input).")
    ],
) -> None:
    """Set a gym's equipment from a JSON file shaped as `PUT /v1/gyms/{id}/inventory`'s body
    (a kind left out keeps its default); members' targets there follow within moments."""
    from pydantic import ValidationError

    from gateway_service.handlers import equipment
    from gateway_service.principals import operator
    from myokine.inventory import InventoryUpdate
    from myokine.problems import InvalidInput, field_errors

    with _wired() as deps, _reported():
        try:
            update = InventoryUpdate.model_validate_json(file.read())
        except ValidationError as exc:
            raise InvalidInput("The inventory is not valid.", errors=field_errors(exc)) from exc
        row = _gym(deps, chain, gym)
        saved = equipment.set_gym_inventory(
            deps.unit_of_work(), operator(row.chain_id), row.id, update, now=deps.clock()
        )
    _out(saved.model_dump(mode="json"))


@app.command("seed-demo")
def seed_demo(
    output: Annotated[Path, typer.Option("--output", help="Where to write the credentials JSON.")],
    gateway_url: Annotated[str, typer.Option("--gateway-url")] = "http://127.0.0.1:8000",
) -> None:
    """Seed the demo chain (idempotently) and write its credentials to OUTPUT."""
    from gateway_service import demo

    with _wired() as deps, _reported():
        document = demo.seed_demo(
            deps.unit_of_work(), deps.services, gateway_url=gateway_url, output=output
        )
    typer.echo(f"demo credentials written to {output}")
    _out({k: v for k, v in document.items() if k != "members"} | {"members": document["members"]})


def _run_each(
    services: list[str], args: Callable[[str], list[str]], *, together: bool = True
) -> None:
    """Run each service's own command, all at once unless `together` is False (each spends
    seconds importing its stack); their output is shown service by service, in order."""

    def start(name: str) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", f"{name}_service", *args(name)]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def finish(name: str, process: subprocess.Popen[str]) -> bool:
        out, err = process.communicate()
        typer.echo(f"$ python -m {name}_service {' '.join(args(name))}", err=True)
        sys.stdout.write(out)
        sys.stderr.write(err)
        return process.returncode == 0

    if together:
        running = {name: start(name) for name in services}
        failed = [name for name, process in running.items() if not finish(name, process)]
    else:
        failed = [name for name in services if not finish(name, start(name))]
    if failed:
        typer.echo(f"error: failed for {', '.join(failed)}", err=True)
        raise typer.Exit(1)


ServiceOpt = Annotated[
    str | None, typer.Option("--service", help="Only this service (gateway, program, ...).")
]


def _chosen(service: str | None) -> list[str]:
    if service is None:
        return list(SERVICES)
    if service not in SERVICES:
        typer.echo(f"error: --service is one of {', '.join(SERVICES)}", err=True)
        raise typer.Exit(1)
    return [service]


BACKUP_MANIFEST = "backup.json"


@app.command("backup")
def backup(
    folder: Annotated[Path, typer.Argument(file_okay=False, help="Where the dumps go.")],
) -> None:
    """Dump every service's database into FOLDER (pg_dump, one file a service), with a
    manifest of when the backup began. The system may keep running."""
    from datetime import UTC, datetime

    folder.mkdir(parents=True, exist_ok=True)
    began = datetime.now(UTC)
    _run_each(list(SERVICES), lambda name: ["backup", str(folder / f"{name}.dump")])
    manifest = {"began": began.isoformat(), "services": list(SERVICES)}
    (folder / BACKUP_MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    _out({"backup": str(folder), **manifest})


@app.command("restore")
def restore(
    folder: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="A folder `backup` wrote.")
    ],
) -> None:
    """Replace every service's database with FOLDER's dumps. Stop every API, worker and
    relay first. Events sent after the backup began are sent again (consumers drop the
    ones they had), so the services agree once the relays run."""
    manifest = json.loads((folder / BACKUP_MANIFEST).read_text())
    since = manifest["began"]
    _run_each(
        manifest["services"],
        lambda name: ["restore", str(folder / f"{name}.dump"), "--resend-since", since],
    )


@app.command("migrate")
def migrate(service: ServiceOpt = None) -> None:
    """Create and migrate every service's database (each by its own command)."""
    # One after the other: CREATE DATABASE copies template1, which two at once may find busy.
    _run_each(_chosen(service), lambda _: ["migrate"], together=False)


@app.command("dead-letters")
def dead_letters(
    service: ServiceOpt = None,
    replay: Annotated[
        bool, typer.Option("--replay", help="Send them to their task again.")
    ] = False,
    ids: Annotated[list[int] | None, typer.Option("--id", help="Only these ids.")] = None,
) -> None:
    """List (or replay) events that failed for good, service by service."""

    def args(_: str) -> list[str]:
        extra = ["--replay"] if replay else []
        for dead_id in ids or []:
            extra += ["--id", str(dead_id)]
        return ["dead-letters", *extra]

    _run_each(_chosen(service), args)
