"""deploy/kubernetes/: valid manifests (kubernetes-validate, offline, strict), the same
commands and health checks as docker-compose.yml (which the native production test runs),
and the shape an operator expects: probes, resources, an HPA and a PDB for web, exactly
one beat that is recreated, a migrate Job, TLS on the Ingress, settings from a ConfigMap
and a Secret."""

from __future__ import annotations

from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests import compose
from tests.pop_platform.test_security import _env_example

FOLDER = compose.ROOT / "deploy" / "kubernetes"
MANIFESTS = sorted(p for p in FOLDER.glob("*.yaml") if p.name != "kustomization.yaml")


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _named(kind: str, name: str) -> dict:
    for path in MANIFESTS:
        resource = _load(path)
        if (resource["kind"], resource["metadata"]["name"]) == (kind, name):
            return resource
    raise AssertionError(f"no {kind} {name}")


def _container(kind: str, name: str) -> dict:
    resource = _named(kind, name)
    spec = resource["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    return container


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_each_manifest_is_valid(path):
    kubernetes_validate.validate(_load(path), kubernetes_validate.latest_version(), strict=True)


def test_the_kustomization_applies_every_manifest():
    kustomization = _load(FOLDER / "kustomization.yaml")
    assert sorted(kustomization["resources"]) == [path.name for path in MANIFESTS]


def test_the_commands_are_the_compose_commands():
    assert _container("Deployment", "pop-web")["command"] == compose.command("web")
    assert _container("Deployment", "pop-worker")["command"] == compose.command("worker")
    assert _container("Job", "pop-migrate")["command"] == compose.command("migrate")
    beat = _container("Deployment", "pop-beat")
    schedule = "/app/var/beat/celerybeat-schedule"  # an emptyDir: the image is read-only
    assert beat["command"] == [
        part.replace(compose.BEAT_SCHEDULE, schedule) for part in compose.command("beat")
    ]
    assert beat["livenessProbe"]["exec"]["command"] == [
        "python",
        "-m",
        "pop_platform.beat_alive",
        schedule,
    ]


def test_web_probes_resources_autoscaling_and_disruption_budget():
    web = _container("Deployment", "pop-web")
    assert web["livenessProbe"]["httpGet"]["path"] == "/healthz/live"
    assert web["startupProbe"]["httpGet"]["path"] == "/healthz/live"
    assert web["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["resources"]["requests"] and web["resources"]["limits"]["cpu"]
    labels = _named("Deployment", "pop-web")["spec"]["template"]["metadata"]["labels"]
    hpa = _named("HorizontalPodAutoscaler", "pop-web")
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "pop-web",
    }
    assert hpa["spec"]["minReplicas"] >= 2
    assert _named("PodDisruptionBudget", "pop-web")["spec"]["selector"]["matchLabels"] == labels
    assert _named("Service", "pop-web")["spec"]["selector"] == labels


def test_exactly_one_beat_recreated_and_workers_stateless():
    beat = _named("Deployment", "pop-beat")["spec"]
    assert beat["replicas"] == 1 and beat["strategy"] == {"type": "Recreate"}
    assert "livenessProbe" in _container("Deployment", "pop-worker")


def test_the_ingress_has_tls_for_its_host():
    ingress = _named("Ingress", "pop-web")["spec"]
    hosts = [rule["host"] for rule in ingress["rules"]]
    assert ingress["tls"][0]["hosts"] == hosts and ingress["tls"][0]["secretName"]


def test_every_pod_takes_the_configmap_and_the_secret_and_runs_unprivileged():
    for kind, name in (
        ("Deployment", "pop-web"),
        ("Deployment", "pop-worker"),
        ("Deployment", "pop-beat"),
        ("Job", "pop-migrate"),
    ):
        pod = _named(kind, name)["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        (container,) = pod["containers"]
        sources = [next(iter(source.values()))["name"] for source in container["envFrom"]]
        assert sources == ["pop-config", "pop-secrets"], name
        assert container["securityContext"]["readOnlyRootFilesystem"] is True


def test_settings_are_variables_of_env_example():
    documented = set(_env_example())
    config = set(_named("ConfigMap", "pop-config")["data"])
    secrets = {
        line.split("=", 1)[0]
        for line in (FOLDER / "secret.example.env").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert config - documented == set()
    assert secrets - documented == set()
    assert "DJANGO_SECRET_KEY" in secrets and "DJANGO_SECRET_KEY" not in config
