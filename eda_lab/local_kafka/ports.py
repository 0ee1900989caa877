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
import socket
from pathlib import Path

from ..errors import PortInUse
from .node import HOST, NodeConfig

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


def free_port(host: str = HOST) -> int:
    """A TCP port on ``host`` that nothing listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def check_ports(node: NodeConfig, home: Path) -> None:
    """Raise :class:`PortInUse`, saying what to do, if a program listens on a port of ``node``."""
    for spec in node.listeners:
        if port_is_free(spec.port, spec.host):
            continue
        if spec.name == node.controller_listener:
            raise PortInUse(
                f"Controller port {spec.port} on {spec.host} (fixed when {node.data_dir} was "
                "formatted) is taken by another program that listens there. Stop that program, "
                f"or delete {home} to start afresh."
            )
        raise PortInUse(
            f"Port {spec.port} on {spec.host} is taken by another program that listens there, "
            "so the broker cannot. Stop that program, or use another port: `eda-lab broker "
            f"start --port {spec.port + 100}` and EDA_LAB_BOOTSTRAP={spec.host}:{spec.port + 100}."
        )
