#!/usr/bin/env python
"""Browser test of saved attention views in an untrusted notebook: a copy of a notebook (default
`nbs/43_attention.ipynb`) is opened, without running it, in a JupyterLab with fresh settings (loopback only), so the
notebook is untrusted as on a fresh clone: JupyterLab drops the scripts of its HTML outputs. Every attention view must
still show its static picture (shaded tables), and none may be drawn by circuitsvis. Saves a screenshot of the first
picture's cell; prints what it asserted; exits 1 on failure.

    python scripts/browser_untrusted.py [--notebook nbs/43_attention.ipynb] [--screenshot _screenshots/untrusted.png]

Needs jupyterlab and playwright (Python package only: it drives an installed Chromium, no `playwright install`).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from browser_play import Checks, open_offline_page, running_lab  # the same loopback JupyterLab as the play test
from dtinterp.devtools import CHROMIUM_ARGS, find_chromium

REPO = Path(__file__).resolve().parents[1]

# the sanitiser of untrusted outputs keeps classes and inline styles, drops scripts, ids and data- attributes
PICTURES_JS = """() => {
  const outs = [...document.querySelectorAll('.jp-OutputArea-output')];
  const pics = [...document.querySelectorAll('.jp-OutputArea-output .dtinterp-attention-static')];
  const shown = pics.filter(p => p.offsetParent !== null && p.querySelector('td[bgcolor]'));
  return {outputs: outs.length, pictures: pics.length, shown: shown.length,
          tables: shown.reduce((n, p) => n + p.querySelectorAll('table').length, 0),
          scripts: document.querySelectorAll('.jp-OutputArea-output script').length,
          drawn: document.querySelectorAll('.jp-OutputArea-output canvas').length}; }"""


def drive(url:str, expected:int, screenshot:Path, chromium:str, timeout:float) -> int:
    from playwright.sync_api import sync_playwright
    check, outside, errors = Checks(), [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = open_offline_page(browser, url, (1300, 1000), timeout, outside, errors)
            page.wait_for_selector(".jp-Notebook .jp-Cell")
            page.wait_for_function(f"({PICTURES_JS})().pictures >= {expected}")
            page.wait_for_timeout(1000)  # a view's script, had it been kept, would have drawn by now
            seen = page.evaluate(PICTURES_JS)
            check(seen["pictures"] == seen["shown"] == expected, f"every saved attention view shows its static picture: {seen}")
            check(seen["scripts"] == 0 and seen["drawn"] == 0, "the notebook is untrusted: no output script was kept, no view drawn")
            check(not errors, f"no uncaught JavaScript errors ({len(errors)}{': ' + '; '.join(errors[:3]) if errors else ''})")
            first = page.locator(".jp-Cell:has(.dtinterp-attention-static)").first  # the cell, its code and its output
            first.scroll_into_view_if_needed()
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            first.screenshot(path=str(screenshot))
            print(f"screenshot: {screenshot}; {len(outside)} outside request(s) blocked", flush=True)
        except Exception as e:
            check(False, f"{type(e).__name__}: {str(e).splitlines()[0]}")
        finally: browser.close()
    return check.failed


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--notebook", type=Path, default=REPO/"nbs/43_attention.ipynb", help="a notebook with saved attention views")
    ap.add_argument("--screenshot", type=Path, default=Path("_screenshots/untrusted.png"), help="where to save the screenshot (PNG)")
    ap.add_argument("--chromium", default=None, help="Chromium/Chrome binary (default: $DTINTERP_CHROMIUM, else chromium, ... on PATH)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds to wait for each thing in the browser")
    a = ap.parse_args(argv)
    chromium = a.chromium or find_chromium()
    if chromium is None:
        print("FAIL: no Chromium or Chrome found: install one (Debian: apt-get install -y chromium) or set DTINTERP_CHROMIUM=/path/to/chromium")
        return 1
    expected = a.notebook.read_text().count('data-dtinterp=\\"attention-view\\"')
    if not expected: print(f"FAIL: {a.notebook} has no saved attention view"); return 1
    t0 = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="dtinterp-untrusted-"))
    (root/"nb").mkdir()
    shutil.copy(a.notebook, root/"nb"/a.notebook.name)  # a fresh data folder has no signature for it: untrusted
    try:
        with running_lab(root) as (port, token):
            failed = drive(f"http://127.0.0.1:{port}/lab/tree/{a.notebook.name}?token={token}", expected, a.screenshot.resolve(), chromium, a.timeout)
    except Exception as e:
        print(f"FAIL: {type(e).__name__}: {e}"); failed = 1
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"{'FAILED' if failed else 'OK'}: {failed} failed check(s) in {time.perf_counter() - t0:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
