"""docker-compose.yml and the Dockerfile, checked by parsing them (no Docker daemon in CI):
the four services, Redis with its append-only file on a volume, every Python service on the
same Redis URL and waiting for Redis, secrets only from the environment."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
REDIS_URL = "redis://redis:6379/0"
PYTHON_SERVICES = ("api", "worker", "push-worker", "flower")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text("utf-8"))
    found: dict[str, Any] = compose["services"]
    return found


def _words(command: Any) -> list[str]:
    return command.split() if isinstance(command, str) else [str(word) for word in command]


def test_compose_has_redis_api_worker_and_flower(services: dict[str, Any]) -> None:
    assert {"redis", "api", "worker", "flower"} <= set(services)


def test_redis_keeps_an_append_only_file_on_a_named_volume(services: dict[str, Any]) -> None:
    redis = services["redis"]
    command = _words(redis["command"])
    assert command[0] == "redis-server"
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--appendfsync") + 1] == "always"  # a 202 survives a crash
    assert any(str(v).split(":")[1] == "/data" for v in redis["volumes"])
    assert "redis-cli" in _words(redis["healthcheck"]["test"])


@pytest.mark.parametrize("name", PYTHON_SERVICES)
def test_python_services_share_one_redis_url_and_wait_for_redis(
    services: dict[str, Any], name: str
) -> None:
    service = services[name]
    assert service["environment"]["SYNDICATE_REDIS_URL"] == REDIS_URL
    assert service["depends_on"]["redis"]["condition"] == "service_healthy"
    assert service["healthcheck"]["test"]


def test_each_service_runs_its_own_command(services: dict[str, Any]) -> None:
    api = _words(services["api"]["command"])
    assert api[:2] == ["syndicate", "serve"] and api[api.index("--host") + 1] == "0.0.0.0"
    assert _words(services["worker"]["command"])[:2] == ["syndicate", "worker"]
    assert _words(services["push-worker"]["command"]) == ["syndicate", "worker", "--push"]
    flower = _words(services["flower"]["command"])
    assert flower[:4] == ["celery", "-A", "worker", "flower"]
    assert "--port=5555" in flower


def test_secrets_come_from_the_environment_never_from_the_file(
    services: dict[str, Any],
) -> None:
    env = services["api"]["environment"]
    for name in ("SYNDICATE_NEWSROOM_SECRET", "SYNDICATE_OPERATOR_TOKEN"):
        assert re.fullmatch(r"\$\{" + name + r":\?[^}]*\}", env[name]), env[name]
    assert env["SYNDICATE_SUPERDESK_SECRET"] == "${SYNDICATE_SUPERDESK_SECRET:-}"  # optional
    assert env["SYNDICATE_METRICS_TOKEN"] == "${SYNDICATE_METRICS_TOKEN:-}"  # optional
    for name in ("worker", "flower"):
        assert "SYNDICATE_NEWSROOM_SECRET" not in services[name]["environment"]
        assert "SYNDICATE_SUPERDESK_SECRET" not in services[name]["environment"]


def test_the_worker_starts_once_models_are_built_and_may_finish_its_tasks(
    services: dict[str, Any],
) -> None:
    worker = services["worker"]
    assert worker["depends_on"]["models"]["condition"] == "service_completed_successfully"
    assert _words(services["models"]["command"])[:3] == ["syndicate", "models", "build-demo"]
    assert worker["stop_grace_period"]


def _instruction(dockerfile: str, name: str) -> list[str]:
    """The last ``name`` instruction's words (exec form or shell form)."""
    lines = [line for line in dockerfile.splitlines() if line.startswith(name + " ")]
    assert lines, f"no {name} in the Dockerfile"
    value = lines[-1][len(name) :].strip()
    words: list[str] = json.loads(value) if value.startswith("[") else value.split()
    return words


def test_the_image_is_python_311_slim_installs_the_project_and_serves_by_default() -> None:
    dockerfile = (REPO / "Dockerfile").read_text("utf-8")
    assert _instruction(dockerfile, "FROM") == ["python:3.11-slim"]
    assert re.search(r"pip install '?\.(\[[a-z,]+\])?'?", dockerfile)
    installs = [line for line in dockerfile.splitlines() if "pip install" in line]
    assert installs and not any("torch" in line for line in installs)
    command = _instruction(dockerfile, "CMD")
    assert command[:2] == ["syndicate", "serve"] and "0.0.0.0" in command
    assert _instruction(dockerfile, "USER") != ["root"]


def test_flower_is_published_on_the_hosts_loopback_only(services: dict[str, Any]) -> None:
    """Flower has no authentication of its own (issue 9)."""
    ports = [str(port) for port in services["flower"]["ports"]]
    assert ports and all(port.startswith("127.0.0.1:") for port in ports)
