"""docker-compose.yml and environment.yml stay in step with the package they stand in for.

The expectations come from the code (eda_lab.local_kafka.jars, eda_lab.local_kafka.broker, eda_lab.local_kafka.files,
pyproject.toml), so changing a setting in one place and not the other fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from eda_lab.local_kafka.broker import DEFAULT_HEAP_MB, DEFAULT_PORT, HOST
from eda_lab.local_kafka.files import BrokerFiles, BrokerState
from eda_lab.local_kafka.jars import KAFKA_VERSION
from eda_lab.local_kafka.java import KAFKA_MIN_JAVA
from eda_lab.settings import DEFAULT_BOOTSTRAP

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest itself depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
# Properties that name addresses or paths, which differ by nature between host and container.
# The image formats its storage for a static quorum (controller.quorum.voters) instead.
WHERE_KEYS = {
    "listeners",
    "advertised.listeners",
    "listener.security.protocol.map",
    "log.dirs",
    "controller.quorum.bootstrap.servers",
}
# On PyPI, not on conda-forge at a usable version (environment.yml says which has what).
PIP_ONLY = {"jgo", "kafka-python", "playwright"}
CONDA_NAME = {"confluent-kafka": "python-confluent-kafka"}  # PyPI name -> conda-forge name


def env_to_property(key: str) -> str:
    """KAFKA_ABC_DEF -> abc.def, as the apache/kafka image's KafkaDockerWrapper maps them."""
    name = key.removeprefix("KAFKA_").lower().replace("_", ".")
    return name.replace("...", "-").replace("..", "_")


def listener_map(value: str) -> dict[str, str]:
    """'A://h:1,B://k:2' -> {'A': 'h:1', 'B': 'k:2'}."""
    return dict(item.split("://", 1) for item in value.split(","))


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def kafka_env(compose: dict) -> dict[str, str]:
    env = compose["services"]["kafka"]["environment"]
    assert isinstance(env, dict), "write the kafka environment as a mapping"
    assert all(isinstance(v, str) for v in env.values()), "quote every value: compose wants strings"
    return env


@pytest.fixture
def embedded(tmp_path: Path) -> dict[str, str]:
    """The server.properties the local broker is started with, at its default port."""
    files = BrokerFiles(tmp_path)
    files.write_config(HOST, BrokerState(DEFAULT_PORT, DEFAULT_PORT + 1, KAFKA_VERSION, "x"))
    lines = files.properties.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_env_to_property_follows_the_image_rules():
    assert env_to_property("KAFKA_AUTO_CREATE_TOPICS_ENABLE") == "auto.create.topics.enable"
    assert env_to_property("KAFKA_ABC__DEF") == "abc_def"
    assert env_to_property("KAFKA_ABC___DEF") == "abc-def"


def test_compose_runs_the_same_kafka_version(compose):
    assert compose["services"]["kafka"]["image"] == f"apache/kafka:{KAFKA_VERSION}"


def test_compose_has_the_embedded_broker_settings(compose, kafka_env, embedded):
    props = {env_to_property(k): v for k, v in kafka_env.items() if k.startswith("KAFKA_")}
    assert embedded["auto.create.topics.enable"] == props["auto.create.topics.enable"] == "false"
    assert embedded["group.initial.rebalance.delay.ms"] == "0"
    assert props["group.initial.rebalance.delay.ms"] == "0"
    for key, value in embedded.items():
        if key not in WHERE_KEYS:
            assert props.get(key) == value, key
    volumes = compose["services"]["kafka"]["volumes"]
    assert props["log.dirs"] in {v.split(":", 1)[1] for v in volumes}, "keep the data in a volume"
    protocols = set(embedded["listener.security.protocol.map"].split(","))
    assert protocols <= set(props["listener.security.protocol.map"].split(","))
    assert props["controller.quorum.voters"] == f"{embedded['node.id']}@kafka:9093"


def test_compose_heap_matches_the_local_broker(kafka_env):
    assert f"-Xmx{DEFAULT_HEAP_MB}m" in kafka_env["KAFKA_HEAP_OPTS"].split()


def test_host_listener_is_the_default_bootstrap(compose, kafka_env):
    kafka = compose["services"]["kafka"]
    assert kafka["ports"] == [f"{HOST}:{DEFAULT_PORT}:{DEFAULT_PORT}"]
    container_port = kafka["ports"][0].rsplit(":", 1)[1]
    bound = listener_map(kafka_env["KAFKA_LISTENERS"])
    name = next(n for n, addr in bound.items() if addr.rsplit(":", 1)[1] == container_port)
    advertised = listener_map(kafka_env["KAFKA_ADVERTISED_LISTENERS"])
    assert advertised[name] == f"{HOST}:{DEFAULT_PORT}" == DEFAULT_BOOTSTRAP


def test_every_port_is_bound_to_localhost_only(compose):
    ports = [p for service in compose["services"].values() for p in service.get("ports", [])]
    assert ports, "expected published ports"
    for port in ports:
        assert isinstance(port, str) and port.startswith("127.0.0.1:"), port


def test_ui_and_healthcheck_use_the_in_network_listener(compose, kafka_env):
    advertised = listener_map(kafka_env["KAFKA_ADVERTISED_LISTENERS"])
    in_network = advertised[kafka_env["KAFKA_INTER_BROKER_LISTENER_NAME"]]
    assert in_network == "kafka:19092"
    assert compose["services"]["kafka"]["hostname"] == "kafka"
    ui = compose["services"]["kafka-ui"]
    assert ui["image"].split(":")[0] == "kafbat/kafka-ui"
    assert ui["environment"]["KAFKA_CLUSTERS_0_BOOTSTRAPSERVERS"] == in_network
    assert ui["ports"] == ["127.0.0.1:8080:8080"]
    assert ui["depends_on"]["kafka"]["condition"] == "service_healthy"
    check = " ".join(compose["services"]["kafka"]["healthcheck"]["test"])
    assert f"--bootstrap-server {in_network}" in check


# environment.yml


def split_requirement(spec: str) -> tuple[str, str]:
    """'Kafka_Python >=3, <4' -> ('kafka-python', '>=3,<4'): normalised name, bare specifier."""
    match = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)", spec)
    assert match, spec
    return re.sub(r"[-_.]+", "-", match[1]).lower(), re.sub(r"\s+", "", match[2])


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


@pytest.fixture(scope="module")
def conda_env() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def conda_and_pip(env: dict) -> tuple[dict[str, str], list[str]]:
    conda, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.extend(dep["pip"])
        else:
            name, spec = split_requirement(dep)
            conda[name] = spec
    return conda, pip


def test_environment_header(conda_env):
    assert conda_env["name"] == "eda-lab"
    assert conda_env["channels"][0] == "conda-forge"
    assert "defaults" not in conda_env["channels"]


def test_environment_names_every_pyproject_dependency(conda_env, pyproject):
    wanted = dict(split_requirement(s) for s in pyproject["dependencies"])
    for extra in pyproject["optional-dependencies"].values():
        wanted.update(split_requirement(s) for s in extra)
    conda, pip = conda_and_pip(conda_env)
    pip_reqs = dict(split_requirement(s) for s in pip if not s.startswith("-"))
    from_conda = {CONDA_NAME.get(n, n): s for n, s in wanted.items() if n not in PIP_ONLY}
    assert {n: conda[n] for n in conda if n not in {"python", "openjdk", "pip"}} == from_conda
    assert pip_reqs == {n: s for n, s in wanted.items() if n in PIP_ONLY}
    assert "-e .[test]" in pip


def test_environment_python_and_java(conda_env, pyproject):
    conda, _ = conda_and_pip(conda_env)
    assert conda["python"] == pyproject["requires-python"]
    assert conda["openjdk"] == f">={KAFKA_MIN_JAVA}"
    assert "pip" in conda
