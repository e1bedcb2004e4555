"""docker-compose.yml: valid for docker compose, and right about the system it starts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.infra.deployment import (
    COMPOSE_FILE,
    DEPLOYED_ROLES,
    DOCKERFILE,
    LIBRARY_ENV,
    REPO,
    all_setting_names,
    check_python_snippet,
    check_service_command,
    command_words,
    compose,
    env_names_of,
    parse_service_command,
    require_tool,
    services,
)

COMPOSE_INSTALL = "apt-get install -y docker-compose"
SECRETS = {
    "POSTGRES_PASSWORD": "pg-test",
    "INTERNAL_TOKEN_SECRET": "i-test",
    "JWT_SECRET": "j-test",
    "GRAFANA_ADMIN_PASSWORD": "g-test",
    "FLOWER_BASIC_AUTH": "ops:f-test",
}
BACKING = {"postgres", "redis"}
MONITORING = {"flower", "prometheus", "grafana"}
"""Containers that watch the system (tests/infra/test_monitoring.py checks them)."""


def app_containers() -> dict[str, dict[str, Any]]:
    """The containers that run Myokine's services (not the servers, not the monitoring)."""
    return {
        name: svc for name, svc in compose()["services"].items() if name not in BACKING | MONITORING
    }


def service_commands(container: dict[str, Any]) -> list[Any]:
    """The `python -m <name>_service <role>` commands a container runs."""
    return [parse_service_command(words) for words in command_words(container["command"])]


def api_port(container: dict[str, Any]) -> int:
    """The port a container's API listens on: its <SERVICE>_HTTP_PORT, else the default."""
    (command,) = service_commands(container)
    service = services()[command.service]
    (name,) = env_names_of("http_port", service.settings.model_fields["http_port"])
    return int(container.get("environment", {}).get(name, service.http_port))


def interpolated(value: str) -> str:
    """A value as compose would see it: `${X:-d}` gives d, a mandatory `${X:?}` gives "set"."""

    def one(match: re.Match[str]) -> str:
        return match.group(2) if match.group(1) == ":-" else "set"

    return re.sub(r"\$\{\w+(?:(:[-?])([^}]*))?\}", one, value)


def compose_command() -> list[str]:
    """Compose v1 (`docker-compose`, Debian's) or v2 (`docker compose`); neither needs an engine."""
    if shutil.which("docker-compose") is None and shutil.which("docker"):
        v2 = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
        if v2.returncode == 0:
            return ["docker", "compose"]
    return [require_tool("docker-compose", COMPOSE_INSTALL)]


def run_compose_config(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`docker-compose config` with exactly these variables (no .env, no ambient ones)."""
    env_file = tmp_path / "compose.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    files = ["--project-directory", str(REPO), "-f", str(COMPOSE_FILE), "--env-file", str(env_file)]
    return subprocess.run(
        [*compose_command(), *files, "config"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)},
    )


def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    result = run_compose_config(tmp_path, SECRETS)
    assert result.returncode == 0, result.stderr
    assert "services:" in result.stdout


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_docker_compose_refuses_to_start_without_each_secret(tmp_path: Path, missing: str) -> None:
    result = run_compose_config(tmp_path, {k: v for k, v in SECRETS.items() if k != missing})
    assert result.returncode != 0
    assert missing in result.stderr


def test_every_secret_a_service_guards_comes_from_a_mandatory_variable() -> None:
    raw = COMPOSE_FILE.read_text()
    for service in services().values():
        for secret in service.secret_names():
            assert re.search(rf"{secret}: \$\{{{secret}:\?", raw), (
                f"{secret} must be `${{{secret}:?...}}`, so compose refuses to start without it"
            )


def test_every_service_runs_api_worker_relay_and_is_migrated() -> None:
    runs: dict[str, set[str]] = {name: set() for name in services()}
    for container in app_containers().values():
        for command in service_commands(container):
            runs[command.service].add(command.role)
    for name, roles in runs.items():
        assert roles == DEPLOYED_ROLES, f"{name} runs {sorted(roles)}"


@pytest.mark.parametrize("name", sorted(app_containers()))
def test_every_command_is_a_real_service_role(name: str) -> None:
    for command in service_commands(app_containers()[name]):
        check_service_command(command)


def test_exactly_one_worker_runs_the_periodic_tasks() -> None:
    beats = [
        name
        for name, container in app_containers().items()
        for command in service_commands(container)
        if command.role == "worker" and "--beat" in command.flags
    ]
    assert beats == ["logging-worker"]


def test_one_image_built_from_infra_dockerfile() -> None:
    images = set()
    for name, container in app_containers().items():
        build = container.get("build")
        assert build, f"{name} has no build section"
        assert (REPO / build["context"]).resolve() == REPO
        assert (REPO / build["dockerfile"]).resolve() == DOCKERFILE
        images.add(container["image"])
    assert len(images) == 1, f"every Myokine container runs the same image, not {images}"


def test_every_long_running_container_has_a_healthcheck() -> None:
    for name, container in compose()["services"].items():
        if name == "migrate":
            # A one-shot job: the others wait for it to complete, not to be healthy.
            assert container["restart"] == "no"
            continue
        check = container.get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"
        assert not check.get("disable"), f"{name} disables its healthcheck"


def test_backing_servers_are_probed_with_their_own_clients() -> None:
    assert compose()["services"]["postgres"]["healthcheck"]["test"][1].startswith("pg_isready")
    assert compose()["services"]["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


@pytest.mark.parametrize("name", sorted(set(app_containers()) - {"migrate"}))
def test_healthchecks_ask_the_right_thing(name: str) -> None:
    container = app_containers()[name]
    test = container["healthcheck"]["test"]
    (command,) = service_commands(container)
    if command.role == "api":
        assert test[:3] == ["CMD", "python", "-c"]
        check_python_snippet(test[3])
        url = re.search(r"'(http://[^']+)'", test[3])
        assert url, "the probe names no URL"
        parts = urlsplit(url.group(1))
        assert parts.path == "/readyz"
        assert parts.port == api_port(container)
    else:
        # Workers and relays have no port: `python -m <service> ping-worker` asks this
        # host's worker (it names itself `<service>@<host>`), `ready` the database and Redis.
        assert test[:2] == ["CMD", "python"]
        probe = parse_service_command(test[1:])
        assert probe.module == command.module
        assert probe.role == ("ping-worker" if command.role == "worker" else "ready")
        check_service_command(probe)


def test_start_order_uses_conditions() -> None:
    all_services = compose()["services"]
    for name, container in all_services.items():
        depends = container.get("depends_on", {})
        assert isinstance(depends, dict), f"{name}: depends_on must state conditions"
        for dependency, spec in depends.items():
            assert dependency in all_services, f"{name} depends on unknown {dependency}"
            expected = (
                "service_completed_successfully" if dependency == "migrate" else "service_healthy"
            )
            assert spec == {"condition": expected}, f"{name} -> {dependency}: {spec}"
    assert set(all_services["migrate"]["depends_on"]) == {"postgres"}
    for name in app_containers():
        if name != "migrate":
            assert {"migrate", "postgres", "redis"} <= set(all_services[name]["depends_on"]), name


def test_only_the_gateway_is_published_and_the_monitoring_on_loopback() -> None:
    for name, container in compose()["services"].items():
        if name == "gateway":
            (mapping,) = container["ports"]
            assert mapping.endswith(f":{api_port(container)}")
        elif name in MONITORING:
            (mapping,) = container["ports"]
            assert mapping.startswith("127.0.0.1:"), f"{name} is published beyond this host"
        else:
            assert "ports" not in container, f"{name} must stay on the compose network"


def test_app_environment_holds_only_real_settings_of_its_service() -> None:
    for name, container in app_containers().items():
        known = set().union(*(services()[c.service].env_names for c in service_commands(container)))
        unknown = set(container["environment"]) - known - LIBRARY_ENV
        assert not unknown, f"{name} sets {sorted(unknown)}: no setting of its service reads them"


def test_app_environment_is_production_on_the_compose_servers() -> None:
    for name, container in app_containers().items():
        env = {key: interpolated(str(value)) for key, value in container["environment"].items()}
        assert env["MYOKINE_ENV"] == "production", name
        assert env["HTTP_HOST"] == "0.0.0.0", name
        assert env["LOG_FORMAT"] == "json", name
        assert urlsplit(env["DATABASE_URL"]).hostname == "postgres", name
        assert urlsplit(env["REDIS_URL"]).hostname == "redis", name


def test_urls_between_services_point_at_their_api_ports() -> None:
    all_services = compose()["services"]
    for name, container in app_containers().items():
        for key, value in container["environment"].items():
            if not str(value).startswith("http://"):
                continue
            parts = urlsplit(str(value))
            target = all_services.get(parts.hostname or "")
            assert target, f"{name}: {key} points at no compose service"
            (command,) = service_commands(target)
            assert command.role == "api", f"{name}: {key} points at a {command.role}"
            assert parts.port == api_port(target), f"{name}: {key} port"
            assert key == f"{command.service.upper()}_URL", f"{name}: {key} -> {command.service}"


def test_the_gateway_is_told_where_every_other_service_is() -> None:
    env = compose()["services"]["gateway"]["environment"]
    wanted = {f"{name.upper()}_URL" for name in services() if name != "gateway"}
    assert wanted <= all_setting_names(), "the gateway reads a URL per service"
    assert wanted <= set(env)


def test_postgres_and_redis_keep_their_data() -> None:
    all_services = compose()["services"]
    volumes = set(compose()["volumes"])
    pg_volumes = all_services["postgres"]["volumes"]
    assert any(v.split(":")[0] in volumes and "/var/lib/postgresql" in v for v in pg_volumes)
    redis = all_services["redis"]
    assert any(v.split(":")[0] in volumes and v.endswith(":/data") for v in redis["volumes"])
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes", "Redis must persist events"


def test_workers_get_time_to_finish_their_task() -> None:
    for name, container in app_containers().items():
        if any(command.role == "worker" for command in service_commands(container)):
            assert container.get("stop_grace_period") == "60s", name
