"""The browser test's set-up: a missing chromium or playwright fails it with what to do."""

from __future__ import annotations

import builtins
import shutil

import pytest

from tests.integration import browser_lab


def test_missing_chromium_fails_and_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="apt-get install -y chromium"):
        browser_lab.chromium_path()


def test_missing_playwright_fails_and_says_how_to_install_it(monkeypatch):
    real_import = builtins.__import__

    def no_playwright(name, *args, **kwargs):
        if name.startswith("playwright"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_playwright)
    with pytest.raises(pytest.fail.Exception, match=r"pip install -e '\.\[test\]'"):
        browser_lab.sync_playwright()


def test_the_lab_is_told_to_show_every_cell_and_no_news():
    settings = browser_lab.LAB_SETTINGS
    assert settings["@jupyterlab/notebook-extension/tracker.jupyterlab-settings"] == {
        "windowingMode": "none"}
    assert settings["@jupyterlab/apputils-extension/notification.jupyterlab-settings"][
        "fetchNews"] == "false"
    assert "--no-sandbox" in browser_lab.CHROMIUM_ARGS and "--headless" in browser_lab.CHROMIUM_ARGS
