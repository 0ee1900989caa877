"""The ``eda-lab`` command line: the local broker, the lab and the doctor."""

from __future__ import annotations

from .commands import build_parser, main
from .doctor import (
    Check,
    run_checks,
)

__all__ = [
    "Check",
    "build_parser",
    "main",
    "run_checks",
]
