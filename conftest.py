"""Doctests of ``eda_lab`` (``pytest --doctest-modules eda_lab``, a step of the test command).

An example that talks to Kafka uses ``ns``: a fresh namespace of its own with a 3-partition
topic ``ns.topic("orders")``, on the broker at EDA_LAB_BOOTSTRAP, reset afterwards. Examples that
do not mention ``ns`` need nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _kafka_for_doctests(request: pytest.FixtureRequest,
                        doctest_namespace: dict[str, object]) -> Iterator[None]:
    test = getattr(request.node, "dtest", None)  # only doctest items have one
    if test is None or not any("ns." in ex.source or "(ns" in ex.source for ex in test.examples):
        yield
        return
    # Imported here: collecting the unit tests must not import the clients for nothing.
    from eda_lab.clients import create_topic, reset_namespace
    from eda_lab.namespace import Namespace

    ns = Namespace(prefix=f"doctest-{uuid.uuid4().hex[:10]}", lesson="docs")
    create_topic(ns.topic("orders"), partitions=3)
    doctest_namespace["ns"] = ns
    yield
    del doctest_namespace["ns"]
    reset_namespace(ns, timeout_s=15)
