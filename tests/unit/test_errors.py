"""The errors a learner catches: the tree drawn in eda_lab/errors.py, the topic rules behind
InvalidTopic, and which eda_lab error each kafka-python error becomes (no broker needed)."""

from __future__ import annotations

import inspect
import re

import pytest
from kafka import errors as kerr

from eda_lab import errors
from eda_lab.clients._kafka import translate
from eda_lab.clients.topic_rules import check_topic, name_problem
from eda_lab.errors import (
    BrokerUnreachable,
    EdaLabError,
    GroupNotFound,
    InvalidTopic,
    SettingsError,
    TopicAlreadyExists,
    TopicNotFound,
    WaitTimeout,
)
from eda_lab.settings import Settings

NOWHERE = Settings(bootstrap="127.0.0.1:1")


def drawn_tree() -> dict[str, str]:
    """Each class in the module docstring's tree, with the class drawn above it."""
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    tree = errors.__doc__.split("::", 1)[1]
    for line in tree.splitlines():
        found = re.match(r"^(\s*(?:[│ ]\s*)*(?:[├└]── )?)([A-Z]\w+)", line)
        if not found:
            continue
        depth, name = len(found.group(1)), found.group(2)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[name] = stack[-1][1] if stack else "Exception"
        stack.append((depth, name))
    return parents


def test_the_docstring_draws_every_error_under_its_real_parent():
    classes = {name: cls for name, cls in vars(errors).items()
               if inspect.isclass(cls) and issubclass(cls, Exception) and cls.__module__ == errors.__name__}
    drawn = drawn_tree()
    assert set(drawn) == set(classes)
    for name, cls in classes.items():
        own = [b.__name__ for b in cls.__bases__ if b.__module__ == errors.__name__]
        assert drawn[name] == (own[0] if own else "Exception"), name


@pytest.mark.parametrize(("name", "problem"), [
    ("orders", None),
    ("a.b_c-D9", None),
    ("x" * 249, None),
    ("...", None),
    ("x" * 250, "is 250 characters long, more than 249"),
    ("", "is empty"),
    (".", "is '.', which Kafka reserves"),
    ("..", "is '..', which Kafka reserves"),
    ("has space", "contains ' '"),
    ("a/b:c", "contains '/', ':'"),
    ("café", "contains 'é'"),
    (42, "is a int, not a str"),
])
def test_topic_names_follow_kafkas_rules(name, problem):
    assert name_problem(name) == problem


def test_invalid_topic_suggests_a_valid_name():
    with pytest.raises(InvalidTopic) as caught:
        check_topic("my orders")
    assert "For example 'my-orders'." in str(caught.value)
    assert "1 to 249 characters from a-z A-Z 0-9" in str(caught.value)


@pytest.mark.parametrize(("partitions", "replication", "says"), [
    (0, 1, "at least 1 partition, not 0"),
    (-1, 1, "at least 1 partition, not -1"),
    (1, 0, "replication factor of at least 1, not 0"),
])
def test_invalid_counts_say_what_is_valid(partitions, replication, says):
    with pytest.raises(InvalidTopic, match=says):
        check_topic("orders", partitions, replication)


def test_valid_topics_pass():
    assert check_topic("orders", 3, 1) is None


def test_topic_already_exists_names_both_shapes_and_what_to_do():
    plain = str(TopicAlreadyExists("orders"))
    assert "recreate_topic('orders'" in plain and "exist_ok=True" in plain
    shaped = TopicAlreadyExists("orders", "3 partitions", "6 partitions")
    assert "with 3 partitions, not the 6 partitions asked for" in str(shaped)
    assert "delete_topic('orders')" in str(shaped) and "ask for 3 partitions" in str(shaped)


@pytest.mark.parametrize(("raised", "expected", "says"), [
    (kerr.TopicAlreadyExistsError(), TopicAlreadyExists, "'orders' already exists"),
    (kerr.UnknownTopicOrPartitionError(), TopicNotFound, "create_topic('orders'"),
    (kerr.GroupIdNotFoundError(), GroupNotFound, "'billing' does not exist"),
    (kerr.InvalidPartitionsError("Request '...' failed with response 'R(error_code=37, "
                                 "error_message='Number of partitions must be larger than 0.')'"),
     InvalidTopic, "(InvalidPartitionsError: Number of partitions must be larger than 0.)"),
    (kerr.InvalidReplicationFactorError(), InvalidTopic, "Kafka refused creating"),
    (kerr.KafkaTimeoutError(), WaitTimeout, "within 3 s. Is the broker running"),
    (kerr.NodeNotReadyError(), BrokerUnreachable, "No Kafka broker answered at 127.0.0.1:1"),
    (kerr.CommitFailedError(), EdaLabError, "rebalance gave this member's partitions"),
    (kerr.MessageSizeTooLargeError(), EdaLabError, "Kafka refused creating"),
    (kerr.KafkaConfigurationError("acks=7"), SettingsError, "refused an option while creating"),
    (kerr.IllegalStateError("closed"), EdaLabError, "kafka-python failed while creating"),
])
def test_kafka_python_errors_become_eda_lab_errors(raised, expected, says):
    got = translate(raised, NOWHERE, "creating topic 'orders'", 3.0, topic="orders",
                    group="billing")
    assert type(got) is expected
    assert says in str(got)


def test_errors_that_are_not_kafka_pythons_pass_through():
    original = ValueError("mine")
    assert translate(original, NOWHERE, "anything", 1.0) is original
