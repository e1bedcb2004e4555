"""Write docs/api.md from the gateway's OpenAPI document: `python -m devstack.api_docs`.

The public contract is the OpenAPI document the gateway serves; this renders it as a page a
newcomer can read without running anything. `tests/docs` fails when the committed page and
the document disagree, so an endpoint cannot appear, change or vanish without the page
following (`make docs` writes it again).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
API_PAGE = REPO / "docs" / "api.md"

PREFACE = """\
# The public API

This page is generated from the gateway's OpenAPI document (`make docs`); do not edit it
by hand. The running gateway serves the same document at `/openapi.json` and browsable
at `/docs`. Kiosk software and integrations are written against these paths and fields:
fields may be added, never renamed or dropped without a new version prefix.

## Conventions

- **Base URL**: `http://127.0.0.1:8000` under `make run` (the only public port; program,
  logging and progression listen on 8001 to 8003, loopback only, for the gateway).
- **JSON** bodies. Loads in answers come in kg (`load_kg`) and in the member's unit
  (`load`, `unit`); a request may send `unit` `kg` or `lb` (default: the member's unit).
- **Errors** are `application/problem+json` (RFC 9457): `type`, `title`, `status`,
  `detail`, and for invalid input `errors: [{"field", "message"}]` naming each field.
- **Idempotency-Key**: every write accepts one, kiosk writes require one; the same key
  with the same request gets the first answer again and does nothing twice; with another
  request, 409.
- **Tokens** (`Authorization: Bearer ...`): `KioskToken` is the kiosk's device token for
  `POST /v1/kiosk/identify` and then the member token it answers, for the other kiosk
  calls; `TrainerToken` is a trainer's access token from `POST /v1/auth/token`.
- **Targets say why**: `target_rule` / `next.rule` is one of the rules of
  [protocol.md §2](protocol.md#2-loads-and-progressive-overload) and `target_why` /
  `next.why` one sentence for the member.
- `/healthz` (alive) and `/readyz` (database and Redis answer) on every service.
"""


def _schema_name(schema: dict[str, Any]) -> str:
    """A short name of a schema: its component, `list[...]` of one, or its type."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array" and "items" in schema:
        return f"list[{_schema_name(schema['items'])}]"
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(_schema_name(s) for s in schema[key])
    return str(schema.get("type", "object"))


def _body(op: dict[str, Any]) -> str | None:
    content = op.get("requestBody", {}).get("content", {})
    for media, spec in content.items():
        return f"`{media}` {_schema_name(spec.get('schema', {}))}"
    return None


def _answers(op: dict[str, Any]) -> str:
    parts: list[str] = []
    for status, spec in sorted(op.get("responses", {}).items()):
        media: list[dict[str, Any]] = list(spec.get("content", {}).values())
        schema = media[0].get("schema") if media else None
        parts.append(f"{status} {_schema_name(schema)}" if schema else status)
    return ", ".join(parts)


def _auth(op: dict[str, Any]) -> str:
    schemes = [name for requirement in op.get("security", []) for name in requirement]
    return ", ".join(schemes) or "none"


def _parameters(op: dict[str, Any]) -> str:
    found = [
        f"`{p['name']}` ({p['in']}{', required' if p.get('required') else ''})"
        for p in op.get("parameters", [])
        if p["in"] != "path"
    ]
    return ", ".join(found)


def _fields(schema: dict[str, Any]) -> str:
    required = set(schema.get("required", []))
    cells = []
    for name, prop in schema.get("properties", {}).items():
        mark = "" if name in required else "?"
        cells.append(f"`{name}{mark}`: {_schema_name(prop)}")
    return ", ".join(cells)


def render(openapi: dict[str, Any]) -> str:
    """The page: the conventions, every operation by tag, then every schema's fields."""
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, operations in openapi["paths"].items():
        for method, op in operations.items():
            tag = (op.get("tags") or ["other"])[0]
            by_tag.setdefault(tag, []).append((method.upper(), path, op))
    lines = [PREFACE]
    for tag, ops in by_tag.items():
        lines += [f"## {tag}", ""]
        for method, path, op in ops:
            lines += [f"### `{method} {path}`", "", op.get("summary", ""), ""]
            description = op.get("description", "").strip()
            if description:
                lines += [description, ""]
            details = [
                ("auth", _auth(op)),
                ("parameters", _parameters(op)),
                ("body", _body(op)),
                ("answers", _answers(op)),
            ]
            lines += [f"- {label}: {value}" for label, value in details if value]
            lines.append("")
    lines += [
        "## Schemas",
        "",
        "Fields of each body and answer (`?` marks an optional field).",
        "",
        "| schema | fields |",
        "|---|---|",
    ]
    for name, schema in sorted(openapi.get("components", {}).get("schemas", {}).items()):
        fields = _fields(schema) or _schema_name(schema)
        lines.append(f"| `{name}` | {fields.replace('|', '&#124;')} |")
    return "\n".join(lines).rstrip() + "\n"


def gateway_openapi() -> dict[str, Any]:
    """The gateway's OpenAPI document, built without connecting anywhere."""
    from gateway_service.main import create_app

    document: dict[str, Any] = create_app().openapi()
    return document


def main(argv: list[str] | None = None) -> int:
    """Write the page, or with --check exit 1 when the committed one is out of date."""
    parser = argparse.ArgumentParser(prog="python -m devstack.api_docs")
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    page = render(gateway_openapi())
    if args.check:
        current = API_PAGE.read_text(encoding="utf-8") if API_PAGE.exists() else ""
        if current != page:
            sys.stderr.write(f"{API_PAGE} is out of date: run `make docs`\n")
            return 1
        return 0
    API_PAGE.write_text(page, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
