"""Nothing connects at import: every eda_lab module imports in a fresh interpreter whose
socket connections fail loudly, with no display.

An integration test because it starts a process: only a fresh interpreter imports every module
for the first time (the test run itself imported most of them long before any test started).
"""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys

import pytest

import eda_lab

pytestmark = pytest.mark.integration

ALL_MODULES = sorted(
    m.name for m in pkgutil.walk_packages(eda_lab.__path__, "eda_lab.")
    if not m.name.endswith("__main__")
)


def test_importing_every_module_connects_to_nothing():
    code = (
        "import importlib, socket, sys\n"
        "def refuse(*a, **k): raise AssertionError('connected at import')\n"
        "socket.socket.connect = socket.socket.connect_ex = refuse\n"
        "socket.create_connection = refuse\n"
        "modules = sys.argv[1:]\n"
        "for name in modules: importlib.import_module(name)\n"
        "print('imported', len(modules))\n"
    )
    # No display and no backend chosen: importing must not need either.
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    done = subprocess.run([sys.executable, "-c", code, *ALL_MODULES], capture_output=True,
                          text=True, timeout=120, env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"imported {len(ALL_MODULES)}"
    assert len(ALL_MODULES) > 20  # the walk found the sub-packages' modules too
