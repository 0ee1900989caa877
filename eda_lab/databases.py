"""Where a lesson keeps its SQLite files: one folder per namespace and lesson.

``<EDA_LAB_HOME>/db/<prefix>/<lesson>/``, by default ``~/.local/share/eda-lab/db/eda-lab/05-event-sourcing/``:
beside the local broker's data, never inside it, and outside the git checkout. A notebook
empties its folder when it starts (as it resets its topics) and leaves the files when it ends,
so you can open them afterwards with ``sqlite3`` or pandas.

>>> import tempfile
>>> from eda_lab import Namespace
>>> home = Path(tempfile.mkdtemp())
>>> lesson_db_dir(Namespace("eda-lab", "05-event-sourcing"), home=home).relative_to(home).as_posix()
'db/eda-lab/05-event-sourcing'
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .namespace import Namespace
from .settings import LocalKafkaSettings


def lesson_db_dir(ns: Namespace, *, reset: bool = False, home: Path | None = None) -> Path:
    """The folder of ``ns``'s databases (created); ``reset=True`` empties it first."""
    root = (home or LocalKafkaSettings.from_env().home) / "db"
    folder = root / ns.prefix / ns.lesson
    if reset and folder.exists():
        shutil.rmtree(folder)  # only this lesson's folder: the path ends in prefix/lesson
    folder.mkdir(parents=True, exist_ok=True)
    return folder
