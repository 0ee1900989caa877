"""Building the command lines of Kafka's own tools (no Java, no broker)."""

from __future__ import annotations

import pytest

from eda_lab.cli.kafka_tools import KAFKA_TOOLS, parse_table, tool_arguments
from eda_lab.settings import Settings


def test_bootstrap_is_added_unless_given():
    settings = Settings(bootstrap="10.0.0.5:9093")
    assert tool_arguments("consumer-groups", ["--list"], settings) == [
        KAFKA_TOOLS["consumer-groups"], "--list", "--bootstrap-server", "10.0.0.5:9093"]
    given = ["--list", "--bootstrap-server", "b:1"]
    assert tool_arguments("topics", given, settings) == [KAFKA_TOOLS["topics"], *given]


def test_secured_cluster_gets_a_command_config():
    args = tool_arguments("topics", ["--list"], Settings(), config_file="/tmp/c.properties")
    assert args[-2:] == ["--command-config", "/tmp/c.properties"]


def test_unknown_tool_is_refused():
    with pytest.raises(ValueError, match="unknown Kafka tool"):
        tool_arguments("mirror-maker", [], Settings())


def test_parse_table_reads_the_describe_output():
    text = """
Consumer group 'g' has no active members.

GROUP  TOPIC  PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG  CONSUMER-ID  HOST  CLIENT-ID
g      t      0          10              12              2    -            -     -
g      t      1          -               3               -    -            -     -
"""
    rows = parse_table(text)
    assert [(r["PARTITION"], r["CURRENT-OFFSET"], r["LAG"]) for r in rows] == [
        ("0", "10", "2"), ("1", "-", "-")]
