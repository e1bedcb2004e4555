"""Reading a member import: a CSV file or JSON lines, one member a row, each row checked
on its own so one bad row never stops the others.

Columns (CSV header or JSON keys): `name`, `badge`, `pin` (optional: generated when a new
member has none), `home_gym` (a gym's name or id), `unit` (optional: the gym's),
`external_id` (optional: the chain's own id; rows match existing members on it first,
then on the badge). Rows are numbered from 1, not counting a CSV header.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass

from gateway_service.domain.accounts import InvalidField, check_badge, check_pin, check_unit
from myokine.control_characters import MESSAGE as CONTROL_CHARACTERS_MESSAGE
from myokine.control_characters import has_control_characters
from myokine.units import Unit

MAX_ROWS = 20_000
COLUMNS = ("name", "badge", "pin", "home_gym", "unit", "external_id")
MAX_LENGTHS = {"name": 200, "badge": 64, "external_id": 100, "home_gym": 200}


class UnreadableImportError(ValueError):
    """The file as a whole cannot be read (not CSV or JSON lines, too many rows)."""


@dataclass(frozen=True)
class ImportRow:
    """A row that passed every check: a member as the chain wants them."""

    row: int
    name: str
    badge: str
    pin: str | None
    home_gym_id: str
    unit: Unit | None
    external_id: str | None


@dataclass(frozen=True)
class RowError:
    """Why one row was left out, naming its field."""

    row: int
    field: str
    message: str


def read_rows(body: bytes, content_type: str) -> list[dict[str, str]]:
    """The raw rows of a CSV (with a header) or JSON-lines body, as text fields."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableImportError("the file is not UTF-8 text") from exc
    rows: list[dict[str, str]] = []
    if "json" in content_type:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UnreadableImportError(f"line {number} is not JSON") from exc
            if not isinstance(value, dict):
                raise UnreadableImportError(f"line {number} is not a JSON object")
            rows.append({str(k): "" if v is None else str(v) for k, v in value.items()})
    else:
        # newline="": the csv module reads line breaks itself (a lone \r, one in quotes).
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            if not reader.fieldnames or not {"name", "badge", "home_gym"} <= set(reader.fieldnames):
                raise UnreadableImportError(
                    "the CSV header must name at least name, badge and home_gym"
                )
            rows = [{k: v or "" for k, v in row.items() if k is not None} for row in reader]
        except csv.Error as exc:
            raise UnreadableImportError(f"the CSV cannot be read: {exc}") from exc
    if len(rows) > MAX_ROWS:
        raise UnreadableImportError(f"at most {MAX_ROWS} rows in one import")
    return rows


def check_row(
    number: int, raw: Mapping[str, str], gyms: Mapping[str, str]
) -> ImportRow | list[RowError]:
    """One row checked: the member it asks for, or every field that is wrong.

    `gyms` maps each gym the importer may use, by lower-case name and by id, to its id.
    """
    fields = {column: (raw.get(column) or "").strip() for column in COLUMNS}
    errors = [
        RowError(number, column, f"at most {limit} characters")
        for column, limit in MAX_LENGTHS.items()
        if len(fields[column]) > limit
    ]
    unreadable = [
        RowError(number, column, CONTROL_CHARACTERS_MESSAGE)
        for column, value in fields.items()
        if has_control_characters(value)
    ]
    if unreadable:
        # Such a cell must not reach the checks below, nor the database (NUL fails there).
        return errors + unreadable
    if not fields["name"]:
        errors.append(RowError(number, "name", "a name is required"))
    for check, column in ((check_badge, "badge"), (check_pin, "pin"), (check_unit, "unit")):
        if column in ("pin", "unit") and not fields[column]:
            continue
        try:
            check(fields[column])
        except InvalidField as exc:
            errors.append(RowError(number, column, exc.message))
    gym_id = gyms.get(fields["home_gym"].lower()) or gyms.get(fields["home_gym"])
    if gym_id is None:
        errors.append(
            RowError(number, "home_gym", f"no gym {fields['home_gym']!r} that you work in")
        )
    if errors or gym_id is None:
        return errors
    return ImportRow(
        row=number,
        name=fields["name"],
        badge=fields["badge"],
        pin=fields["pin"] or None,
        home_gym_id=gym_id,
        unit=Unit(fields["unit"]) if fields["unit"] else None,
        external_id=fields["external_id"] or None,
    )


def check_rows(
    raw_rows: list[dict[str, str]], gyms: Mapping[str, str]
) -> tuple[list[ImportRow], list[RowError]]:
    """Every row checked; a badge or external id a row repeats from an earlier row of the
    file is an error of the later row."""
    good: list[ImportRow] = []
    errors: list[RowError] = []
    badges: set[str] = set()
    external: set[str] = set()
    for number, raw in enumerate(raw_rows, start=1):
        checked = check_row(number, raw, gyms)
        if isinstance(checked, list):
            errors.extend(checked)
            continue
        if checked.badge in badges:
            errors.append(RowError(number, "badge", "an earlier row has this badge"))
            continue
        if checked.external_id and checked.external_id in external:
            errors.append(RowError(number, "external_id", "an earlier row has this id"))
            continue
        badges.add(checked.badge)
        if checked.external_id:
            external.add(checked.external_id)
        good.append(checked)
    return good, errors
