"""JupyterLab in a real browser, for tests: the project's own lab command on a copy of the
notebooks, and Debian's Chromium driven by Playwright.

A missing Chromium or Playwright is a failure that says how to get it, never a skip: the test
command installs both (tools/run_tests.py, the test extra), so a missing one is a broken set-up.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from eda_lab.local_kafka.ports import free_port
from tests.helpers import ROOT, wait_for

SCREENSHOTS = ROOT / ".eda-lab-test" / "screenshots"  # git-ignored, like the test broker
# Chromium in a closed network, as root: without these it waits on connections it cannot make.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
# Settings a learner would click away: the news question (a toast over the page), and
# windowing, which leaves cells out of the page until scrolled to.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def chromium_path() -> str:
    """Debian's chromium, or a failure saying how to install it."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("The browser test needs Debian's chromium and could not find it: "
                    "`apt-get install -y chromium` (make test does this when run as root).")
    return found


try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # sync_playwright() below fails the test saying how to install it
    PlaywrightTimeout = TimeoutError


def sync_playwright():
    """Playwright's sync API, or a failure saying how to install it."""
    try:
        from playwright.sync_api import sync_playwright as start
    except ImportError:
        pytest.fail("The browser test needs the playwright package: pip install -e '.[test]'.")
    return start


@contextmanager
def jupyterlab(workdir: Path, env: dict[str, str]) -> Iterator[str]:
    """``eda-lab lab`` (what `make lab` runs) on a copy of notebooks/ under ``workdir``, on a
    free port; yields the lab's URL with its token. The committed notebooks stay untouched."""
    notebooks = workdir / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings_dir = workdir / "lab-settings"
    for name, values in LAB_SETTINGS.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {**{k: v for k, v in os.environ.items() if k != "MPLBACKEND"}, **env,
           "JUPYTERLAB_SETTINGS_DIR": str(settings_dir),
           "JUPYTERLAB_WORKSPACES_DIR": str(workdir / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(workdir / "runtime")}
    port, log = free_port(), workdir / "lab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "eda_lab", "lab", "--lab-port", str(port),
             "--notebooks", str(notebooks), "--no-browser"],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=workdir, start_new_session=True)
    try:
        def url() -> str | None:
            found = re.search(r"(http://127\.0\.0\.1:\d+/lab)\?token=(\w+)", log.read_text())
            assert found or proc.poll() is None, f"the lab command exited:\n{log.read_text()}"
            # ?reset: a fresh workspace, not the tabs the previous test left open
            return found and f"{found[1]}/tree/{{}}?reset&token={found[2]}"

        yield wait_for(url, "JupyterLab's address in its log", timeout_s=90, interval_s=0.3)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


def shut_down_kernels(url: str) -> None:
    """Shut down every kernel of the lab (the finished notebook's), as closing it would."""
    base, token = url.split("/lab/")[0], url.rsplit("token=", 1)[1]
    headers = {"Authorization": f"token {token}"}
    with urllib.request.urlopen(urllib.request.Request(f"{base}/api/kernels", headers=headers),
                                timeout=30) as answer:
        kernels = json.load(answer)
    for kernel in kernels:
        urllib.request.urlopen(urllib.request.Request(
            f"{base}/api/kernels/{kernel['id']}", headers=headers, method="DELETE"), timeout=30)


def menu(page, top: str, item: str) -> None:
    """Click ``item`` in the menu bar's ``top`` menu, as a learner does."""
    page.locator(".lm-MenuBar-itemLabel", has_text=top).first.click()
    page.locator(".lm-Menu-itemLabel").get_by_text(item, exact=True).click()


PROMPTS = "[...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"


def run_all(page, timeout_s: float) -> None:
    """Clear the committed outputs, Run All Cells, and wait until no cell is queued or running."""
    # The kernel's status in the status bar: "Python 3 (ipykernel) | Idle" once it is ready.
    page.locator("#jp-main-statusbar").get_by_text("| Idle").first.wait_for(timeout=120_000)
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(f"() => {PROMPTS}.every(p => !/\\d/.test(p.textContent))",
                           timeout=30_000)
    for attempt in (1, 2):  # a Run All sent while the kernel connects can be lost: send again
        menu(page, "Run", "Run All Cells")
        try:
            page.wait_for_function(f"() => {PROMPTS}.some(p => /[*\\d]/.test(p.textContent))",
                                   timeout=60_000, polling=200)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    # Cells numbered and none queued ([*]) or running: the run is over (a cell after an error
    # stays unnumbered, and the error check names it).
    page.wait_for_function(
        f"() => {PROMPTS}.some(p => /\\d/.test(p.textContent)) "
        f"&& !{PROMPTS}.some(p => p.textContent.includes('*'))",
        timeout=timeout_s * 1000, polling=500)
    page.locator("#jp-main-statusbar").get_by_text("| Idle").first.wait_for(timeout=60_000)


def save(page) -> None:
    """Save the notebook (the copy), so its outputs can be read as JSON."""
    page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.keyboard.press("Control+s")
    page.locator(".jp-mod-dirty").first.wait_for(state="detached", timeout=30_000)
