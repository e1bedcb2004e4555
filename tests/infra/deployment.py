"""What the deployment tests share: the deployment files, the services and their settings.

These tests need no Docker engine and no cluster. They read docker-compose.yml,
infra/Dockerfile, infra/k8s/ and .env.example, check them with real validators
(docker-compose, hadolint, kubernetes-validate) and against the code: every module a
container runs exists and accepts its arguments, every variable a manifest sets is a real
setting. A validator that is missing makes its test fail under CI=true, and skip (saying
why) on a developer's machine.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import os
import re
import runpy
import shlex
import shutil
import sys
import sysconfig
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no type hints
from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from myokine.settings import ServiceSettings

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "infra" / "Dockerfile"
K8S_DIR = REPO / "infra" / "k8s"
ENV_EXAMPLE = REPO / ".env.example"

# The roles `python -m <name>_service ROLE` knows (myokine.service_cli), and the ones
# every service must run somewhere in a deployment.
SERVICE_ROLES = {"api", "worker", "relay", "migrate", "dead-letters", "ready", "ping-worker"}
DEPLOYED_ROLES = {"api", "worker", "relay", "migrate"}


def in_ci() -> bool:
    """Whether this run is CI's, where a missing validator is a failure, not a skip."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_tool(name: str, install_hint: str) -> str:
    """The path of a command-line validator; fail under CI, skip locally, when absent."""
    scripts = Path(sysconfig.get_path("scripts"))
    found = shutil.which(name, path=f"{scripts}{os.pathsep}{os.environ.get('PATH', '')}")
    if found:
        return found
    reason = f"`{name}` is not installed ({install_hint})"
    if in_ci():
        pytest.fail(reason)
    pytest.skip(reason)


def require_module(name: str, install_hint: str) -> Any:
    """An importable validator library; fail under CI, skip locally, when absent."""
    try:
        return importlib.import_module(name)
    except ImportError:
        reason = f"`{name}` is not installed ({install_hint})"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)


@dataclass(frozen=True)
class Service:
    """One Myokine service as the code defines it."""

    name: str
    settings: type[ServiceSettings]

    @property
    def module(self) -> str:
        """The import name: `<name>_service`."""
        return f"{self.name}_service"

    @property
    def http_port(self) -> int:
        """The port its API listens on by default."""
        return int(self.settings.model_fields["http_port"].default)

    @property
    def env_names(self) -> set[str]:
        """The environment variables its settings read."""
        return set(setting_fields(self.settings))

    def secret_names(self) -> set[str]:
        """The settings production refuses to leave at their development values."""
        return set(self.settings(_env_file=None).secrets())


@cache
def services() -> dict[str, Service]:
    """Every service in services/, by name, with its Settings class."""
    found = {}
    for folder in sorted((REPO / "services").iterdir()):
        package = folder / f"{folder.name}_service"
        if (package / "settings.py").is_file():
            module = importlib.import_module(f"{folder.name}_service.settings")
            found[folder.name] = Service(folder.name, module.Settings)
    return found


def env_names_of(name: str, field: Any) -> list[str]:
    """The environment variables pydantic-settings reads one field from."""
    alias = field.validation_alias
    if isinstance(alias, str):
        return [alias.upper()]
    if isinstance(alias, AliasChoices):
        return [choice.upper() for choice in alias.choices if isinstance(choice, str)]
    return [name.upper()]


def setting_fields(settings: type[BaseSettings]) -> dict[str, Any]:
    """Every environment variable a Settings class reads, with the field it fills."""
    return {
        env: field
        for name, field in settings.model_fields.items()
        for env in env_names_of(name, field)
    }


LIBRARY_ENV = frozenset({"PROMETHEUS_MULTIPROC_DIR"})
"""Variables a library reads rather than a settings class: prometheus_client's folder for
the counts of a container's processes (myokine/metrics_dir.py)."""


def compose_variables() -> set[str]:
    """The variables docker-compose.yml interpolates (from `.env`; no service reads them)."""
    return set(re.findall(r"\$\{(\w+)", COMPOSE_FILE.read_text()))


def all_setting_names() -> set[str]:
    """The union of every service's settings."""
    return set().union(*(service.env_names for service in services().values()))


def load_yaml_documents(path: Path) -> list[dict[str, Any]]:
    """The non-empty YAML documents of a file (merge keys and anchors resolved)."""
    with path.open() as f:
        return [doc for doc in yaml.safe_load_all(f) if doc]


@cache
def compose() -> dict[str, Any]:
    """docker-compose.yml, parsed."""
    docs = load_yaml_documents(COMPOSE_FILE)
    assert len(docs) == 1, "docker-compose.yml holds one document"
    return docs[0]


def k8s_documents() -> list[tuple[Path, dict[str, Any]]]:
    """Every Kubernetes object in infra/k8s/, with its file."""
    return [
        (path, doc) for path in sorted(K8S_DIR.glob("*.yaml")) for doc in load_yaml_documents(path)
    ]


def command_words(command: list[str] | str) -> list[list[str]]:
    """The simple commands a container command runs: `sh -c "a && b"` gives [a, b]."""
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words[:2] == ["sh", "-c"] and len(words) == 3:
        return [shlex.split(part) for part in re.split(r"&&|;", words[2]) if part.strip()]
    return [words]


@dataclass(frozen=True)
class ServiceCommand:
    """`python -m <module> <role> [flags]`, as a container runs it."""

    module: str
    role: str
    flags: tuple[str, ...]

    @property
    def service(self) -> str:
        """The service it belongs to."""
        return self.module.removesuffix("_service")


def parse_service_command(words: list[str]) -> ServiceCommand:
    """Read `python -m X_service role ...`; anything else is an error in a manifest."""
    assert words[:2] == ["python", "-m"] and len(words) >= 4, (
        f"expected `python -m <name>_service <role>`, got {words}"
    )
    return ServiceCommand(words[2], words[3], tuple(words[4:]))


@cache
def cli_accepts(command: ServiceCommand) -> tuple[bool, str]:
    """Whether the service's real command line accepts these arguments.

    Runs the package's `__main__` as `python -m` would, with `--help` appended: argparse
    answers and exits before the role starts, so nothing connects anywhere.
    """
    output = io.StringIO()
    saved_argv = sys.argv
    sys.argv = [command.module, command.role, *command.flags, "--help"]
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            runpy.run_module(command.module, run_name="__main__")
    except SystemExit as exit_:
        return exit_.code in (0, None), output.getvalue()
    finally:
        sys.argv = saved_argv
    return False, "the command line did not answer --help"


def check_service_command(command: ServiceCommand) -> None:
    """A container's command names a real service, a real role and flags the CLI takes."""
    assert command.service in services(), f"{command.module}: no such service in services/"
    assert command.role in SERVICE_ROLES, f"{command.module}: unknown role {command.role!r}"
    ok, output = cli_accepts(command)
    assert ok, f"`python -m {command.module} {command.role} {command.flags}` refused:\n{output}"


def check_python_snippet(source: str) -> None:
    """A `python -c` probe compiles, and every name it imports exists."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name), f"{node.module} has no {alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                importlib.import_module(alias.name)
