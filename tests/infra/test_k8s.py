"""infra/k8s/: valid Kubernetes objects that run every service the way the code expects."""

from __future__ import annotations

from typing import Any

import jsonschema  # type: ignore[import-untyped]  # no type hints shipped
import pytest

from tests.infra.deployment import (
    DEPLOYED_ROLES,
    K8S_DIR,
    LIBRARY_ENV,
    all_setting_names,
    check_service_command,
    command_words,
    k8s_documents,
    load_yaml_documents,
    parse_service_command,
    require_module,
    services,
)

KUBERNETES_VERSION = "1.30.0"
NAMESPACE = "myokine"

# KEDA's ScaledObject is a custom resource: kubernetes-validate has no schema for it, so
# its shape is checked against this one, written from KEDA's CRD (keda.sh/v1alpha1) and
# its redis list scaler's documented metadata.
REDIS_TRIGGER_METADATA = {
    "address", "addressFromEnv", "host", "hostFromEnv", "port", "portFromEnv",
    "username", "usernameFromEnv", "password", "passwordFromEnv", "databaseIndex",
    "enableTLS", "unsafeSsl", "listName", "listLength", "activationListLength",
}  # fmt: skip
SCALED_OBJECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "additionalProperties": False,
    "properties": {
        "apiVersion": {"const": "keda.sh/v1alpha1"},
        "kind": {"const": "ScaledObject"},
        "metadata": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}, "namespace": {"type": "string"}},
        },
        "spec": {
            "type": "object",
            "required": ["scaleTargetRef", "triggers"],
            "additionalProperties": False,
            "properties": {
                "scaleTargetRef": {
                    "type": "object",
                    "required": ["name"],
                    "additionalProperties": False,
                    "properties": {
                        "apiVersion": {"type": "string"},
                        "kind": {"type": "string"},
                        "name": {"type": "string"},
                        "envSourceContainerName": {"type": "string"},
                    },
                },
                "pollingInterval": {"type": "integer", "minimum": 1},
                "cooldownPeriod": {"type": "integer", "minimum": 0},
                "initialCooldownPeriod": {"type": "integer", "minimum": 0},
                "idleReplicaCount": {"type": "integer", "minimum": 0},
                "minReplicaCount": {"type": "integer", "minimum": 0},
                "maxReplicaCount": {"type": "integer", "minimum": 1},
                "advanced": {"type": "object"},
                "fallback": {"type": "object"},
                "triggers": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["type", "metadata"],
                        "additionalProperties": False,
                        "properties": {
                            "type": {"type": "string"},
                            "name": {"type": "string"},
                            "useCachedMetrics": {"type": "boolean"},
                            "metricType": {"enum": ["AverageValue", "Value", "Utilization"]},
                            "authenticationRef": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {"name": {"type": "string"}},
                            },
                            "metadata": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            },
                        },
                        "if": {"properties": {"type": {"const": "redis"}}},
                        "then": {
                            "properties": {
                                "metadata": {
                                    "required": ["listName"],
                                    "propertyNames": {"enum": sorted(REDIS_TRIGGER_METADATA)},
                                    "anyOf": [
                                        {"required": ["address"]},
                                        {"required": ["addressFromEnv"]},
                                        {"required": ["host"]},
                                        {"required": ["hostFromEnv"]},
                                    ],
                                }
                            }
                        },
                    },
                },
            },
        },
    },
}

# Files that are not Kubernetes API objects, checked here in other ways.
NOT_API_OBJECTS = {"Kustomization", "ScaledObject"}


def objects(kind: str) -> dict[str, dict[str, Any]]:
    """The objects of one kind, by name."""
    return {doc["metadata"]["name"]: doc for _, doc in k8s_documents() if doc["kind"] == kind}


def pod_templates() -> dict[str, dict[str, Any]]:
    """The pod spec of every Deployment, StatefulSet and Job, by object name."""
    return {
        name: obj["spec"]["template"]["spec"]
        for kind in ("Deployment", "StatefulSet", "Job")
        for name, obj in objects(kind).items()
    }


def myokine_containers() -> list[tuple[str, dict[str, Any]]]:
    """(object name, container) for every container that runs the Myokine image."""
    return [
        (name, container)
        for name, spec in pod_templates().items()
        for container in spec["containers"]
        if container["image"].split(":")[0] == "myokine"
    ]


def documents_to_validate() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{path.name}:{doc['kind']}/{doc['metadata']['name']}", doc)
        for path, doc in k8s_documents()
        if doc["kind"] not in NOT_API_OBJECTS
    ]


@pytest.mark.parametrize(
    "doc", [doc for _, doc in documents_to_validate()], ids=[i for i, _ in documents_to_validate()]
)
def test_object_matches_the_kubernetes_schema(doc: dict[str, Any]) -> None:
    kubernetes_validate = require_module("kubernetes_validate", "the dev group: make install")
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        pytest.fail(f"{doc['kind']}/{doc['metadata']['name']}: {error.message} at {error.path}")


def test_every_scaled_object_matches_the_keda_shape() -> None:
    scaled = objects("ScaledObject")
    assert scaled, "workers must scale on queue length"
    for name, obj in scaled.items():
        try:
            jsonschema.validate(obj, SCALED_OBJECT_SCHEMA)
        except jsonschema.ValidationError as error:
            pytest.fail(f"ScaledObject/{name}: {error.message} at {list(error.absolute_path)}")


def test_the_keda_shape_check_rejects_a_broken_object() -> None:
    (good, *_) = objects("ScaledObject").values()
    broken = {**good, "spec": {**good["spec"], "triggers": [{"type": "redis", "metadata": {}}]}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCALED_OBJECT_SCHEMA)


def test_every_worker_scales_on_its_own_queue() -> None:
    deployments = objects("Deployment")
    redis_services = objects("Service")
    scaled_targets = set()
    for name, obj in objects("ScaledObject").items():
        target = obj["spec"]["scaleTargetRef"]
        assert target.get("kind", "Deployment") == "Deployment"
        assert target["name"] in deployments, f"{name} scales a Deployment that does not exist"
        (container,) = deployments[target["name"]]["spec"]["template"]["spec"]["containers"]
        (words,) = command_words(container["command"])
        command = parse_service_command(words)
        assert command.role == "worker" and "--beat" not in command.flags, (
            f"{name} scales {target['name']}, which must be a plain worker"
        )
        (trigger,) = obj["spec"]["triggers"]
        assert trigger["type"] == "redis"
        # A service's worker consumes the queue named after the service (myokine.celery_app).
        assert trigger["metadata"]["listName"] == command.service
        host = trigger["metadata"]["address"].split(":")[0].split(".")[0]
        assert host in redis_services, "the trigger must read the Redis the workers use"
        scaled_targets.add(target["name"])
    assert scaled_targets == {f"{name}-worker" for name in services()}


def test_the_periodic_tasks_run_in_exactly_one_pod() -> None:
    beats = []
    for name, container in myokine_containers():
        for words in command_words(container["command"]):
            command = parse_service_command(words)
            if "--beat" in command.flags:
                beats.append(name)
    assert len(beats) == 1
    deployment = objects("Deployment")[beats[0]]
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"]["type"] == "Recreate", "never two beats at once"
    assert beats[0] not in {
        o["spec"]["scaleTargetRef"]["name"] for o in objects("ScaledObject").values()
    }


def test_every_service_runs_every_role() -> None:
    runs: dict[str, set[str]] = {name: set() for name in services()}
    for _, container in myokine_containers():
        for words in command_words(container["command"]):
            command = parse_service_command(words)
            runs[command.service].add(command.role)
    assert runs == {name: DEPLOYED_ROLES for name in services()}
    (job,) = objects("Job").values()
    (container,) = job["spec"]["template"]["spec"]["containers"]
    migrated = [parse_service_command(w).service for w in command_words(container["command"])]
    assert sorted(migrated) == sorted(services()), "the Job migrates every service"


@pytest.mark.parametrize("name", sorted({name for name, _ in myokine_containers()}))
def test_every_command_is_a_real_service_role(name: str) -> None:
    for _, container in (c for c in myokine_containers() if c[0] == name):
        for words in command_words(container["command"]):
            check_service_command(parse_service_command(words))


def test_every_container_has_requests_and_limits() -> None:
    for name, spec in pod_templates().items():
        for container in spec["containers"]:
            resources = container.get("resources", {})
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(resources.get(kind, {})), f"{name}: {kind}"


def test_apis_are_probed_on_healthz_and_readyz_at_their_port() -> None:
    deployments = objects("Deployment")
    k8s_services = objects("Service")
    for service in services().values():
        deployment = deployments[service.name]
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        (words,) = command_words(container["command"])
        assert parse_service_command(words).role == "api"
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports == {"http": service.http_port}
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        for probe in ("livenessProbe", "readinessProbe"):
            assert container[probe]["httpGet"]["port"] in (*ports, *ports.values())
        exposed = k8s_services[service.name]
        assert exposed["spec"]["selector"].items() <= (
            deployment["spec"]["template"]["metadata"]["labels"].items()
        ), f"Service/{service.name} selects no pod of its Deployment"
        (port,) = exposed["spec"]["ports"]
        assert port["port"] == service.http_port
        assert port["targetPort"] in (*ports, *ports.values())


def test_workers_and_relays_have_liveness_probes_that_name_real_code() -> None:
    for name, container in myokine_containers():
        command = parse_service_command(command_words(container["command"])[0])
        if command.role not in {"worker", "relay"}:
            continue
        probe = parse_service_command(container["livenessProbe"]["exec"]["command"])
        assert probe.module == command.module, name
        assert probe.role == ("ping-worker" if command.role == "worker" else "ready"), name
        check_service_command(probe)


def test_deployment_selectors_match_their_pods() -> None:
    for kind in ("Deployment", "StatefulSet"):
        for name, obj in objects(kind).items():
            selector = obj["spec"]["selector"]["matchLabels"]
            labels = obj["spec"]["template"]["metadata"]["labels"]
            assert selector.items() <= labels.items(), f"{kind}/{name}"


def test_everything_lives_in_one_namespace() -> None:
    for path, doc in k8s_documents():
        if doc["kind"] == "Namespace":
            assert doc["metadata"]["name"] == NAMESPACE
        elif doc["kind"] == "Kustomization":
            assert doc["namespace"] == NAMESPACE
        else:
            assert doc["metadata"].get("namespace") == NAMESPACE, f"{path.name}: {doc['kind']}"


def test_every_variable_the_manifests_set_is_a_real_setting() -> None:
    known = all_setting_names()
    for kind in ("ConfigMap", "Secret"):
        for name, obj in objects(kind).items():
            keys = set(obj.get("data", {})) | set(obj.get("stringData", {}))
            unknown = keys - known - LIBRARY_ENV
            assert not unknown, f"{kind}/{name} sets {sorted(unknown)}: no setting reads them"
    for name, container in myokine_containers():
        words = command_words(container["command"])
        own = set().union(*(services()[parse_service_command(w).service].env_names for w in words))
        unknown = {env["name"] for env in container.get("env", [])} - own
        assert not unknown, f"{name} sets {sorted(unknown)}: no setting of its service reads them"


def test_containers_read_config_and_secrets_that_exist() -> None:
    config_maps, secrets = objects("ConfigMap"), objects("Secret")
    for name, container in myokine_containers():
        sources = container["envFrom"]
        assert {s["configMapRef"]["name"] for s in sources if "configMapRef" in s} <= set(
            config_maps
        ), name
        assert {s["secretRef"]["name"] for s in sources if "secretRef" in s} <= set(secrets), name


def test_production_mode_and_no_real_secret_in_the_repository() -> None:
    (config,) = objects("ConfigMap").values()
    assert config["data"]["MYOKINE_ENV"] == "production"
    assert config["data"]["HTTP_HOST"] == "0.0.0.0"
    (secret,) = objects("Secret").values()
    from myokine.settings import DEV_SECRET

    guarded = set().union(*(service.secret_names() for service in services().values()))
    values = secret["stringData"]
    assert guarded <= set(values), "every secret a service guards comes from the Secret"
    # The shipped values are the development ones, which production mode refuses: the
    # system cannot run on them by mistake, and nothing real is committed.
    assert {values[name] for name in guarded} == {DEV_SECRET}


def test_pods_run_as_the_images_non_root_user() -> None:
    for name, spec in pod_templates().items():
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        for container in spec["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name


def test_kustomization_lists_every_manifest_but_the_secret_example() -> None:
    (kustomization,) = load_yaml_documents(K8S_DIR / "kustomization.yaml")
    listed = set(kustomization["resources"])
    files = {path.name for path in K8S_DIR.glob("*.yaml")} - {"kustomization.yaml"}
    examples = {name for name in files if name.endswith(".example.yaml")}
    # `kubectl apply -k` must never overwrite the real Secret with the example's values.
    assert examples == {"secret.example.yaml"}
    assert listed == files - examples
    assert not any(
        doc["kind"] == "Secret" for name in listed for doc in load_yaml_documents(K8S_DIR / name)
    )


def _pod_labels(deployment: dict[str, Any]) -> dict[str, str]:
    return dict(deployment["spec"]["template"]["metadata"]["labels"])


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a label selector (matchLabels, matchExpressions with In) picks these labels."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In", "only In is used here"
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def test_every_api_scales_on_cpu_from_two_pods() -> None:
    scaled = {
        hpa["spec"]["scaleTargetRef"]["name"]: hpa
        for hpa in objects("HorizontalPodAutoscaler").values()
    }
    for name in services():
        assert name in objects("Deployment"), name
        assert scaled[name]["spec"]["minReplicas"] >= 2, f"{name}'s API may scale to one pod"


def test_every_deployment_has_a_disruption_budget() -> None:
    budgets = objects("PodDisruptionBudget").values()
    for name, deployment in objects("Deployment").items():
        covering = [b for b in budgets if _selects(b["spec"]["selector"], _pod_labels(deployment))]
        assert len(covering) == 1, f"{name} is covered by {len(covering)} budgets"


def test_the_ingress_serves_the_gateways_pages_and_api_never_its_metrics() -> None:
    (ingress,) = objects("Ingress").values()
    (rule,) = ingress["spec"]["rules"]
    paths = {p["path"]: p for p in rule["http"]["paths"]}
    for path in paths.values():
        assert path["backend"]["service"] == {"name": "gateway", "port": {"name": "http"}}
    gateway = objects("Service")["gateway"]
    assert [p["name"] for p in gateway["spec"]["ports"]] == ["http"]
    for public in (
        "/v1",
        "/kiosk",
        "/dashboard",
        "/static",
        "/docs",
        "/docs-assets",
        "/openapi.json",
    ):
        assert public in paths, f"{public} is not reachable from outside"
    for private in ("/metrics", "/healthz", "/readyz", "/internal"):
        assert not any(
            private == p or (paths[p]["pathType"] == "Prefix" and private.startswith(p + "/"))
            for p in paths
        ), f"{private} is reachable from outside"


def test_only_the_gateway_admits_traffic_from_outside_the_namespace() -> None:
    policies = objects("NetworkPolicy")
    deny = policies["default-deny-ingress"]["spec"]
    assert (
        deny["podSelector"] == {} and deny["policyTypes"] == ["Ingress"] and "ingress" not in deny
    )
    for name, deployment in objects("Deployment").items():
        labels = _pod_labels(deployment)
        for policy in policies.values():
            spec = policy["spec"]
            if not _selects(spec["podSelector"], labels):
                continue
            for rule in spec.get("ingress", []):
                sources = rule.get("from")
                if sources is None:  # from anywhere
                    assert labels["app.kubernetes.io/component"] == "gateway-api", name
                    continue
                for source in sources:
                    namespaces = source.get("namespaceSelector", {}).get("matchLabels", {})
                    allowed = {"monitoring", "keda"}
                    assert (
                        not namespaces or namespaces.get("kubernetes.io/metadata.name") in allowed
                    )


def test_the_internal_apis_admit_the_gateway_on_their_ports() -> None:
    spec = objects("NetworkPolicy")["services-from-the-gateway"]["spec"]
    (rule,) = spec["ingress"]
    ports = {p["port"] for p in rule["ports"]}
    for name, service in services().items():
        if name != "gateway":
            assert service.http_port in ports
            assert _selects(spec["podSelector"], _pod_labels(objects("Deployment")[name]))
