"""The ``eda-lab`` command line: the local broker, the lab and the doctor."""

from __future__ import annotations

from .commands import build_parser, main
from .doctor import (
    Check,
    run_checks,
)
from .kafka_tools import KAFKA_TOOLS, describe_group, producer_perf_test, run_kafka_tool

__all__ = [
    "Check",
    "KAFKA_TOOLS",
    "build_parser",
    "describe_group",
    "main",
    "producer_perf_test",
    "run_checks",
    "run_kafka_tool",
]
