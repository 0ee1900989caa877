"""Settings, read from ``EDA_LAB_*`` environment variables in one place (and nowhere else).

Every client the package makes takes its connection options from :class:`Settings`; the local
broker launcher takes its folders and Kafka version from :class:`LocalKafkaSettings`.
Nothing here connects to anything: reading settings is pure.

Environment variables (all optional; the README's Settings table lists the same):

- ``EDA_LAB_BOOTSTRAP``: ``host:port[,host:port]`` of the cluster (default ``127.0.0.1:9092``,
  the local broker that ``eda-lab broker start`` runs).
- ``EDA_LAB_NAMESPACE``: prefix for every topic and consumer group (default ``eda-lab``).
  Give each student of a workshop their own, for example ``EDA_LAB_NAMESPACE=alice``.
- ``EDA_LAB_SECURITY_PROTOCOL``: ``PLAINTEXT`` (default), ``SSL``, ``SASL_PLAINTEXT``, ``SASL_SSL``.
- ``EDA_LAB_SASL_MECHANISM``, ``EDA_LAB_SASL_USERNAME``, ``EDA_LAB_SASL_PASSWORD``.
- ``EDA_LAB_SSL_CAFILE``, ``EDA_LAB_SSL_CERTFILE``, ``EDA_LAB_SSL_KEYFILE``.
- ``EDA_LAB_HOME`` (the local broker's data and logs), ``EDA_LAB_CACHE`` (its jars),
  ``EDA_LAB_KAFKA_VERSION`` (overrides the pinned Kafka), ``EDA_LAB_JAR_RESOLVER``
  (``jgo``, ``mvn``, or ``none``: use the jar cache only).
- ``EDA_LAB_PROGRESS``: ``0`` hides the progress bars of long work (the notebook tests set it),
  ``1`` shows them even in CI; unset, they show unless ``CI`` is set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import SettingsError

DEFAULT_BOOTSTRAP = "127.0.0.1:9092"
DEFAULT_NAMESPACE = "eda-lab"
_SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
_NAME_OK = re.compile(r"^[A-Za-z0-9._-]+$")
_VERSION_OK = re.compile(r"^\d+\.\d+\.\d+[A-Za-z0-9._-]*$")
JAR_RESOLVERS = ("jgo", "mvn", "none")
_NO, _YES = ("0", "false", "no", "off"), ("1", "true", "yes", "on")


def _read(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


@dataclass(frozen=True)
class Settings:
    """How to reach the cluster, and the prefix for this learner's topics and groups.

    ``Settings.from_env()`` reads them from ``EDA_LAB_*`` variables; any kafka-python client
    takes ``**settings.client_kwargs()``. Credentials are kept out of ``repr`` so they never
    show up in logs or notebook output:

    >>> settings = Settings(bootstrap="broker-1:9092,broker-2:9092", security_protocol="SASL_SSL",
    ...                     sasl_mechanism="PLAIN", sasl_username="alice", sasl_password="s3cret")
    >>> settings.client_kwargs()["bootstrap_servers"]
    ['broker-1:9092', 'broker-2:9092']
    >>> "s3cret" in repr(settings), settings.client_kwargs()["sasl_plain_password"]
    (False, 's3cret')
    """

    bootstrap: str = DEFAULT_BOOTSTRAP
    namespace: str = DEFAULT_NAMESPACE
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.bootstrap.strip():
            raise SettingsError("EDA_LAB_BOOTSTRAP is empty: give host:port, e.g. 127.0.0.1:9092")
        for server in self.bootstrap_servers:
            host, _, port = server.rpartition(":")
            if not host or not port.isdigit():
                raise SettingsError(
                    f"bootstrap server {server!r} is not host:port (e.g. 127.0.0.1:9092)"
                )
        if not _NAME_OK.match(self.namespace):
            raise SettingsError(
                f"namespace {self.namespace!r} may only hold letters, digits, '.', '_' and '-'"
            )
        if self.security_protocol not in _SECURITY_PROTOCOLS:
            raise SettingsError(
                f"security protocol {self.security_protocol!r} is not one of {_SECURITY_PROTOCOLS}"
            )
        if self.security_protocol.startswith("SASL") and not self.sasl_mechanism:
            raise SettingsError("SASL needs EDA_LAB_SASL_MECHANISM (e.g. PLAIN or SCRAM-SHA-512)")

    @property
    def bootstrap_servers(self) -> list[str]:
        """The bootstrap address split into a list of ``host:port``."""
        return [s.strip() for s in self.bootstrap.split(",") if s.strip()]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings from ``EDA_LAB_*`` environment variables, with localhost defaults."""
        env = os.environ if environ is None else environ
        return cls(
            bootstrap=named_bootstrap(env) or DEFAULT_BOOTSTRAP,
            namespace=_read(env, "EDA_LAB_NAMESPACE") or DEFAULT_NAMESPACE,
            security_protocol=(_read(env, "EDA_LAB_SECURITY_PROTOCOL") or "PLAINTEXT").upper(),
            sasl_mechanism=_read(env, "EDA_LAB_SASL_MECHANISM"),
            sasl_username=_read(env, "EDA_LAB_SASL_USERNAME"),
            sasl_password=_read(env, "EDA_LAB_SASL_PASSWORD"),
            ssl_cafile=_read(env, "EDA_LAB_SSL_CAFILE"),
            ssl_certfile=_read(env, "EDA_LAB_SSL_CERTFILE"),
            ssl_keyfile=_read(env, "EDA_LAB_SSL_KEYFILE"),
        )

    def with_changes(self, **changes: Any) -> Settings:
        """A copy with some fields changed, e.g. ``settings.with_changes(namespace='bob')``."""
        return replace(self, **changes)

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for any kafka-python client (producer, consumer, admin)."""
        kwargs: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.sasl_mechanism:
            kwargs["sasl_mechanism"] = self.sasl_mechanism
            kwargs["sasl_plain_username"] = self.sasl_username
            kwargs["sasl_plain_password"] = self.sasl_password
        for name in ("ssl_cafile", "ssl_certfile", "ssl_keyfile"):
            value = getattr(self, name)
            if value:
                kwargs[name] = value
        return kwargs


def get_settings() -> Settings:
    """The settings in force now (read from the environment on every call)."""
    return Settings.from_env()


def named_bootstrap(environ: Mapping[str, str] | None = None) -> str | None:
    """``EDA_LAB_BOOTSTRAP`` if it names a cluster, else None (then the local broker is meant)."""
    return _read(os.environ if environ is None else environ, "EDA_LAB_BOOTSTRAP")


@dataclass(frozen=True)
class LocalKafkaSettings:
    """Where the local broker keeps its files, and which Kafka it runs and how it gets the jars.

    ``kafka_version`` None means the version eda-lab pins; ``jar_resolver`` None means jgo,
    then mvn; ``"none"`` means the jar cache only (offline, or to prove the cache is complete).
    """

    home: Path
    cache: Path
    kafka_version: str | None = None
    jar_resolver: str | None = None

    def __post_init__(self) -> None:
        if self.kafka_version is not None and not _VERSION_OK.match(self.kafka_version):
            raise SettingsError(
                f"EDA_LAB_KAFKA_VERSION={self.kafka_version!r} is not a Kafka version like 4.3.1"
            )
        if self.jar_resolver is not None and self.jar_resolver not in JAR_RESOLVERS:
            raise SettingsError(
                f"EDA_LAB_JAR_RESOLVER={self.jar_resolver!r} is not one of {JAR_RESOLVERS}"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LocalKafkaSettings:
        """Read ``EDA_LAB_HOME``, ``EDA_LAB_CACHE``, ``EDA_LAB_KAFKA_VERSION`` and
        ``EDA_LAB_JAR_RESOLVER``; folders default to ``~/.local/share/eda-lab`` and
        ``~/.cache/eda-lab``."""
        env = os.environ if environ is None else environ
        home, cache = _read(env, "EDA_LAB_HOME"), _read(env, "EDA_LAB_CACHE")
        resolver = _read(env, "EDA_LAB_JAR_RESOLVER")
        return cls(
            home=Path(home).expanduser() if home else Path.home() / ".local" / "share" / "eda-lab",
            cache=Path(cache).expanduser() if cache else Path.home() / ".cache" / "eda-lab",
            kafka_version=_read(env, "EDA_LAB_KAFKA_VERSION"),
            jar_resolver=resolver.lower() if resolver else None,
        )


def progress_choice(environ: Mapping[str, str] | None = None) -> bool | None:
    """``EDA_LAB_PROGRESS``: False for ``0``, True for ``1``, None when unset (then ``CI`` decides).

    >>> progress_choice({"EDA_LAB_PROGRESS": "0"}), progress_choice({})
    (False, None)
    """
    value = _read(os.environ if environ is None else environ, "EDA_LAB_PROGRESS")
    if value is None:
        return None
    if value.lower() in _NO:
        return False
    if value.lower() in _YES:
        return True
    raise SettingsError(f"EDA_LAB_PROGRESS={value!r} is not 0 (no progress bars) or 1 (bars, "
                        "even in CI)")


def running_in_ci(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``CI`` is set (to anything but ``0`` or ``false``), as CI services do."""
    value = _read(os.environ if environ is None else environ, "CI")
    return value is not None and value.lower() not in _NO
