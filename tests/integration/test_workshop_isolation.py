"""Two learners on one broker: the same notebook run for both at once stays in its namespace,
and resetting one learner leaves the other's topics, groups and offsets as they were."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eda_lab.cli.reset import reset_scope
from eda_lab.clients import end_offsets, group_offsets, group_states, list_topics, reset_namespace
from eda_lab.settings import Settings
from tests.helpers import ROOT, random_name

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NOTEBOOK = ROOT / "notebooks" / "03_consuming_and_groups.ipynb"  # topics, groups, commits


def execute(notebook: Path, out_dir: Path, env: dict[str, str]) -> subprocess.Popen:
    """Run a notebook top to bottom in a kernel of its own (nbconvert, as CI would)."""
    return subprocess.Popen(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
         "--ExecutePreprocessor.timeout=300", "--output-dir", str(out_dir), str(notebook)],
        env={**{k: v for k, v in os.environ.items() if k != "MPLBACKEND"}, **env},
        cwd=notebook.parent, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def errors_in(executed: Path) -> list[str]:
    cells = json.loads(executed.read_text())["cells"]
    return [f"{o['ename']}: {o['evalue']}" for c in cells
            if "raises-exception" not in c.get("metadata", {}).get("tags", [])
            for o in c.get("outputs", []) if o["output_type"] == "error"]


def state_of(prefix: str, settings: Settings) -> dict:
    """Everything a learner owns on the cluster: topics with end offsets, groups with commits."""
    topics = list_topics(prefix + ".", settings)
    groups = sorted(group_states(prefix + ".", settings))
    return {"topics": {t: end_offsets(t, settings) for t in topics},
            "groups": {g: group_offsets(g, settings) for g in groups}}


def short(state: dict, prefix: str) -> dict:
    """The same state with names relative to the learner, to compare two learners."""
    cut = len(prefix) + 1
    return {"topics": {t[cut:]: ends for t, ends in state["topics"].items()},
            "groups": {g[cut:]: sorted((tp[0][cut:], tp[1]) for tp in offs)
                       for g, offs in state["groups"].items()}}


def test_two_learners_run_one_notebook_at_once_without_touching_each_other(settings, tmp_path):
    alice, bob = random_name("alice"), random_name("bob")
    try:
        runs = {who: execute(NOTEBOOK, tmp_path / who,
                             {"EDA_LAB_BOOTSTRAP": settings.bootstrap, "EDA_LAB_NAMESPACE": who})
                for who in (alice, bob)}
        for who, run in runs.items():
            output, _ = run.communicate(timeout=540)
            assert run.returncode == 0, f"{who}'s run failed:\n{output[-3000:]}"
            assert errors_in(tmp_path / who / NOTEBOOK.name) == []

        states = {who: state_of(who, settings) for who in (alice, bob)}
        for who, state in states.items():
            assert state["topics"] and state["groups"], f"{who}'s notebook made nothing"
            for group, offsets in state["groups"].items():
                # a group commits only on its own learner's topics
                assert all(tp[0].startswith(who + ".") for tp in offsets), (group, offsets)
        # Same notebook, same names and the same commits, each on its own topics: neither run
        # read or committed the other's records.
        assert short(states[alice], alice) == short(states[bob], bob)

        done = subprocess.run([sys.executable, "-m", "eda_lab", "reset", "--namespace", alice,
                               "--yes"], capture_output=True, text=True, timeout=180,
                              env={**os.environ, "EDA_LAB_BOOTSTRAP": settings.bootstrap})
        assert done.returncode == 0, done.stderr
        assert state_of(alice, settings) == {"topics": {}, "groups": {}}
        assert state_of(bob, settings) == states[bob], "resetting alice changed bob's names"
    finally:
        for who in (alice, bob):
            reset_namespace(reset_scope(who), settings, timeout_s=30)
