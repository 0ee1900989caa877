"""Unit tests need nothing: no broker, no network, no other process.

While a unit test runs, opening a network connection or starting a process fails loudly, so a
test that needs either is noticed and moved to tests/integration. (Imports at collection time
are not guarded; tests/integration/test_importing.py proves importing connects to nothing.)
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator

import pytest

ADVICE = "unit tests need nothing: move this test to tests/integration"


class NeedsNothingError(AssertionError):
    """A unit test tried to reach the network or start a process."""


def _refuse(what: str):
    def refuse(*args: object, **kwargs: object):
        raise NeedsNothingError(f"a unit test tried to {what}: {ADVICE}")
    return refuse


GUARDED = [
    (socket.socket, "connect", "open a network connection"),
    (socket.socket, "connect_ex", "open a network connection"),
    (socket, "create_connection", "open a network connection"),
    (socket, "getaddrinfo", "look up a host name"),
    (subprocess.Popen, "__init__", "start a process"),
    (os, "system", "start a process"),
    (os, "fork", "start a process"),
    (os, "posix_spawn", "start a process"),
    (os, "posix_spawnp", "start a process"),
    (os, "execv", "start a process"),
    (os, "execve", "start a process"),
]


@pytest.fixture(autouse=True)
def needs_nothing(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make connections and process starts fail loudly for the duration of one unit test."""
    for owner, name, what in GUARDED:
        if hasattr(owner, name):
            monkeypatch.setattr(owner, name, _refuse(what))
    yield
