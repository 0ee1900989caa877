"""The checks for lesson 08's exercises: classify failures, redrive a filtered set of dead letters.

Both are pure: the first calls the learner's ``retryable(error)`` on failures a consumer meets
for real; the second compares the learner's selection of dead letters (rows of
:func:`~eda_lab.patterns.deadletters.dead_letters`) with the rows that ought to be redriven.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pandas as pd

from ...errors import MalformedEvent, NonRetryable
from ...exercises import answer_of, not_answered, verdict

# (a failure, whether waiting and trying again can help, why)
FAILURES: list[tuple[BaseException, bool, str]] = [
    (ConnectionError("payment service refused the connection"), True,
     "a service that is down may be up in a minute"),
    (TimeoutError("inventory did not answer in 2 s"), True, "slow now, maybe not later"),
    (MalformedEvent("not valid JSON"), False, "the bytes will be the same bytes on every try"),
    (NonRetryable("amount -5 is negative"), False, "the handler itself says no retry can help"),
    (KeyError("orderId"), False, "a missing field stays missing: a validation failure"),
    (json.JSONDecodeError("Expecting value", "{not json", 0), False,
     "bad bytes again, however the parser says it"),
]


def check_retryable(retryable: Callable[[BaseException], bool] | None,
                    name: str = "retry what can get better, dead-letter the rest") -> None:
    """Ask ``retryable(error)`` about each failure in :data:`FAILURES`; print the first wrong one."""
    if retryable is None:
        not_answered(name, "return True for failures that time can "
                     "fix (a service down or slow), False for bad data")
        return
    for error, want, why in FAILURES:
        got = answer_of(retryable, error)
        if got is not want:
            verdict(name, False, want, got, f"a {type(error).__name__}: {why}")
            return
    verdict(name, True)


def _where(frame: pd.DataFrame) -> list[tuple[int, int]]:
    return sorted(zip(frame["partition"].astype(int), frame["offset"].astype(int), strict=True))


def check_redrive_selection(chosen: pd.DataFrame | None, dead: pd.DataFrame, error: str,
                            name: str = "redrive only the dead letters the fix helps") -> None:
    """Compare ``chosen`` with the rows of ``dead`` whose exception class ends in ``error``
    (by dead-letter partition and offset), saying which rows are missing or too many."""
    if chosen is None:
        not_answered(name, "select_dead_letters(dead, error=...)")
        return
    if not isinstance(chosen, pd.DataFrame) or not {"partition", "offset"} <= set(chosen):
        verdict(name, False, "rows of the dead-letter frame", type(chosen).__name__,
                "keep the frame's columns: filter its rows, do not build a new table")
        return
    names = dead["errorClass"].fillna("")
    want = dead[(names == error) | names.str.endswith("." + error)]
    wanted, got = set(_where(want)), set(_where(chosen))
    extra = dead[[w in got - wanted for w in zip(dead["partition"], dead["offset"], strict=True)]]
    if extra.size:
        classes = sorted(set(extra["errorClass"].fillna("bad bytes")))
        verdict(name, False, f"{len(wanted)} rows", f"{len(got)}",
                f"{len(extra)} of yours failed with {', '.join(classes)}: the fix does not "
                "help them, redriven they would fail again")
    elif wanted - got:
        verdict(name, False, f"{len(wanted)} rows", f"{len(got)}",
                f"every dead letter whose errorClass is {error}")
    else:
        verdict(name, True)
