""".env.example documents every setting, with its real default, and nothing else."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic_core import PydanticUndefined

from tests.infra.deployment import ENV_EXAMPLE, compose_variables, services, setting_fields

# `NAME=value` sets a default; `# NAME=value` documents a setting that is unset by default.
SETTING_LINE = re.compile(r"^(?P<commented>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")


@dataclass(frozen=True)
class Documented:
    """One setting as .env.example shows it."""

    name: str
    value: str
    commented: bool
    described: bool


def documented() -> list[Documented]:
    """Every setting line of .env.example, and whether a comment explains it.

    A comment right above explains a setting, and so it does the settings that follow it
    line by line (PROGRAM_URL, LOGGING_URL, PROGRESSION_URL under one comment).
    """
    found: list[Documented] = []
    explained = False
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = SETTING_LINE.match(line)
        if match:
            found.append(
                Documented(match["name"], match["value"], bool(match["commented"]), explained)
            )
        else:
            explained = line.startswith("#") and not line.lstrip("# ").startswith("---")
    return found


def default_text(field: Any) -> str | None:
    """A field's default as it would be written in a .env file; None when it has none."""
    default = field.default
    if default is None or default is PydanticUndefined:
        return None
    if isinstance(default, bool):
        return "true" if default else "false"
    return str(default)


def test_every_setting_of_every_service_is_documented() -> None:
    names = {entry.name for entry in documented()}
    for service in services().values():
        missing = service.env_names - names
        assert not missing, f"{service.name} reads {sorted(missing)}, not in .env.example"


def test_every_documented_name_is_a_setting_or_a_compose_variable() -> None:
    known = set().union(*(service.env_names for service in services().values()))
    unknown = {entry.name for entry in documented()} - known - compose_variables()
    assert not unknown, f".env.example documents {sorted(unknown)}, which nothing reads"


def test_every_compose_variable_is_documented() -> None:
    missing = compose_variables() - {entry.name for entry in documented()}
    assert not missing, f"docker-compose.yml reads {sorted(missing)}, not in .env.example"


def test_each_name_appears_once_and_is_explained() -> None:
    entries = documented()
    names = [entry.name for entry in entries]
    assert len(names) == len(set(names)), "a setting is documented twice"
    for entry in entries:
        assert entry.described, f"{entry.name} has no comment saying what it is for"


def test_active_lines_show_the_real_defaults() -> None:
    for entry in documented():
        if entry.commented:
            continue
        for service in services().values():
            field = setting_fields(service.settings).get(entry.name)
            if field is None:
                continue
            assert default_text(field) == entry.value, (
                f"{entry.name}={entry.value} but {service.name} defaults to {field.default!r}"
            )


def test_settings_without_a_default_or_with_one_per_service_are_commented_out() -> None:
    for entry in documented():
        defaults = {
            default_text(field)
            for service in services().values()
            if (field := setting_fields(service.settings).get(entry.name)) is not None
        }
        if None in defaults or len(defaults) > 1:
            assert entry.commented, f"{entry.name} has no single default: comment it out"


def test_secrets_are_marked() -> None:
    lines = ENV_EXAMPLE.read_text().splitlines()
    secrets = set().union(*(service.secret_names() for service in services().values()))
    for secret in secrets:
        (index,) = [i for i, line in enumerate(lines) if line.startswith(f"{secret}=")]
        assert "SECRET" in lines[index - 1], f"the comment above {secret} must say SECRET"
