"""Lesson 08's checks: each solution passes, typical mistakes get the intended message."""

from __future__ import annotations

import pandas as pd
import pytest

from eda_lab.errors import NonRetryable
from eda_lab.patterns.deadletters import select_dead_letters
from eda_lab.patterns.deadletters.exercises import check_redrive_selection, check_retryable


def out(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out


def test_retrying_what_time_can_fix_passes(capsys) -> None:
    check_retryable(lambda error: isinstance(error, (ConnectionError, TimeoutError)))
    assert out(capsys) == "✅ retry what can get better, dead-letter the rest\n"


@pytest.mark.parametrize(("answer", "says"), [
    (None, "not answered yet"),
    (lambda error: not isinstance(error, NonRetryable),
     "expected False, got True. Look at: a MalformedEvent: the bytes will be the same"),
    (lambda error: False, "expected True, got False. Look at: a ConnectionError"),
    (lambda error: isinstance(error, (ConnectionError, TimeoutError, KeyError)),
     "a KeyError: a missing field stays missing"),
    (lambda error: error.nope, "AttributeError"),
    (lambda error: 1 if isinstance(error, OSError) else 0, "expected True, got 1"),
])
def test_typical_classifications_are_named(answer, says, capsys) -> None:
    check_retryable(answer)
    text = out(capsys)
    assert text.startswith("❌ retry what can get better, dead-letter the rest"), text
    assert says in text, text


DEAD = pd.DataFrame({
    "partition": [0, 0, 0, 0, 1],
    "offset": [0, 1, 2, 3, 0],
    "errorClass": ["builtins.ConnectionError", "eda_lab.errors.NonRetryable",
                   "eda_lab.errors.MalformedEvent", "eda_lab.errors.NonRetryable", None],
    "errorMessage": ["down", "negative", "not JSON", "negative", None],
    "timestamp": pd.Timestamp("2026-01-01", tz="UTC"),
})


def test_selecting_the_class_the_fix_helps_passes(capsys) -> None:
    chosen = select_dead_letters(DEAD, error="NonRetryable")
    check_redrive_selection(chosen, DEAD, "NonRetryable")
    assert out(capsys) == "✅ redrive only the dead letters the fix helps\n"


@pytest.mark.parametrize(("chosen", "says"), [
    (None, "not answered yet. Look at: select_dead_letters"),
    (DEAD, "expected 2 rows, got 5. Look at: 3 of yours failed with bad bytes, "
           "builtins.ConnectionError, eda_lab.errors.MalformedEvent: the fix does not help"),
    (DEAD.iloc[[1]], "expected 2 rows, got 1. Look at: every dead letter whose errorClass is "
                     "NonRetryable"),
    (DEAD[["errorClass"]], "expected rows of the dead-letter frame"),
    ([1, 3], "got list"),
])
def test_typical_selections_are_named(chosen, says, capsys) -> None:
    check_redrive_selection(chosen, DEAD, "NonRetryable")
    text = out(capsys)
    assert text.startswith("❌ redrive only the dead letters the fix helps"), text
    assert says in text, text
