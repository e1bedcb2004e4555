"""The docs say what the code does: each documented event, setting, endpoint and file exists.

A doc that names something the code no longer has fails here, in the commit that removed it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from devstack.api_docs import API_PAGE, gateway_openapi, render
from myokine.events import EVENT_TYPES, ROUTES
from tests.infra.deployment import LIBRARY_ENV, REPO, all_setting_names, compose_variables

DOCS = REPO / "docs"
PAGES = [*sorted(DOCS.glob("*.md")), REPO / "README.md"]
CODE_DIRS = [REPO / "shared", REPO / "services", REPO / "infra", REPO / "tests"]

# Backticked UPPER_CASE names in the docs that are not service settings, and why.
NOT_SETTINGS = {
    "PYTEST_ARGS",  # make's variable for extra pytest arguments
    "UPDATE_SCREENSHOTS",  # the browser tests rewrite docs/screenshots/
}


def page_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def code_files() -> list[Path]:
    skip = {".venv", "node_modules", "__pycache__", ".data"}
    return [
        path
        for folder in CODE_DIRS
        for path in folder.rglob("*")
        if path.suffix in {".py", ".js", ".html", ".yaml", ".yml"}
        and not skip & set(path.parts)
        and path.is_file()
    ]


def test_the_api_page_is_the_gateways_openapi_document() -> None:
    assert page_text(API_PAGE) == render(gateway_openapi()), "docs/api.md is stale: make docs"


def test_every_endpoint_a_page_names_exists() -> None:
    operations = {
        (method.upper(), path)
        for path, methods in gateway_openapi()["paths"].items()
        for method in methods
    }
    named = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/v1/[^` ?]*)")
    for page in PAGES:
        for method, path in named.findall(page_text(page)):
            assert (method, path) in operations, f"{page.name} names {method} {path}"


def test_the_design_page_lists_every_event_and_its_consumers() -> None:
    rows = re.findall(
        r"^\| `(\w+)` \| (\w+) \| ([\w, ]+) \|", page_text(DOCS / "design.md"), re.MULTILINE
    )
    documented = {
        event: tuple(c.strip() for c in consumers.split(",")) for event, _, consumers in rows
    }
    assert set(documented) == set(EVENT_TYPES), "design.md's event table and events.py differ"
    for event, consumers in documented.items():
        assert set(consumers) == set(ROUTES[event]), f"{event}: design.md says {consumers}"


def test_every_setting_a_page_names_exists() -> None:
    settings = all_setting_names()
    # A setting has an underscore (DB_PREFIX); `PUT` or `ISO` are not settings.
    name = re.compile(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+)(?:=[^`]*)?`")
    for page in PAGES:
        for found in name.findall(page_text(page)):
            if found in NOT_SETTINGS | LIBRARY_ENV | compose_variables():
                continue
            if found.startswith(("DEVSTACK_", "BENCH_", "E2E_")):
                continue
            assert found in settings, f"{page.name} names a setting {found} no service reads"


def test_devstack_knobs_the_pages_name_exist() -> None:
    source = "".join(page_text(p) for p in (REPO / "infra" / "devstack").glob("*.py"))
    for page in PAGES:
        for knob in re.findall(r"`(DEVSTACK_[A-Z_]+)", page_text(page)):
            assert knob in source, f"{page.name} names {knob}, which devstack does not read"


def test_benchmark_knobs_the_pages_name_exist() -> None:
    source = "".join(page_text(p) for p in (REPO / "tests" / "bench").glob("*.py"))
    for page in PAGES:
        for knob in re.findall(r"`(BENCH_[A-Z_]+)", page_text(page)):
            assert knob in source, f"{page.name} names {knob}, which no benchmark reads"


def test_end_to_end_knobs_the_pages_name_exist() -> None:
    source = "".join(page_text(p) for p in (REPO / "tests" / "e2e").glob("*.py"))
    for page in PAGES:
        for knob in re.findall(r"`(E2E_[A-Z_]+)", page_text(page)):
            assert knob in source, f"{page.name} names {knob}, which no end-to-end test reads"


def test_code_cites_the_repos_own_docs() -> None:
    outside = re.compile(r"(?<![\w/])(PROTOCOL|API|DESIGN|STYLE)\.md|\.\./shared/")
    cited = re.compile(r"docs/(\w[\w-]*)\.md(?: §(\d))?")
    sections = set(re.findall(r"^## §(\d)", page_text(DOCS / "protocol.md"), re.MULTILINE))
    for path in code_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        assert not outside.search(text), f"{path.relative_to(REPO)} cites a file outside the repo"
        for page, section in cited.findall(text):
            assert (DOCS / f"{page}.md").exists(), f"{path.relative_to(REPO)} cites docs/{page}.md"
            if section:
                assert page == "protocol" and section in sections, (
                    f"{path.relative_to(REPO)} cites docs/{page}.md §{section}"
                )


@pytest.mark.parametrize(
    "package",
    [
        REPO / "shared" / "myokine",
        *sorted((REPO / "services").glob("*/*_service")),
    ],
    ids=lambda p: p.name,
)
def test_the_layout_page_names_every_module(package: Path) -> None:
    layout = page_text(DOCS / "layout.md")
    for path in sorted(package.rglob("*.py")):
        if path.name == "__init__.py" or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(package)
        # A package's modules are named by the package (`api/`), or one by one.
        shown = [str(relative), relative.name, f"{relative.parts[0]}/"]
        assert any(f"{name}" in layout for name in shown), (
            f"docs/layout.md does not say what {package.name}/{relative} holds"
        )


def _shape(path: str) -> str:
    """A path with its parameters unnamed: `/programs/{id}` and `/programs/{program_id}` match."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def test_every_internal_call_the_internal_page_names_exists() -> None:
    """docs/internal-api.md: each `METHOD /path` of a service's section is a route of it."""
    import importlib

    sections = re.split(r"^## (.+)$", page_text(DOCS / "internal-api.md"), flags=re.M)
    # Public paths (/v1/...) are checked against the gateway by the test above.
    named = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/(?!v1/)[^` ?\[]*)")
    checked = 0
    for title, text in zip(sections[1::2], sections[2::2], strict=True):
        service_port = re.fullmatch(r"(\w+) \(\d+\)", title)
        if service_port is None:
            continue
        service = service_port.group(1)
        app = importlib.import_module(f"{service}_service.main").create_app()
        routes = {
            (method.upper(), _shape(path.removeprefix("/internal/v1")))
            for path, methods in app.openapi()["paths"].items()
            for method in methods
        }
        for method, path in named.findall(text):
            assert (method, _shape(path)) in routes, f"internal-api.md: {service}: {method} {path}"
            checked += 1
    assert checked > 10, "the internal page names hardly any call"
