#!/usr/bin/env python
"""Browser test of `dtinterp.play`: a small notebook calling `play()` and then moving the game from Python is opened in
JupyterLab (loopback only) in headless Chromium and run; the widget must show the move made from Python. Then an action
button is clicked: the grid frame, the action-distribution plot and the status line must change and the attention view
must be drawn. Undo back to the first step (two tokens) and, in a narrow window, the attention panel's head names must
not overlap each other or the patterns. Saves a screenshot; prints what it asserted; exits 1 on failure.

    python scripts/browser_play.py [--screenshot _screenshots/play.png] [--model models/demo/dt.safetensors]

Without a Chromium it fails (CI must not pass silently) unless --skip-without-chromium is given: then it prints
"SKIPPED: ..." and exits 0.

Needs jupyterlab, ipywidgets and playwright (Python package only: it drives an installed Chromium, no `playwright install`).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from dtinterp.devtools import CHROMIUM_ARGS, find_chromium, is_local_url

REPO = Path(__file__).resolve().parents[1]
LEGACY = REPO/"models/legacy/dti_dynamic_obstacles_dt.pt"

# fetch the PNG behind the frame's blob URL and hash it, so "changed" means the picture changed, not just its URL
FRAME_HASH_JS = """async (sel) => { const e = document.querySelector(sel);
  const a = new Uint8Array(await (await fetch(e.src)).arrayBuffer()); let h = 0;
  for (const x of a) h = (Math.imul(h, 31) + x) | 0; return a.length + ':' + h; }"""
PLOT_JS = """() => { const gd = document.querySelector('.dtinterp-probs .js-plotly-plot');
  if (!gd || !gd.querySelector('.main-svg')) return null;
  const t = gd.querySelector('.gtitle'); return {title: t ? t.textContent : '', y: gd.data ? Array.from(gd.data[0].y) : null}; }"""
# each head's name and thumbnail in the attention panel's head selector (circuitsvis draws the name over the thumbnail)
LABELS_JS = """() => [...document.querySelectorAll('.dtinterp-attention [data-dtinterp="attention-view"] h4')].map(h => {
  const box = r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
  const chart = h.parentElement.querySelector('canvas, svg');
  return {name: h.textContent, label: box(h.getBoundingClientRect()), chart: chart ? box(chart.getBoundingClientRect()) : null}; })"""
# the zoomed pattern's title, its head-name badge and its axis labels (Chart.js draws them inside its canvas, so the canvas's width stands in)
ZOOMED_JS = """() => { const v = document.querySelector('.dtinterp-attention [data-dtinterp="attention-view"]');
  const box = e => { const r = e.getBoundingClientRect(); return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const title = [...v.querySelectorAll('h3')].find(h => h.textContent.includes('Zoomed')), badge = v.querySelector('h2');
  const canvases = [...v.querySelectorAll('canvas')]; const zoomed = canvases[canvases.length - 1];
  const text = e => { const r = document.createRange(); r.selectNodeContents(e); return box(r); };  // the words, not the block
  return {title: title ? text(title) : null, badge: badge ? box(badge) : null, zoomed_width: zoomed ? zoomed.getBoundingClientRect().width : 0}; }"""
VIEW_JS = """() => { const v = [...document.querySelectorAll('.dtinterp-attention [data-dtinterp="attention-view"]')];
  return {views: v.length, drawn: v.filter(x => x.querySelector('canvas, svg')).length,
          missing: document.querySelectorAll('.dtinterp-attention .dtinterp-missing-bundle').length}; }"""


def write_notebook(path:Path, model:Path, seed:int):
    code = [
        "from pathlib import Path\nfrom dtinterp.legacy import import_legacy_model\nfrom dtinterp.models import load_model\nfrom dtinterp.play import play",
        f"MODEL_PATH, LEGACY_PATH = Path({str(model)!r}), Path({str(LEGACY)!r})\n"
        "model = load_model(MODEL_PATH, device='cpu') if MODEL_PATH.exists() else import_legacy_model(LEGACY_PATH)",
        f"widget = play(model, seed={seed})\nwidget",
        "widget.game.step('right')  # a move from Python: the widget above must show it",
    ]
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [], "source": c}
                    for i, c in enumerate(code)],
          "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(nb, indent=1))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]


def start_lab(root:Path, port:int, token:str) -> subprocess.Popen:
    "JupyterLab on loopback with its own config, data and runtime folders (so no user settings leak in) and no news checks."
    for d in ("config/labconfig", "data", "runtime", "ipython"): (root/d).mkdir(parents=True, exist_ok=True)
    (root/"config/labconfig/page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    env = os.environ | {"JUPYTER_CONFIG_DIR": str(root/"config"), "JUPYTER_DATA_DIR": str(root/"data"),
                        "JUPYTER_RUNTIME_DIR": str(root/"runtime"), "IPYTHONDIR": str(root/"ipython"),
                        "JUPYTERLAB_WORKSPACES_DIR": str(root/"workspaces"), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root/'nb'}",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly"]
    if hasattr(os, "geteuid") and os.geteuid() == 0: cmd.append("--allow-root")  # containers often run as root
    return subprocess.Popen(cmd, env=env, stdout=open(root/"lab.log", "wb"), stderr=subprocess.STDOUT)


def wait_for_server(port:int, token:str, proc:subprocess.Popen, timeout:float=120):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None: raise RuntimeError(f"JupyterLab exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2): return
        except OSError: time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer on 127.0.0.1:{port} within {timeout:g} s")


@contextlib.contextmanager
def running_lab(root:Path):
    "A loopback JupyterLab serving `root` for the length of the with block: yields (port, token), and is stopped (killed if it hangs) on the way out."
    port, token = free_port(), secrets.token_hex(16)
    lab = start_lab(root, port, token)
    try:
        wait_for_server(port, token, lab)
        yield port, token
    finally:
        lab.terminate()
        try: lab.wait(15)
        except subprocess.TimeoutExpired: lab.kill()


def _overlap(a:dict, b:dict) -> bool:
    return min(a["right"], b["right"]) - max(a["left"], b["left"]) > 0.5 and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 0.5


def label_problems(labels:list[dict]) -> list[str]:
    "Head names that overlap each other or a pattern thumbnail (from `LABELS_JS`)."
    problems = [f"{x['name']} overlaps {y['name']}" for i, x in enumerate(labels) for y in labels[i + 1:] if _overlap(x["label"], y["label"])]
    for x in labels:
        for y in labels:
            if y["chart"] and _overlap(x["label"], y["chart"]): problems.append(f"{x['name']} covers the pattern of {y['name']}")
    return problems


class Checks:
    def __init__(self): self.failed = 0
    def __call__(self, ok:bool, what:str):
        print(f"{'PASS' if ok else 'FAIL'}: {what}", flush=True)
        self.failed += not ok


def open_offline_page(browser, url:str, size:tuple[int, int], timeout:float, outside:list, errors:list):
    "A page of `browser` at `url` whose requests off loopback are refused (and noted in `outside`), its JavaScript errors noted in `errors`."
    ctx = browser.new_context(viewport={"width": size[0], "height": size[1]})
    ctx.route("**/*", lambda route: route.continue_() if is_local_url(route.request.url)
              else (outside.append(route.request.url), route.abort("blockedbyclient")))
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(timeout * 1000)
    page.goto(url)
    return page


def drive(url:str, screenshot:Path, chromium:str, timeout:float) -> int:
    from playwright.sync_api import sync_playwright
    check, outside, errors = Checks(), [], []
    t = lambda: f"{time.perf_counter() - t0:5.1f} s"
    t0 = time.perf_counter()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = open_offline_page(browser, url, (1500, 1400), timeout, outside, errors)
            page.wait_for_selector(".jp-Notebook .jp-Cell")
            page.wait_for_selector(".jp-StatusBar-TextItem:has-text('| Idle')")  # the kernel is up
            print(f"[{t()}] notebook open in JupyterLab; running all cells", flush=True)
            page.click(".lm-MenuBar-itemLabel:text-is('Run')")
            page.click(".lm-Menu-itemLabel:text-is('Run All Cells')", timeout=10_000)
            page.wait_for_selector(".dtinterp-action-0")
            page.wait_for_function(f"({PLOT_JS})() !== null")
            page.wait_for_function(f"(({VIEW_JS})()).drawn > 0 || (({VIEW_JS})()).missing > 0")
            print(f"[{t()}] widget displayed", flush=True)
            try:  # the last cell moved the game from Python: the widget must show step 1 with no click
                page.wait_for_function("() => (document.querySelector('.dtinterp-status') || {}).textContent.includes('step 1')", timeout=30_000)
                page.wait_for_function(f"(({PLOT_JS})() || {{title: ''}}).title.startsWith('step 1')", timeout=30_000)
            except Exception: pass  # the checks below say what is shown
            before = dict(frame=page.evaluate(FRAME_HASH_JS, ".dtinterp-frame"), plot=page.evaluate(PLOT_JS),
                          status=page.inner_text(".dtinterp-status"))
            check(before["plot"]["title"].startswith("step 1"), f"the prediction plot shows the move made from Python: {before['plot']}")
            check("step 1" in before["status"] and "last action right" in before["status"],
                  f"the status shows the move made from Python: {before['status']!r}")
            name = page.inner_text(".dtinterp-action-0")
            page.click(".dtinterp-action-0")
            page.wait_for_function("() => (document.querySelector('.dtinterp-status') || {}).textContent.includes('step 2')")
            page.wait_for_function(f"(({PLOT_JS})() || {{title: ''}}).title.startsWith('step 2')")
            page.wait_for_timeout(500)
            after = dict(frame=page.evaluate(FRAME_HASH_JS, ".dtinterp-frame"), plot=page.evaluate(PLOT_JS),
                         status=page.inner_text(".dtinterp-status"))
            print(f"[{t()}] clicked {name!r}", flush=True)
            check(after["frame"] != before["frame"], f"the grid frame changed (PNG {before['frame']} -> {after['frame']})")
            check(after["plot"]["title"] != before["plot"]["title"] and after["plot"]["title"].startswith("step 2"),
                  f"the prediction plot was redrawn for step 2: {after['plot']}")
            check(f"last action {name}" in after["status"], f"status after the click: {after['status']!r}")
            page.wait_for_function(f"(({VIEW_JS})()).drawn > 0 || (({VIEW_JS})()).missing > 0")
            views = page.evaluate(VIEW_JS)
            check(views["drawn"] == views["views"] > 0 and not views["missing"], f"the attention view is drawn by circuitsvis: {views}")
            page.set_viewport_size({"width": 1000, "height": 1400})  # just wide enough for circuitsvis's narrowest thumbnails
            for _ in range(2): page.click("button:text-is('undo')"); page.wait_for_timeout(300)
            page.wait_for_function("() => (document.querySelector('.dtinterp-status') || {}).textContent.includes('step 0')")
            page.wait_for_function(f"(({VIEW_JS})()).drawn > 0")
            page.wait_for_timeout(500)
            labels = page.evaluate(LABELS_JS)
            check(len(labels) > 1 and all(x["chart"] for x in labels), f"{len(labels)} head thumbnails drawn at step 0 (two tokens)")
            problems = label_problems(labels)
            check(not problems, f"head names clear of each other and of the patterns at step 0 in a 1000 px window: {problems or [x['name'] for x in labels]}")
            zoomed = page.evaluate(ZOOMED_JS)
            check(zoomed["title"] and zoomed["badge"] and not _overlap(zoomed["title"], zoomed["badge"]) and zoomed["zoomed_width"] >= 300,
                  f"the zoomed pattern is at least 300 px wide and its title clear of its badge: {zoomed}")
            check(not errors, f"no uncaught JavaScript errors ({len(errors)}{': ' + '; '.join(errors[:3]) if errors else ''})")
            print(f"INFO: {len(outside)} outside request(s) blocked{': ' + ', '.join(outside[:5]) if outside else ''}")
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.locator(".jp-OutputArea-output:has(.dtinterp-frame)").screenshot(path=str(screenshot))
            print(f"[{t()}] screenshot: {screenshot}", flush=True)
        except Exception as e:
            check(False, f"{type(e).__name__}: {str(e).splitlines()[0]}")
            try:
                screenshot.parent.mkdir(parents=True, exist_ok=True); page.screenshot(path=str(screenshot))
                print(f"screenshot of the failure: {screenshot}")
            except Exception: pass
        finally: browser.close()
    return check.failed


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--screenshot", type=Path, default=Path("_screenshots/play.png"), help="where to save the screenshot (PNG)")
    ap.add_argument("--model", type=Path, default=REPO/"models/demo/dt.safetensors", help="model file (default: the demo DT, else the legacy import)")
    ap.add_argument("--seed", type=int, default=1, help="env seed of the game")
    ap.add_argument("--chromium", default=None, help="Chromium/Chrome binary (default: $DTINTERP_CHROMIUM, else chromium, google-chrome, ... on PATH)")
    ap.add_argument("--timeout", type=float, default=180, help="seconds to wait for each thing in the browser")
    ap.add_argument("--skip-without-chromium", action="store_true", help="exit 0 with a SKIPPED message if no Chromium is found (default: fail)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (notebook, JupyterLab log)")
    a = ap.parse_args(argv)
    a.chromium = a.chromium or find_chromium()
    if a.chromium is None:
        what = "no Chromium or Chrome found: install one (Debian: apt-get install -y chromium) or set DTINTERP_CHROMIUM=/path/to/chromium"
        if a.skip_without_chromium:
            print(f"SKIPPED: the browser test of the play widget did not run: {what}"); return 0
        print(f"FAIL: {what}"); return 1
    t0 = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="dtinterp-play-"))
    (root/"nb").mkdir()
    write_notebook(root/"nb/play.ipynb", a.model.resolve(), a.seed)
    try:
        with running_lab(root) as (port, token):
            print(f"JupyterLab on 127.0.0.1:{port} ({time.perf_counter() - t0:.1f} s)", flush=True)
            failed = drive(f"http://127.0.0.1:{port}/lab/tree/play.ipynb?token={token}", a.screenshot.resolve(), a.chromium, a.timeout)
    except Exception as e:
        print(f"FAIL: {type(e).__name__}: {e}"); failed = 1
    if failed: print("JupyterLab log (last lines):\n" + "\n".join((root/"lab.log").read_text(errors="replace").splitlines()[-15:]))
    if a.keep: print(f"kept {root}")
    else: shutil.rmtree(root, ignore_errors=True)
    print(f"{'FAILED' if failed else 'OK'}: {failed} failed check(s) in {time.perf_counter() - t0:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
