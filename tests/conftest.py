"""Shared fixtures. Integration tests talk to the real broker named by EDA_LAB_BOOTSTRAP
(the test command starts one and sets it); every test gets its own random namespace.

Helpers that are not fixtures (random names, test records, the CLI, waiting) are in
``tests/helpers.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eda_lab.clients import reset_namespace
from eda_lab.clients.cluster import cluster_info
from eda_lab.namespace import Namespace
from eda_lab.settings import Settings
from tests.helpers import random_name


@pytest.fixture(scope="session")
def settings() -> Settings:
    """Settings of the broker under test; fails (not skips) when no broker answers."""
    found = Settings.from_env()
    cluster_info(found, timeout_s=20)  # raises BrokerUnreachable with what to do
    return found


@pytest.fixture
def ns(settings: Settings) -> Iterator[Namespace]:
    """A fresh namespace of topics and groups for one test, reset once afterwards.

    This is the one clean-up: tests and their fixtures do not reset or delete again. Cleaning
    up matters on a shared cluster (an instructor's, or a real one under test); a reset that
    fails (a test left a consumer running) is an error of that test, not a warning.
    """
    fresh = Namespace(prefix=random_name("test"), lesson="it")
    yield fresh
    reset_namespace(fresh, settings, timeout_s=15)


INTEGRATION = Path(__file__).parent / "integration"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The directory decides: every test in tests/integration is marked ``integration``, so
    ``-m integration`` and ``-m "not integration"`` select exactly the two directories."""
    for item in items:
        inside = item.path.is_relative_to(INTEGRATION)
        if inside:
            item.add_marker(pytest.mark.integration)
        elif item.get_closest_marker("integration"):
            raise pytest.UsageError(f"{item.nodeid} is marked integration: move it to "
                                    "tests/integration (tests/unit need nothing)")
