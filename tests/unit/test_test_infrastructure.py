"""The test infrastructure itself: the unit guard refuses, the shared helpers say what failed."""

from __future__ import annotations

import os
import socket
import subprocess

import pytest

from tests.helpers import random_name, wait_for
from tests.unit.conftest import NeedsNothingError


def test_a_unit_test_cannot_open_a_connection():
    with pytest.raises(NeedsNothingError, match="move this test to tests/integration"):
        socket.create_connection(("127.0.0.1", 9), timeout=1)
    with socket.socket() as sock, pytest.raises(NeedsNothingError):
        sock.connect(("127.0.0.1", 9))


def test_a_unit_test_cannot_start_a_process():
    with pytest.raises(NeedsNothingError, match="start a process"):
        subprocess.run(["true"], check=False)
    with pytest.raises(NeedsNothingError):
        os.system("true")


def test_wait_for_returns_what_the_check_found_and_names_what_it_waited_for():
    calls = iter([None, 0, "found"])
    assert wait_for(lambda: next(calls), "a value", interval_s=0) == "found"
    with pytest.raises(AssertionError, match=r"timed out after 0.05 s waiting for the answer"):
        wait_for(lambda: None, "the answer", timeout_s=0.05)


def test_random_names_differ_and_say_their_kind():
    names = {random_name("orders") for _ in range(100)}
    assert len(names) == 100 and all(n.startswith("orders-") for n in names)
