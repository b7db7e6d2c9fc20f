"""Take a picture of the top of an HTML report (e.g. the demo's) with headless Chromium, outside requests blocked.

    python scripts/report_screenshot.py runs/demo/report.html nbs/images/demo_report.png [--height 1400] [--full]
"""
import argparse
from pathlib import Path

from dtinterp.devtools import CHROMIUM_ARGS, find_chromium, is_local_url


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("page", type=Path, help="the HTML file")
    ap.add_argument("png", type=Path, help="where to write the picture")
    ap.add_argument("--width", type=int, default=1000, help="viewport width in pixels")
    ap.add_argument("--height", type=int, default=1400, help="height of the picture in pixels (the top of the page)")
    ap.add_argument("--full", action="store_true", help="the whole page instead of its top")
    args = ap.parse_args()
    chromium = find_chromium()
    if chromium is None: raise SystemExit("report_screenshot: no Chromium found; apt-get install -y chromium, or set DTINTERP_CHROMIUM")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        page.route("**/*", lambda route: route.continue_() if is_local_url(route.request.url) else route.abort("blockedbyclient"))
        page.goto(args.page.resolve().as_uri(), wait_until="load")
        page.wait_for_function("document.querySelectorAll('.plotly-graph-div .main-svg').length >= 1", timeout=30_000)
        page.wait_for_timeout(1000)  # the figures finish drawing
        args.png.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.png), full_page=args.full)
        browser.close()
    print(f"{args.png}: {args.png.stat().st_size / 1024:.0f} kB")


if __name__ == "__main__": main()
