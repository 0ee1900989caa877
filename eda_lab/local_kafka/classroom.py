"""The local broker on an address learners can reach: a second listener, for a classroom.

``eda-lab broker start --reachable-at HOST[:PORT]`` adds a listener named CLASSROOM that binds
``--bind`` (every interface by default) and advertises ``HOST:PORT``, so learners on the
classroom network set ``EDA_LAB_BOOTSTRAP=HOST:PORT``. The PLAINTEXT listener and the
controller's stay on 127.0.0.1. It has no authentication: a trusted network, a workshop's length.

Example::

    address = ClassroomAddress.parse("laptop.local")           # port: the client port + 2
    address.listener(client_port=9092, controller_port=9093).url(advertised=True)
    # 'CLASSROOM://laptop.local:9094'
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from ..errors import SettingsError
from .node import ListenerSpec

LISTENER = "CLASSROOM"
EVERY_INTERFACE = "0.0.0.0"
# A host name or IPv4 address, or an IPv6 address in brackets: what a listener URL can hold.
_HOST_OK = re.compile(r"[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\]")


@dataclass(frozen=True)
class ClassroomAddress:
    """Where learners reach the broker: ``host`` (advertised), ``port`` (None: the client
    port + 2) and ``bind``, the local address the listener binds."""

    host: str
    port: int | None = None
    bind: str = EVERY_INTERFACE

    @classmethod
    def parse(cls, reachable_at: str, bind: str | None = None) -> ClassroomAddress:
        """``HOST[:PORT]`` as ``--reachable-at`` takes it; :class:`SettingsError` saying why not."""
        text = reachable_at.strip()
        host, port = _split(text)
        if not host:
            raise SettingsError(f"--reachable-at {text!r} has no host: give the name or IP "
                                "address learners reach this machine at, e.g. --reachable-at "
                                "192.168.1.20 or laptop.local:9094")
        if not _HOST_OK.fullmatch(host):
            raise SettingsError(f"--reachable-at {text!r}: {host!r} is not a host name or IP "
                                "address (an IPv6 address goes in brackets: [fd00::7]:9094)")
        if _unspecified(host):
            raise SettingsError(
                f"--reachable-at {text!r}: clients cannot connect to {host}, which only means "
                "'every interface' to a listener. Give the name or IP learners reach this "
                f"machine at; the listener binds {EVERY_INTERFACE} already (see --bind).")
        bind = EVERY_INTERFACE if bind is None else bind.strip()
        if not _HOST_OK.fullmatch(bind):
            raise SettingsError(f"--bind {bind!r} is not a local address (e.g. 0.0.0.0 or "
                                "192.168.1.20); the port goes in --reachable-at HOST:PORT")
        return cls(host, port, bind)

    def listener(self, client_port: int, controller_port: int) -> ListenerSpec:
        """The CLASSROOM listener beside a broker on these ports (its port must differ)."""
        port = self.port or client_port + 2
        for role, taken in (("client", client_port), ("controller", controller_port)):
            if port == taken:
                raise SettingsError(
                    f"--reachable-at port {port} is the broker's {role} port; give the classroom "
                    f"listener a port of its own, e.g. --reachable-at {self.host}:{port + 100}")
        return ListenerSpec(LISTENER, port, self.bind, advertised_host=self.host)


def classroom_from_options(reachable_at: str | None,
                           bind: str | None = None) -> ClassroomAddress | None:
    """``--reachable-at`` and ``--bind`` as given; None (loopback only) when neither is."""
    if reachable_at is not None:
        return ClassroomAddress.parse(reachable_at, bind)
    if bind is not None:
        raise SettingsError("--bind says where the classroom listener binds: give "
                            "--reachable-at HOST too (the name or IP learners reach)")
    return None


def learner_lines(advertised: str, bound: str) -> list[str]:
    """What the instructor reads: the address learners use, and the warning that goes with it."""
    port = advertised.rpartition(":")[2]
    return [
        f"learners:   export EDA_LAB_BOOTSTRAP={advertised}   (listener {LISTENER} on {bound}; "
        f"let TCP port {port} through this machine's firewall)",
        f"warning:    {advertised} has no authentication: anyone who reaches it can read, write "
        "and delete every topic. Use it on a trusted network, for the workshop only.",
    ]


def _split(text: str) -> tuple[str, int | None]:
    if text.startswith("["):  # [IPv6] or [IPv6]:PORT
        host, _, rest = text.partition("]")
        if rest and not rest.startswith(":"):
            raise SettingsError(f"--reachable-at {text!r} is not [IPV6]:PORT")
        host, port = host + "]", (rest[1:] if rest else None)
    elif text.count(":") > 1:
        raise SettingsError(f"--reachable-at {text!r}: put an IPv6 address in brackets, "
                            "e.g. [fd00::7]:9094")
    else:
        host, sep, port = text.partition(":")
        port = port if sep else None
    if port is None:
        return host, None
    if not (port.isascii() and port.isdigit()) or not 1 <= int(port) <= 65535:
        raise SettingsError(f"--reachable-at {text!r}: the port {port!r} is not a number from "
                            "1 to 65535; give HOST or HOST:PORT, e.g. laptop.local:9094")
    return host, int(port)


def _unspecified(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:  # a host name
        return False
