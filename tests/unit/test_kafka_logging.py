"""kafka-python's warnings do not land in notebook cells' stderr unless logging is set up."""

from __future__ import annotations

import logging

import eda_lab.clients  # noqa: F401  (importing the client package is what sets this up)


def _handlers_below_root(name: str) -> list[logging.Handler]:
    found, logger = [], logging.getLogger(name)
    while logger is not None and logger is not logging.root:
        found += logger.handlers
        logger = logger.parent if logger.propagate else None
    return found


def test_a_kafka_python_warning_finds_a_handler_so_the_last_resort_stays_silent():
    # Python prints a record to stderr (logging.lastResort) only when no logger from the
    # record's up to the root has a handler; kafka-python's loggers are "kafka.*".
    handlers = _handlers_below_root("kafka.coordinator.consumer")
    assert any(isinstance(h, logging.NullHandler) for h in handlers), handlers
    assert logging.getLogger("kafka").propagate, "an application's logging.basicConfig() still sees them"
