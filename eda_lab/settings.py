"""Connection settings, read from environment variables in one place.

Every client the package makes takes its connection options from :class:`Settings`.
Nothing here connects to anything: reading settings is pure.

Environment variables (all optional):

- ``EDA_LAB_BOOTSTRAP``: ``host:port[,host:port]`` of the cluster (default ``127.0.0.1:9092``,
  the local broker that ``eda-lab broker start`` runs).
- ``EDA_LAB_NAMESPACE``: prefix for every topic and consumer group (default ``eda-lab``).
  Give each student of a workshop their own, for example ``EDA_LAB_NAMESPACE=alice``.
- ``EDA_LAB_SECURITY_PROTOCOL``: ``PLAINTEXT`` (default), ``SSL``, ``SASL_PLAINTEXT``, ``SASL_SSL``.
- ``EDA_LAB_SASL_MECHANISM``, ``EDA_LAB_SASL_USERNAME``, ``EDA_LAB_SASL_PASSWORD``.
- ``EDA_LAB_SSL_CAFILE``, ``EDA_LAB_SSL_CERTFILE``, ``EDA_LAB_SSL_KEYFILE``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import SettingsError

DEFAULT_BOOTSTRAP = "127.0.0.1:9092"
DEFAULT_NAMESPACE = "eda-lab"
_SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
_NAME_OK = re.compile(r"^[A-Za-z0-9._-]+$")


@dataclass(frozen=True)
class Settings:
    """How to reach the cluster, and the prefix for this learner's topics and groups.

    Example::

        settings = Settings.from_env()
        KafkaProducer(**settings.client_kwargs())

    Credentials are kept out of ``repr`` so they never show up in logs or notebook output.
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

        def get(name: str) -> str | None:
            value = env.get(f"EDA_LAB_{name}", "").strip()
            return value or None

        return cls(
            bootstrap=get("BOOTSTRAP") or DEFAULT_BOOTSTRAP,
            namespace=get("NAMESPACE") or DEFAULT_NAMESPACE,
            security_protocol=(get("SECURITY_PROTOCOL") or "PLAINTEXT").upper(),
            sasl_mechanism=get("SASL_MECHANISM"),
            sasl_username=get("SASL_USERNAME"),
            sasl_password=get("SASL_PASSWORD"),
            ssl_cafile=get("SSL_CAFILE"),
            ssl_certfile=get("SSL_CERTFILE"),
            ssl_keyfile=get("SSL_KEYFILE"),
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
