"""Automatic checks for the exercises at the end of each notebook.

A check never raises and returns nothing (so a notebook shows only its message): it prints
whether the answer is right and, if not, a hint, so a learner can run it as often as they like.
"""

from __future__ import annotations

from typing import Any


def check(name: str, answer: Any, expected: Any, hint: str = "") -> None:
    """Print ``✅ name`` when ``answer == expected``, else ``❌ name`` with a hint.

    Example::

        check("partition of 'learner-2'", my_guess, partition_for("learner-2", 3),
              hint="use partition_for(key, number_of_partitions)")
    """
    if answer is None or answer is Ellipsis:
        print(f"❌ {name}: not answered yet" + (f" ({hint})" if hint else ""))
    elif answer == expected:
        print(f"✅ {name}")
    else:
        print(f"❌ {name}: got {answer!r}" + (f"; hint: {hint}" if hint else ""))
