"""Is a port free for the broker? A listening program says yes; leftover connections do not.

A broker killed with SIGKILL leaves its connections in TIME_WAIT (or FIN_WAIT2) for up to a
minute. A plain ``bind`` fails on such a port, yet Kafka's own bind succeeds: Java opens every
server socket with SO_REUSEADDR on Linux and macOS (``sun.nio.ch.Net.serverSocket``), which lets
a listener bind over leftover connections but never over another listening socket. So the check
binds exactly as the broker will, and answers what the broker's bind would.

On Windows SO_REUSEADDR means something else (bind even where another program listens), and
Java ignores it there; so there the check binds plainly, again as Java does.
"""

from __future__ import annotations

import errno
import os
import random
import socket
import tempfile
import time
from pathlib import Path

from ..errors import LocalBrokerError, PortInUse
from .node import HOST, NodeConfig

# free_port picks below every OS's ephemeral range (Linux 32768-60999, macOS and Windows from
# 49152), so no outgoing connection takes the port as its source port before the broker binds it.
_PICK_FROM = range(20000, 32000)
# Each pick is recorded here, shared by every process on the machine, so that parallel test
# workers (or a class of learners' kernels) never pick the same port, even one a broker released
# a moment ago and is about to bind again.
_CLAIMS = Path(tempfile.gettempdir()) / "eda-lab-ports"
_CLAIM_KEPT_S = 3600

# Windows reports a taken port as WSAEADDRINUSE (10048), or WSAEACCES (10013) under exclusive use.
_TAKEN = {errno.EADDRINUSE} | ({10048, 10013} if os.name == "nt" else set())


def _bind_like_java(sock: socket.socket, host: str, port: int) -> None:
    if os.name != "nt":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))


def port_is_free(port: int, host: str = HOST) -> bool:
    """True when the broker could listen on ``host:port`` now: no program listens or holds it
    there. Connections a killed broker left behind (TIME_WAIT) do not make a port taken."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            _bind_like_java(sock, host, port)
        except OSError as exc:
            if exc.errno in _TAKEN or getattr(exc, "winerror", None) in _TAKEN:
                return False
            raise
    return True


def claim_port(port: int) -> bool:
    """Record ``port`` as handed out; False if another process did so within the last hour."""
    _CLAIMS.mkdir(exist_ok=True)
    marker = _CLAIMS / str(port)
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        return True
    except FileExistsError:
        try:
            if time.time() - marker.stat().st_mtime < _CLAIM_KEPT_S:
                return False
            marker.touch()  # an old claim: its broker is long gone
            return True
        except FileNotFoundError:  # removed meanwhile: try again later
            return False


def free_port(host: str = HOST) -> int:
    """A TCP port on ``host`` that nothing listens on and no other eda_lab process was given."""
    pick = random.SystemRandom()
    for _ in range(500):
        port = pick.choice(_PICK_FROM)
        if port_is_free(port, host) and claim_port(port):
            return port
    raise PortInUse(f"No free port found between {_PICK_FROM.start} and {_PICK_FROM.stop - 1} on "
                    f"{host}; delete {_CLAIMS} if many brokers ran here recently, or pass --port.")


def check_ports(node: NodeConfig, home: Path) -> None:
    """Raise :class:`PortInUse`, saying what to do, if a program listens on a port of ``node``."""
    for spec in node.listeners:
        try:
            if port_is_free(spec.port, spec.host):
                continue
        except OSError as exc:  # not an address of this machine (a mistyped --bind)
            raise LocalBrokerError(
                f"The {spec.name} listener cannot bind {spec.address}: {exc.strerror or exc}. "
                "Give --bind an address of this machine, or leave it out (0.0.0.0)."
            ) from exc
        if spec.name == node.controller_listener:
            raise PortInUse(
                f"Controller port {spec.port} on {spec.host} (fixed when {node.data_dir} was "
                "formatted) is taken by another program that listens there. Stop that program, "
                f"or delete {home} to start afresh."
            )
        if spec.name != node.inter_broker_listener:  # the classroom's listener
            host = spec.advertised_host or spec.host
            raise PortInUse(
                f"Port {spec.port} on {spec.host}, asked for the {spec.name} listener, is taken "
                "by another program that listens there. Stop that program, or give learners "
                f"another port: `eda-lab broker start --reachable-at {host}:{spec.port + 100}`."
            )
        raise PortInUse(
            f"Port {spec.port} on {spec.host} is taken by another program that listens there, "
            "so the broker cannot. Stop that program, or use another port: `eda-lab broker "
            f"start --port {spec.port + 100}` and EDA_LAB_BOOTSTRAP={spec.host}:{spec.port + 100}."
        )
