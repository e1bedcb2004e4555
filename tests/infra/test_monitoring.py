"""The monitoring compose starts: Prometheus scrapes every process, its alert rules and the
Grafana dashboard ask only for metrics the code serves, and Flower watches the broker.

Checked without a Docker engine: promtool (Debian's `prometheus` package) validates the
configuration and the rules where it is installed; the rest reads the files.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from typing import Any

import pytest
import yaml

from tests.infra.deployment import REPO, compose, services

PROMETHEUS = REPO / "infra" / "prometheus"
GRAFANA = REPO / "infra" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "myokine.json"
PROMTOOL_INSTALL = "apt-get install -y prometheus"
WORKER_METRICS_PORT = 9100
# What the histogram and counter families expose beside their own name.
SUFFIXES = ("_total", "_bucket", "_count", "_sum", "_created")


def defined_metrics() -> set[str]:
    """Every metric family name the services define: counted (myokine/metrics.py) or read
    at scrape time (myokine/metrics_serving.py)."""
    shared = REPO / "shared" / "myokine"
    source = "".join((shared / name).read_text() for name in ("metrics.py", "metrics_serving.py"))
    families = set(re.findall(r'"(myokine_[a-z_]+)"', source))
    return families | {family + suffix for family in families for suffix in SUFFIXES}


def asked_metrics(text: str) -> set[str]:
    """The myokine metric names a PromQL text asks for."""
    return set(re.findall(r"\b(myokine_[a-z_]+)", text))


def dashboard() -> dict[str, Any]:
    return dict(json.loads(DASHBOARD.read_text()))


def scrape_targets() -> dict[str, set[str]]:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text())
    return {
        job["job_name"]: {t for static in job["static_configs"] for t in static["targets"]}
        for job in config["scrape_configs"]
    }


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["promtool", *args], capture_output=True, text=True, check=False, cwd=PROMETHEUS
    )


@pytest.mark.skipif(shutil.which("promtool") is None, reason=f"promtool: {PROMTOOL_INSTALL}")
def test_promtool_accepts_the_configuration_and_the_rules() -> None:
    checked = promtool("check", "config", "prometheus.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    rules = promtool("check", "rules", "alerts.yml")
    assert rules.returncode == 0, rules.stdout + rules.stderr


def test_every_process_of_every_service_is_scraped() -> None:
    targets = scrape_targets()
    containers = compose()["services"]
    for name, service in services().items():
        assert f"{name}:{service.http_port}" in targets["api"], f"{name}'s API is not scraped"
        for role in ("worker", "relay"):
            target = f"{name}-{role}:{WORKER_METRICS_PORT}"
            assert target in targets[role], f"{name}-{role} is not scraped"
            env = containers[f"{name}-{role}"]["environment"]
            assert str(env["METRICS_PORT"]) == str(WORKER_METRICS_PORT)
    assert targets["flower"] == {"flower:5555"}


def test_the_alerts_cover_lag_backlog_dead_letters_and_errors() -> None:
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    exprs = {rule["alert"]: rule["expr"] for group in rules["groups"] for rule in group["rules"]}
    asked = set().union(*(asked_metrics(e) for e in exprs.values()))
    assert not asked - defined_metrics(), f"rules ask for {sorted(asked - defined_metrics())}"
    for needed in (
        "myokine_event_lag_seconds_bucket",
        "myokine_outbox_oldest_unsent_age_seconds",
        "myokine_dead_letters_stored",
        "myokine_http_requests_total",
        "myokine_webhook_attempts_total",
    ):
        assert needed in asked, f"no alert watches {needed}"


def test_the_dashboard_shows_only_metrics_the_code_serves() -> None:
    board = dashboard()
    exprs = [t["expr"] for panel in board["panels"] for t in panel["targets"]]
    asked = set().union(*(asked_metrics(e) for e in exprs))
    assert not asked - defined_metrics(), (
        f"the dashboard asks for {sorted(asked - defined_metrics())}"
    )
    titles = " ".join(panel["title"].lower() for panel in board["panels"])
    for subject in ("sets", "latency", "lag", "backlog", "dead letters", "errors"):
        assert subject in titles, f"no panel about {subject}"


def test_grafana_is_provisioned_with_the_prometheus_and_the_dashboard() -> None:
    source = yaml.safe_load(
        (GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    (datasource,) = source["datasources"]
    assert datasource["url"] == "http://prometheus:9090"
    uids = {t["datasource"]["uid"] for p in dashboard()["panels"] for t in p["targets"]}
    assert uids == {datasource["uid"]}
    grafana = compose()["services"]["grafana"]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in grafana["volumes"]}
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "myokine.yml").read_text())
    (folder,) = [p["options"]["path"] for p in provider["providers"]]
    assert (REPO / mounts[folder]).resolve() == DASHBOARD.parent.resolve()
    assert (REPO / mounts["/etc/grafana/provisioning"]).resolve() == (GRAFANA / "provisioning")


def test_prometheus_gets_its_configuration_and_rules_from_the_repo() -> None:
    volumes = compose()["services"]["prometheus"]["volumes"]
    mounted = {
        v.split(":")[1]: (REPO / v.split(":")[0]).resolve() for v in volumes if v.startswith("./")
    }
    assert mounted["/etc/prometheus/prometheus.yml"] == PROMETHEUS / "prometheus.yml"
    assert mounted["/etc/prometheus/alerts.yml"] == PROMETHEUS / "alerts.yml"


def test_flower_watches_the_compose_broker_behind_a_password() -> None:
    flower = compose()["services"]["flower"]
    assert "redis://redis:6379/0" in " ".join(flower["command"])
    assert flower["environment"]["FLOWER_BASIC_AUTH"].startswith("${FLOWER_BASIC_AUTH:?")


def test_monitoring_images_are_pinned() -> None:
    for name in ("prometheus", "grafana"):
        image = compose()["services"][name]["image"]
        assert re.fullmatch(r"[a-z/]+:v?\d+\.\d+\.\d+", image), f"{name} runs {image}"
