"""Doctests of ``eda_lab`` (``pytest --doctest-modules eda_lab``, a step of the test command).

An example that talks to Kafka uses ``ns``: a fresh namespace of its own with a 3-partition
topic ``ns.topic("orders")``, on the broker at EDA_LAB_BOOTSTRAP, reset afterwards. Examples that
do not use ``ns``, or make their own, need nothing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _kafka_for_doctests(request: pytest.FixtureRequest,
                        doctest_namespace: dict[str, object]) -> Iterator[None]:
    test = getattr(request.node, "dtest", None)  # only doctest items have one
    sources = [ex.source for ex in test.examples] if test is not None else []
    uses_ns = any(re.search(r"\bns\b", source) for source in sources)
    if not uses_ns or any(re.match(r"ns\s*=", source) for source in sources):
        yield  # not a doctest, or one that needs no broker (it makes its own ns)
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
