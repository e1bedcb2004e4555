"""`myokine`: the operator's command line.

Identity and tenancy commands work on the gateway's own database. `migrate`, `backup` and
`restore` run each service's own command (`python -m <name>_service ...`) as a subprocess.
`dead-letters` reads and replays every service's `dead_letters` table from this one process,
finding each database from the settings (`myokine.settings.settings_of`) and sending a
replayed event by its task's name: the gateway never imports another service.

Every command prints a readable form, or with `--json` one JSON document and nothing else
on standard output; messages, errors and progress bars go to standard error, the bars only
when it is a terminal.

Each command imports what it needs when it runs: the gateway's modules bring FastAPI,
SQLAlchemy and pydantic, seconds of imports that `myokine --help` has no use for.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

if TYPE_CHECKING:
    from rich.progress import Progress
    from sqlalchemy.orm import Session, sessionmaker

    from gateway_service.core_wiring import CoreDependencies
    from gateway_service.schemas.identity import GymOut

SERVICES = ("gateway", "program", "logging", "progression")

app = typer.Typer(help="Operate Myokine: tenants, credentials, migrations, dead letters.")


def main() -> None:
    """Run a `myokine` command in this process, which ends with it (the console script)."""
    # The cyclic garbage collector would take a quarter of a command's time walking the
    # objects its imports make (hundreds of thousands, none of them garbage): while they
    # are imported, and again at exit to free what the exit frees anyway. Reference
    # counting still frees what a command lets go of. Here and not on `app`, which tests
    # run in their own process.
    gc.disable()
    atexit.register(gc.freeze)
    app()


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


def _wired() -> closing[CoreDependencies]:
    """The gateway's database and clock for one command, let go of when it ends (without
    the API's service clients, rate limits and Celery consumers, which no command uses)."""
    from gateway_service.core_wiring import wire_core

    return closing(wire_core())


JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON document instead of text, nothing else.")
]


def _json_value(value: Any) -> str:
    """What JSON holds of a value it has no type for: ISO 8601 times, ids as text."""
    return value.isoformat() if isinstance(value, date) else str(value)


def _echo_json(document: Any) -> None:
    typer.echo(json.dumps(document, default=_json_value, indent=2))


def _out(document: dict[str, Any], as_json: bool) -> None:
    """A command's answer: one JSON document, or `key: value` lines for a person."""
    if as_json:
        _echo_json(document)
        return
    for line in _lines(document):
        typer.echo(line)


def _lines(document: dict[str, Any], indent: str = "") -> Iterator[str]:
    """`key: value` lines; a nested object indented under its key, a list of objects as one
    `- key: value, ...` line each."""
    for key, value in document.items():
        if isinstance(value, dict):
            yield f"{indent}{key}:"
            yield from _lines(value, indent + "  ")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            yield f"{indent}{key}:"
            for item in value:
                yield f"{indent}  - " + ", ".join(f"{k}: {_text(v)}" for k, v in item.items())
        else:
            yield f"{indent}{key}: {_text(value)}"


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value) or "none"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) + "}"
    return value.isoformat() if isinstance(value, date) else str(value)


@contextmanager
def _progress() -> Iterator[Progress]:
    """A progress display on standard error, drawn only when standard error is a terminal:
    never into a pipe, a log file or a test's capture, and never on standard output."""
    from rich.console import Console
    from rich.progress import MofNCompleteColumn, Progress

    with Progress(
        *Progress.get_default_columns(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
        # Standard output stays the command's own (rich would draw it above the bar, on
        # standard error); what is written to standard error is drawn above the bar.
        redirect_stdout=False,
        disable=not sys.stderr.isatty(),
    ) as bar:
        yield bar


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


def _gym(deps: CoreDependencies, chain: str, gym: str) -> GymOut:
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
def create_chain(
    name: Annotated[str, typer.Argument(help="The chain's name.")], as_json: JsonOpt = False
) -> None:
    """Create a chain (a tenant)."""
    from gateway_service.handlers import identity

    with _wired() as deps, _reported():
        chain = identity.create_chain(deps.unit_of_work(), name)
    _out({"id": chain.id, "name": chain.name}, as_json)


@app.command("create-gym")
def create_gym(
    chain: ChainOpt,
    name: Annotated[str, typer.Option("--name", help="The gym's name.")],
    timezone: Annotated[str, typer.Option("--timezone", help="IANA time zone.")] = "UTC",
    unit: Annotated[str, typer.Option("--unit", help="kg or lb.")] = "kg",
    as_json: JsonOpt = False,
) -> None:
    """Create a gym of a chain."""
    from gateway_service import queries
    from gateway_service.handlers import identity

    with _wired() as deps, _reported():
        uow = deps.unit_of_work()
        found = queries.find_chain(uow, chain)
        gym = identity.create_gym(uow, found.id, name, timezone, unit)
    _out(
        {"id": gym.id, "chain_id": gym.chain_id, "name": gym.name, "timezone": gym.timezone},
        as_json,
    )


@app.command("create-kiosk")
def create_kiosk(
    chain: ChainOpt,
    gym: GymOpt,
    name: Annotated[str, typer.Option("--name", help="The kiosk's name.")],
    as_json: JsonOpt = False,
) -> None:
    """Create a kiosk bound to a gym; its device token is printed this once only."""
    from gateway_service.handlers import identity

    with _wired() as deps, _reported():
        row = _gym(deps, chain, gym)
        kiosk, token = identity.create_kiosk(deps.unit_of_work(), row.id, name)
    _out({"id": kiosk.id, "gym_id": kiosk.gym_id, "name": kiosk.name, "token": token}, as_json)


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
    as_json: JsonOpt = False,
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
    _out(shown, as_json)


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
    as_json: JsonOpt = False,
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
    _out(shown, as_json)


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
    as_json: JsonOpt = False,
) -> None:
    """Import a chain's members (as `POST /v1/members/import` does), showing progress: each
    bad row is reported with its field and never stops the others; running it again
    changes nothing. Prints what it did, with the PINs it generated (shown this once)."""
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
    with _wired() as deps, _reported(), _progress() as bar:
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
    _out(answer.model_dump(mode="json"), as_json)


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
    as_json: JsonOpt = False,
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
    _out(shown, as_json)


listing = typer.Typer(help="List chains, or a chain's gyms, kiosks, trainers or members.")
app.add_typer(listing, name="list")


def _listed(rows: list[Any], columns: list[str], as_json: bool) -> None:
    """Rows (pydantic models) as a table of these columns, or as a JSON array."""
    _table([row.model_dump(mode="json") for row in rows], columns, as_json)


def _table(
    documents: list[dict[str, Any]],
    columns: list[str],
    as_json: bool,
    *,
    unwrapped: tuple[str, ...] = (),
) -> None:
    """Documents as a table of these columns (those `unwrapped` kept on one line in a
    narrow terminal), or as a JSON array."""
    if as_json:
        _echo_json(documents)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table()
    for column in columns:
        table.add_column(column, no_wrap=column in unwrapped)
    for document in documents:
        table.add_row(*("" if document[c] is None else str(document[c]) for c in columns))
    Console().print(table)


def _admin_of(deps: CoreDependencies, chain: str) -> Any:
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
    chain: ChainOpt,
    badge: Annotated[str, typer.Option("--badge", help="The member's badge.")],
    as_json: JsonOpt = False,
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
    _out(changed.model_dump(mode="json"), as_json)


@app.command("revoke-kiosk")
def revoke_kiosk(
    chain: ChainOpt,
    kiosk_id: Annotated[uuid.UUID, typer.Option("--kiosk-id", help="The kiosk's id.")],
    as_json: JsonOpt = False,
) -> None:
    """Revoke a kiosk: its token and the member tokens bound to it stop working at once."""
    from datetime import UTC, datetime

    from gateway_service.handlers import staff

    with _wired() as deps, _reported():
        revoked = staff.revoke_kiosk(
            deps.unit_of_work(), _admin_of(deps, chain), kiosk_id, now=datetime.now(UTC)
        )
    _out(revoked.model_dump(mode="json"), as_json)


@app.command("show-inventory")
def show_inventory(chain: ChainOpt, gym: GymOpt, as_json: JsonOpt = False) -> None:
    """Print a gym's equipment (as `GET /v1/gyms/{id}/inventory` answers it)."""
    from gateway_service.handlers import equipment
    from gateway_service.principals import operator

    with _wired() as deps, _reported():
        row = _gym(deps, chain, gym)
        shown = equipment.gym_inventory(deps.unit_of_work(), operator(row.chain_id), row.id)
    _out(shown.model_dump(mode="json"), as_json)


@app.command("set-inventory")
def set_inventory(
    chain: ChainOpt,
    gym: GymOpt,
    file: Annotated[
        typer.FileText, typer.Argument(help="The inventory as JSON (`-` reads standard input).")
    ],
    as_json: JsonOpt = False,
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
    _out(saved.model_dump(mode="json"), as_json)


@app.command("seed-demo")
def seed_demo(
    output: Annotated[Path, typer.Option("--output", help="Where to write the credentials JSON.")],
    gateway_url: Annotated[str, typer.Option("--gateway-url")] = "http://127.0.0.1:8000",
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone", help="The demo gym's IANA time zone when it is made (Europe/Berlin)."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Seed the demo chain (idempotently) and write its credentials to OUTPUT."""
    from gateway_service import demo
    from gateway_service.bootstrap import bootstrap

    # The whole wiring: the demo members are assigned a program through the program service.
    with closing(bootstrap()) as deps, _reported():
        document = demo.seed_demo(
            deps.unit_of_work(),
            deps.services,
            gateway_url=gateway_url,
            output=output,
            timezone=timezone or demo.GYM_TIMEZONE,
        )
    typer.echo(f"demo credentials written to {output}", err=as_json)
    members = {"members": document["members"]}  # last: the longest
    _out({k: v for k, v in document.items() if k != "members"} | members, as_json)


def _run_each(
    services: list[str],
    args: Callable[[str], list[str]],
    *,
    together: bool = True,
    done: Callable[[str, str], None] | None = None,
) -> dict[str, str]:
    """Run each service's own command, all at once unless `together` is False (each spends
    seconds importing its stack); what each printed on standard output, by service.

    Their standard error is passed on service by service, in order; `done(service, stdout)`
    is told as each one ends well.
    """

    def start(name: str) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", f"{name}_service", *args(name)]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    printed: dict[str, str] = {}

    def finish(name: str, process: subprocess.Popen[str]) -> bool:
        out, err = process.communicate()
        typer.echo(f"$ python -m {name}_service {' '.join(args(name))}", err=True)
        sys.stderr.write(err)
        printed[name] = out
        if process.returncode != 0:
            sys.stderr.write(out)
            return False
        if done is not None:
            done(name, out)
        return True

    if together:
        running = {name: start(name) for name in services}
        failed = [name for name, process in running.items() if not finish(name, process)]
    else:
        failed = [name for name in services if not finish(name, start(name))]
    if failed:
        typer.echo(f"error: failed for {', '.join(failed)}", err=True)
        raise typer.Exit(1)
    return printed


def _reports(printed: str) -> list[dict[str, Any]]:
    """The JSON lines a service's command printed."""
    return [json.loads(line) for line in printed.splitlines() if line.startswith("{")]


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
    as_json: JsonOpt = False,
) -> None:
    """Dump every service's database into FOLDER (pg_dump, one file a service), with a
    manifest of when the backup began. The system may keep running."""
    from datetime import UTC, datetime

    folder.mkdir(parents=True, exist_ok=True)
    began = datetime.now(UTC)
    _run_each(list(SERVICES), lambda name: ["backup", str(folder / f"{name}.dump")])
    manifest = {"began": began.isoformat(), "services": list(SERVICES)}
    (folder / BACKUP_MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    _out({"backup": str(folder), **manifest}, as_json)


@app.command("restore")
def restore(
    folder: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="A folder `backup` wrote.")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Replace every service's database with FOLDER's dumps. Stop every API, worker and
    relay first. Events sent after the backup began are sent again (consumers drop the
    ones they had), so the services agree once the relays run."""
    manifest = json.loads((folder / BACKUP_MANIFEST).read_text())
    since, services = manifest["began"], manifest["services"]
    restored: list[dict[str, Any]] = []
    with _progress() as bar:
        task = bar.add_task("Restoring", total=len(services))

        def one_done(name: str, printed: str) -> None:
            restored.extend(_reports(printed))
            resent = sum(r["resent"] for r in restored)
            bar.update(task, advance=1, description=f"Restored ({resent} events to send again)")

        _run_each(
            services,
            lambda name: ["restore", str(folder / f"{name}.dump"), "--resend-since", since],
            done=one_done,
        )
    _out(
        {
            "restored": str(folder),
            "began": since,
            "resent": sum(r["resent"] for r in restored),
            "services": restored,
        },
        as_json,
    )


@app.command("migrate")
def migrate(service: ServiceOpt = None, as_json: JsonOpt = False) -> None:
    """Create and migrate every service's database (each by its own command)."""
    # One after the other: CREATE DATABASE copies template1, which two at once may find busy.
    printed = _run_each(_chosen(service), lambda _: ["migrate"], together=False)
    for out in printed.values():
        sys.stderr.write(out)
    _out({"migrated": list(printed)}, as_json)


IdsOpt = Annotated[
    list[int] | None, typer.Option("--id", help="Only these ids (repeat for several).")
]


@contextmanager
def _dead_letter_sessions(service: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on `service`'s own database, found from the settings as it finds it."""
    from myokine.db import make_engine, make_session_factory
    from myokine.settings import settings_of

    engine = make_engine(settings_of(service).sqlalchemy_url, pool_size=1)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@contextmanager
def _each_service(
    services: list[str],
) -> Iterator[Callable[[str], AbstractContextManager[None]]]:
    """Work on each service in turn, going on past one that fails (its database or the
    broker unreachable, its table missing) with a message; exit 1 at the end if any did."""
    from kombu.exceptions import OperationalError as BrokerError
    from sqlalchemy.exc import SQLAlchemyError

    failed: list[str] = []

    @contextmanager
    def on(service: str) -> Iterator[None]:
        try:
            yield
        except (SQLAlchemyError, BrokerError) as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            typer.echo(f"error: {service}: {reason}", err=True)
            failed.append(service)

    yield on
    if failed:
        typer.echo(f"error: failed for {', '.join(failed)}", err=True)
        raise typer.Exit(1)


@app.command("dead-letters")
def dead_letters(
    service: ServiceOpt = None,
    replay: Annotated[
        bool, typer.Option("--replay", help="Send them to their task again.")
    ] = False,
    ids: IdsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List (or replay) events that failed for good, in every service's database (or one's).

    A replay sends each one to its task again, as its service's own `dead-letters --replay`
    does, and marks it replayed; its consumer's inbox drops it if it had it already.
    """
    if replay:
        _replay_dead_letters(_chosen(service), ids, as_json)
    else:
        _list_dead_letters(_chosen(service), ids, as_json)


def _list_dead_letters(services: list[str], ids: list[int] | None, as_json: bool) -> None:
    from myokine.dead_letters import DEAD_LETTERS, list_dead_letters

    found: list[dict[str, Any]] = []
    with _each_service(services) as each:
        for name in services:
            with each(name), _dead_letter_sessions(name) as sessions:
                rows = list_dead_letters(sessions, DEAD_LETTERS, ids=ids)
                found += [{"service": name, **row} for row in rows]
        if as_json:
            _echo_json(found)
        elif found:
            # A short row each: --json has the task, the whole error and the body.
            shown = [
                {
                    **row,
                    "failed_at": f"{row['failed_at']:%Y-%m-%d %H:%M:%S}",
                    "error": row["error"].strip().split("\n")[0][:60],
                }
                for row in found
            ]
            columns = ["service", "id", "event_type", "failed_at", "error"]
            _table(shown, columns, as_json=False, unwrapped=tuple(columns[:-1]))
        else:
            typer.echo("no dead letters")


def _replay_dead_letters(services: list[str], ids: list[int] | None, as_json: bool) -> None:
    from myokine.celery_app import create_celery, send_task
    from myokine.dead_letters import DEAD_LETTERS, count_dead_letters, replay_dead_letters
    from myokine.settings import settings_of

    # Any service's Celery app sends a task by its name to the queue it is given.
    broker = create_celery(settings_of("gateway"), queue="gateway")

    def publish(task: str, queue: str, body: dict[str, Any]) -> None:
        send_task(broker, task, queue, body)

    replayed: dict[str, int] = {}
    try:
        with _each_service(services) as each:
            with _progress() as bar:
                shown = bar.add_task("Replaying dead letters", total=0)
                for name in services:
                    with each(name), _dead_letter_sessions(name) as sessions:
                        if not bar.disable:  # the bar's total grows service by service
                            waiting = count_dead_letters(sessions, DEAD_LETTERS, ids=ids)
                            bar.update(shown, total=waiting + sum(replayed.values()))
                        replayed[name] = replay_dead_letters(
                            sessions,
                            DEAD_LETTERS,
                            publish,
                            ids=ids,
                            sent=lambda _: bar.advance(shown),
                        )
            _out({"replayed": sum(replayed.values()), "services": replayed}, as_json)
    finally:
        broker.close()
