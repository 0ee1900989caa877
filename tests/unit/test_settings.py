import ast
import dataclasses
import re
from pathlib import Path

import pytest

import eda_lab
from eda_lab.errors import SettingsError
from eda_lab.local_kafka.files import default_cache, default_home
from eda_lab.local_kafka.jars import KAFKA_VERSION, kafka_version
from eda_lab.namespace import Namespace, namespace
from eda_lab.settings import DEFAULT_BOOTSTRAP, LocalKafkaSettings, Settings, named_bootstrap

PACKAGE = Path(eda_lab.__file__).parent
README = PACKAGE.parent / "README.md"


def test_defaults_point_at_the_local_broker():
    s = Settings.from_env({})
    assert s.bootstrap == DEFAULT_BOOTSTRAP == "127.0.0.1:9092"
    assert s.namespace == "eda-lab"
    assert s.client_kwargs() == {"bootstrap_servers": ["127.0.0.1:9092"],
                                 "security_protocol": "PLAINTEXT"}


def test_environment_overrides_and_several_servers():
    s = Settings.from_env({"EDA_LAB_BOOTSTRAP": "k1:9092, k2:9093", "EDA_LAB_NAMESPACE": "alice"})
    assert s.bootstrap_servers == ["k1:9092", "k2:9093"]
    assert s.namespace == "alice"


def test_sasl_and_tls_settings_reach_every_client():
    s = Settings.from_env({
        "EDA_LAB_SECURITY_PROTOCOL": "sasl_ssl", "EDA_LAB_SASL_MECHANISM": "SCRAM-SHA-512",
        "EDA_LAB_SASL_USERNAME": "bob", "EDA_LAB_SASL_PASSWORD": "s3cret-pw",
        "EDA_LAB_SSL_CAFILE": "/etc/ca.pem",
    })
    kw = s.client_kwargs()
    assert kw["security_protocol"] == "SASL_SSL"
    assert kw["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (kw["sasl_plain_username"], kw["sasl_plain_password"]) == ("bob", "s3cret-pw")
    assert kw["ssl_cafile"] == "/etc/ca.pem"


def test_credentials_never_appear_in_repr_or_str():
    s = Settings(security_protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN",
                 sasl_username="bob", sasl_password="s3cret-pw", ssl_keyfile="/k/key.pem")
    assert "s3cret-pw" not in repr(s) and "s3cret-pw" not in str(s)
    assert "key.pem" not in repr(s)
    assert "bob" in repr(s)


@pytest.mark.parametrize("env, word", [
    ({"EDA_LAB_BOOTSTRAP": "no-port"}, "host:port"),
    ({"EDA_LAB_NAMESPACE": "has space"}, "namespace"),
    ({"EDA_LAB_SECURITY_PROTOCOL": "TLS"}, "security protocol"),
    ({"EDA_LAB_SECURITY_PROTOCOL": "SASL_SSL"}, "EDA_LAB_SASL_MECHANISM"),
])
def test_bad_settings_say_what_is_wrong(env, word):
    with pytest.raises(SettingsError, match=word):
        Settings.from_env(env)


def test_namespace_names_and_short_names():
    ns = namespace("02-producing", Settings(namespace="alice"))
    assert ns == Namespace("alice", "02-producing")
    assert ns.topic("orders") == "alice.02-producing.orders"
    assert ns.group("billing") == "alice.02-producing.billing"
    assert ns.owns("alice.02-producing.orders") and not ns.owns("bob.02-producing.orders")
    assert ns.short("alice.02-producing.orders") == "orders"
    assert ns.short("other") == "other"
    with pytest.raises(ValueError):
        namespace("a.b")


def test_local_kafka_defaults_and_overrides():
    home = Path.home()
    found = LocalKafkaSettings.from_env({})
    assert found == LocalKafkaSettings(home / ".local/share/eda-lab", home / ".cache/eda-lab")
    found = LocalKafkaSettings.from_env({
        "EDA_LAB_HOME": "~/lab", "EDA_LAB_CACHE": "/c", "EDA_LAB_KAFKA_VERSION": "4.1.0",
        "EDA_LAB_JAR_RESOLVER": " MVN "})
    assert (found.home, found.cache) == (home / "lab", Path("/c"))
    assert (found.kafka_version, found.jar_resolver) == ("4.1.0", "mvn")
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.home = Path("/elsewhere")  # type: ignore[misc]


def test_the_launcher_reads_its_settings_when_called(monkeypatch, tmp_path):
    monkeypatch.delenv("EDA_LAB_KAFKA_VERSION", raising=False)
    assert kafka_version() == KAFKA_VERSION
    monkeypatch.setenv("EDA_LAB_KAFKA_VERSION", "4.2.0")
    monkeypatch.setenv("EDA_LAB_HOME", str(tmp_path / "h"))
    monkeypatch.setenv("EDA_LAB_CACHE", str(tmp_path / "c"))
    assert (kafka_version(), default_home(), default_cache()) == (
        "4.2.0", tmp_path / "h", tmp_path / "c")


@pytest.mark.parametrize("env, word", [
    ({"EDA_LAB_KAFKA_VERSION": "latest"}, "not a Kafka version"),
    ({"EDA_LAB_JAR_RESOLVER": "gradle"}, "EDA_LAB_JAR_RESOLVER='gradle'"),
])
def test_bad_local_kafka_settings_say_what_is_wrong(env, word):
    with pytest.raises(SettingsError, match=word):
        LocalKafkaSettings.from_env(env)


def test_a_named_bootstrap_is_told_from_the_default():
    assert named_bootstrap({}) is None and named_bootstrap({"EDA_LAB_BOOTSTRAP": "  "}) is None
    assert named_bootstrap({"EDA_LAB_BOOTSTRAP": "k:9092"}) == "k:9092"


def _env_reads(tree: ast.AST) -> list[str]:
    """Names read as os.environ.get(...), os.getenv(...) or os.environ[...] that start EDA_LAB_."""
    found = []
    for node in ast.walk(tree):
        arg = None
        if isinstance(node, ast.Call) and node.args:
            name = ast.unparse(node.func)
            if name.endswith(("environ.get", "getenv")) or name == "_read":
                arg = node.args[-1] if name == "_read" else node.args[0]
        elif (isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load)
              and ast.unparse(node.value).endswith("environ")):
            arg = node.slice
        if arg is not None:
            text = ast.unparse(arg)
            if "EDA_LAB_" in text:
                found.append(text.strip("'\""))
    return found


def test_every_variable_is_read_in_settings_and_listed_in_the_readme():
    elsewhere = {
        str(path.relative_to(PACKAGE)): reads
        for path in sorted(PACKAGE.rglob("*.py")) if path.name != "settings.py"
        if (reads := _env_reads(ast.parse(path.read_text())))
    }
    assert elsewhere == {}, "read EDA_LAB_* variables in eda_lab/settings.py only"
    read = set(_env_reads(ast.parse((PACKAGE / "settings.py").read_text())))
    assert len(read) >= 13 and all(re.fullmatch(r"EDA_LAB_[A-Z_]+", v) for v in read), read
    table = README.read_text().split("## Settings", 1)[1].split("\n#", 1)[0]
    listed = set(re.findall(r"`(EDA_LAB_[A-Z_]+)`", table))
    assert listed == read
