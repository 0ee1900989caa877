"""The notebooks with widgets, run in JupyterLab in a real browser as a learner runs them.

For each notebook that shows widgets (or uses eda_lab.widgets): Run All from the menu, then
check that no cell shows an error, that every widget renders, and that acting on the widgets
changes the page (publish from the form and see the event in the live view; move a slider and
see the picture change; a live group view follows its group; the instructor's view restarts). A screenshot of each notebook is
saved under SCREENSHOTS. JupyterLab runs on a copy of notebooks/ in a fresh namespace.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from eda_lab.cli.reset import reset_scope
from eda_lab.clients import reset_namespace
from tests.helpers import ROOT, random_name
from tests.integration.browser_lab import (
    CHROMIUM_ARGS,
    SCREENSHOTS,
    chromium_path,
    jupyterlab,
    run_all,
    save,
    shut_down_kernels,
    sync_playwright,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
WIDTH = 1000  # a laptop window with the file browser open: where the table used to be cut off


def has_widgets(path: Path) -> bool:
    text = path.read_text()
    return WIDGET_MIME in text or "eda_lab.widgets" in text


NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb") if has_widgets(p))
# Added to the copy of 03 only: the live group view of the lesson's (by then empty) group.
GROUP_VIEW_CELL = "view = LiveGroupView(workers, tasks, settings=settings, duration_s=60)\nview.show()"


@pytest.fixture(scope="module")
def lab(tmp_path_factory, settings):
    workdir = tmp_path_factory.mktemp("browser")
    prefix = random_name("browser")
    env = {"EDA_LAB_BOOTSTRAP": settings.bootstrap, "EDA_LAB_NAMESPACE": prefix}
    with jupyterlab(workdir, env) as url:
        yield url, workdir / "notebooks"
    reset_namespace(reset_scope(prefix), settings, timeout_s=30)  # every lesson the kernels made


@pytest.fixture(scope="module")
def browser():
    with sync_playwright()() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def errors_in(saved: Path) -> list[str]:
    """Error outputs of cells not tagged raises-exception, as 'cell N: Name: message'."""
    cells = json.loads(saved.read_text())["cells"]
    return [f"cell {i}: {o['ename']}: {o['evalue']}" for i, c in enumerate(cells)
            if "raises-exception" not in c.get("metadata", {}).get("tags", [])
            for o in c.get("outputs", []) if o["output_type"] == "error"]


def widget_outputs(saved: Path) -> int:
    cells = json.loads(saved.read_text())["cells"]
    return sum(WIDGET_MIME in o.get("data", {}) for c in cells for o in c.get("outputs", []))


def check_publish_form(page) -> None:
    """The form (left stopped by Run All or not) offers Start when stopped; a published event
    shows in the live view; the table fits or scrolls at WIDTH px."""
    form = page.locator(".jp-OutputArea-output", has=page.locator("button", has_text="Publish"))
    form = form.last
    start, stop = form.locator("button", has_text="Start"), form.locator("button", has_text="Stop")
    if stop.is_disabled():  # stopped: it must look it and offer Start
        assert start.is_enabled(), "a stopped live view must offer Start"
        assert "not live" in form.inner_text()
        start.click()
    form.get_by_text("listening").wait_for(timeout=30_000)
    assert start.is_disabled() and stop.is_enabled()
    key = random_name("key")
    form.locator(".widget-text", has_text="key").locator("input").fill(key)
    clicked = time.monotonic()
    form.locator("button", has_text="Publish").click()
    form.get_by_role("cell", name=key, exact=True).wait_for(timeout=15_000)
    print(f"published event shown in the live view after {time.monotonic() - clicked:.2f} s")
    assert "None" not in form.locator(".eda-lab-rows").inner_text()
    table = form.locator(".eda-lab-rows")
    fits = table.evaluate("t => getComputedStyle(t).overflowX === 'auto' "
                          "&& t.getBoundingClientRect().right <= window.innerWidth")
    assert fits, "the live view's table must scroll inside the page, not be cut off"


# What a widget output shows apart from its sliders (pictures included, by their src).
BESIDE_SLIDERS = """o => { const c = o.cloneNode(true);
                           c.querySelectorAll('.widget-slider').forEach(s => s.remove());
                           return c.innerHTML; }"""
PICTURES = "o => [...o.querySelectorAll('img')].map(i => i.src).join(' ')"


def check_slider(page) -> None:
    """Moving each slider redraws what its widget shows (the time-travel picture, say)."""
    outputs = page.locator(".jp-OutputArea-output", has=page.locator(".widget-slider"))
    for i in range(outputs.count()):
        output = outputs.nth(i)
        before = output.evaluate(PICTURES if output.locator("img").count() else BESIDE_SLIDERS)
        readout = output.locator(".widget-readout").first.inner_text()
        output.locator(".noUi-handle").first.focus()
        page.keyboard.press("Home")
        if output.locator(".widget-readout").first.inner_text() == readout:
            page.keyboard.press("End")  # it was at its minimum already
        # A widget whose sliders set up a run (the saga knobs) redraws when its button is pressed.
        apply = output.locator("button").filter(has_not_text="Start").filter(has_not_text="Stop")
        if apply.count():
            apply.first.click()
        # A picture must be redrawn; a widget without one must show something else anew.
        shown = PICTURES if output.locator("img").count() else BESIDE_SLIDERS
        page.wait_for_function(f"([o, before]) => ({shown})(o) !== before",
                               arg=[output.element_handle(), before], timeout=120_000)


def check_group_view(page) -> None:
    """The live group view added to the copy follows the lesson's group, with short names."""
    output = page.locator(".jp-OutputArea-output", has=page.locator("button", has_text="Start"))
    output.last.get_by_text("live: Empty").wait_for(timeout=30_000)
    output.last.get_by_text("group workers on tasks").wait_for(timeout=30_000)


def check_classroom_view(page) -> None:
    """The instructor's view, stopped by the notebook's last cell, starts again and reads the
    cluster (its status counts namespaces)."""
    output = page.locator(".jp-OutputArea-output", has=page.locator("button", has_text="Start"))
    start = output.last.locator("button", has_text="Start")
    if start.is_enabled():
        start.click()
    output.last.get_by_text("namespace(s)").wait_for(timeout=30_000)
    assert output.last.locator("img").count() == 1


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_its_widgets_respond_in_a_browser(lab, browser, name):
    url, notebooks = lab
    copy = notebooks / name
    if name.startswith("03_"):
        nb = json.loads(copy.read_text())
        nb["cells"].append({"cell_type": "code", "metadata": {}, "source": GROUP_VIEW_CELL,
                            "outputs": [], "execution_count": None})
        copy.write_text(json.dumps(nb))
    started = time.monotonic()
    page = browser.new_page(viewport={"width": WIDTH, "height": 900})
    try:
        page.goto(url.format(name), timeout=120_000)
        run_all(page, timeout_s=420)
        save(page)
        assert errors_in(copy) == []
        # The widget renderer marks its output with no mime type, unlike every other renderer.
        widgets = page.locator(".jp-OutputArea-output:not([data-mime-type])")
        assert widgets.count() == widget_outputs(copy)
        for i in range(widgets.count()):
            text = widgets.nth(i).inner_text()
            assert "Error displaying widget" not in text and "Loading widget" not in text, text
            assert widgets.nth(i).locator(".jupyter-widgets").count() > 0, f"widget {i} is empty"
        if page.locator("button", has_text="Publish").count():
            check_publish_form(page)
        if page.locator(".widget-slider").count():
            check_slider(page)
        if name.startswith("03_"):
            check_group_view(page)
        if name.startswith("90_"):
            check_classroom_view(page)
        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
                            ).filter(has_text="Traceback").count() == 0
    finally:
        shown = page.locator(".jp-OutputArea-output:not([data-mime-type])")
        if shown.count():  # the screenshot shows the widgets, not the end of the notebook
            shown.last.scroll_into_view_if_needed(timeout=5_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shot = SCREENSHOTS / f"{Path(name).stem}.png"
        page.screenshot(path=str(shot))
        page.close()
        shut_down_kernels(url)
        print(f"{name}: {time.monotonic() - started:.0f} s in the browser; screenshot {shot}")
