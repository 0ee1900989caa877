"""The one fixed look of every teaching picture: palette, figure style, colors per member.

:func:`_styled` wraps a drawing function so it draws inside the style on ``ax`` (a new 6x3 in
figure when ``None``); :func:`_rows` turns the plain data the pictures accept into a DataFrame.
A fixed style and palette keep the images stable from run to run.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes

PALETTE = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3",
           "#937860", "#DA8BC3", "#8C8C8C", "#CCB974", "#64B5CD")
HIGHLIGHT, QUIET, LAG = "#E8A33D", "#EEF1F5", "#C44E52"
_STYLE = {"figure.figsize": (6, 3), "figure.dpi": 100, "savefig.dpi": 100, "font.size": 9,
          "font.family": "DejaVu Sans", "axes.titlesize": 10, "legend.frameon": False,
          "svg.hashsalt": "eda-lab"}


def use_lab_style() -> None:
    """Make the workbook's style the default for every chart, pandas' ``.plot`` included."""
    from cycler import cycler

    plt.rcParams.update({**_STYLE, "axes.prop_cycle": cycler(color=PALETTE),
                         "axes.spines.top": False, "axes.spines.right": False})


def _styled(draw):
    """Draw inside the fixed style; the drawing gets a fresh 6x3 in figure when ``ax`` is None."""
    @functools.wraps(draw)
    def wrapper(*args: Any, ax: Axes | None = None, **kwargs: Any) -> Axes:
        with plt.rc_context(_STYLE):
            if ax is None:
                _, ax = plt.subplots(layout="constrained")
            ax.spines[["top", "right"]].set_visible(False)  # also on Axes made outside the style
            return draw(*args, ax=ax, **kwargs)
    return wrapper


def _rows(data: Any, *cols: str) -> pd.DataFrame:
    """A DataFrame with ``cols`` from a DataFrame, dicts, objects with attributes, or tuples."""
    if isinstance(data, pd.DataFrame):
        return data.loc[:, list(cols)].reset_index(drop=True)
    items = []
    for row in data:
        if isinstance(row, Mapping):
            items.append([row[c] for c in cols])
        elif isinstance(row, tuple) and not hasattr(row, cols[0]):
            items.append(list(row[: len(cols)]))
        else:
            items.append([getattr(row, c) for c in cols])
    return pd.DataFrame(items, columns=list(cols))


def member_colors(members: Iterable[str]) -> dict[str, str]:
    """A fixed color per member name (sorted), so the same name gets the same color everywhere."""
    return {m: PALETTE[i % len(PALETTE)] for i, m in enumerate(sorted(set(members)))}
