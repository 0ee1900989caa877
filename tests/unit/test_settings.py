import pytest

from eda_lab.errors import SettingsError
from eda_lab.namespace import Namespace, namespace
from eda_lab.settings import DEFAULT_BOOTSTRAP, Settings


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
