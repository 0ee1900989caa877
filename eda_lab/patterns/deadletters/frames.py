"""Dead letters as a pandas DataFrame: one row per dead letter, its story in columns.

Built on :func:`eda_lab.analysis.topic_to_dataframe` (partition, offset, ``timestamp`` = when
it was dead-lettered, the envelope, ``data.*``, ``header.*``, ``error`` for bad bytes), plus the
dead-letter headers as typed columns: ``originalTopic``, ``originalPartition``,
``originalOffset``, ``originalTimestamp``, ``consumerGroup``, ``errorClass``,
``errorMessage``, ``attempt`` (and ``stackTrace``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ...analysis.windows import When, instant_ms
from ...settings import Settings
from . import headers as h
from .policy import dead_letter_topic

_TEXT = {"originalTopic": h.ORIGINAL_TOPIC, "consumerGroup": h.ORIGINAL_GROUP,
         "errorClass": h.EXCEPTION_CLASS, "errorMessage": h.EXCEPTION_MESSAGE,
         "stackTrace": h.EXCEPTION_STACKTRACE}
_NUMBERS = {"originalPartition": h.ORIGINAL_PARTITION, "originalOffset": h.ORIGINAL_OFFSET,
            "attempt": h.ATTEMPT}
COLUMNS = ("originalTopic", "originalPartition", "originalOffset", "originalTimestamp",
           "consumerGroup", "errorClass", "errorMessage", "attempt", "stackTrace")


def dead_letter_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A dead-letter topic's frame (from ``topic_to_dataframe``) with the columns above, first.

    Example::

        dead_letter_frame(topic_to_dataframe(ns.topic("orders.DLT")))[["errorClass", "attempt"]]
    """
    def header(name: str) -> pd.Series:
        column = f"header.{name}"
        if column in frame:
            return frame[column]
        return pd.Series(pd.NA, index=frame.index, dtype=pd.StringDtype("pyarrow"))

    added: dict[str, Any] = {name: header(source) for name, source in _TEXT.items()}
    for name, source in _NUMBERS.items():
        added[name] = pd.to_numeric(header(source), errors="coerce").astype("Int64")
    added["originalTimestamp"] = pd.to_datetime(
        pd.to_numeric(header(h.ORIGINAL_TIMESTAMP), errors="coerce"), unit="ms", utc=True)
    front = pd.DataFrame({name: added[name] for name in COLUMNS}, index=frame.index)
    return pd.concat([frame[["partition", "offset", "timestamp", "key"]], front,
                      frame.drop(columns=["partition", "offset", "timestamp", "key"])], axis=1)


def dead_letters(topic: str, settings: Settings | None = None, **options: Any) -> pd.DataFrame:
    """The dead letters of source ``topic`` (read from ``<topic>.DLT``) as a DataFrame.

    Example::

        df = dead_letters(ns.topic("orders"))
        df.groupby("errorClass").size()

    ``options`` go to :func:`~eda_lab.analysis.topic_to_dataframe` (``since``, ``until``, ...).
    """
    from ...analysis import topic_to_dataframe  # pandas and Arrow load only when asked for

    options.setdefault("progress", False)
    return dead_letter_frame(topic_to_dataframe(dead_letter_topic(topic), settings, **options))


def select_dead_letters(frame: pd.DataFrame, *, error: str | None = None,
                        message: str | None = None, since: When = None,
                        until: When = None) -> pd.DataFrame:
    """The rows whose exception class is ``error`` (its short or full name), whose message
    contains ``message``, dead-lettered in [since, until) (datetimes or durations like "1h").

    Example::

        select_dead_letters(df, error="NonRetryable", message="amount", since="10min")
    """
    keep = pd.Series(True, index=frame.index)
    if error is not None:
        names = frame["errorClass"].fillna("")
        keep &= (names == error) | names.str.endswith("." + error)
    if message is not None:
        keep &= frame["errorMessage"].fillna("").str.contains(message, regex=False)
    for bound, inside in ((since, frame["timestamp"].__ge__), (until, frame["timestamp"].__lt__)):
        ms = instant_ms(bound)
        if ms is not None:
            keep &= inside(pd.Timestamp(ms, unit="ms", tz="UTC"))
    return frame[keep.astype(bool)]
