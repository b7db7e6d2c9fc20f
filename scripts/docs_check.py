"""Docs check without Quarto: render every notebook to an offline HTML page and open each in headless Chromium.

    python scripts/docs_check.py              # the notebooks' saved outputs, as the docs site would show them
    python scripts/docs_check.py --execute    # first run each notebook's unflagged cells (as nbdev-test does)

1. (--execute) Each notebook runs in its own process, in its own folder, skipping the cells flagged with
   `tst_flags` (`#| slow`) exactly as `nbdev-test` does, with plotly figures saved as JSON
   (`use_offline_plotly`); the executed copies go to `_docs_check/_executed/`. Without `--execute` the pages
   show the outputs the notebooks carry (`scripts/execute_nbs.py` writes them).
2. Each notebook goes through nbdev's doc processors (`FilterDefaults`, what `nbdev-proc-nbs` runs for every
   notebook, with the `doc_procs` of pyproject.toml: `dtinterp.devtools:OfflineDocs`) into `_proc/`. The notebooks
   are processed one by one, so a notebook that breaks the processing is reported without hiding the others,
   and without `nbdev-proc-nbs`'s attempt to install Quarto.
3. `dtinterp.viz.notebook_html` renders each processed notebook to `_docs_check/<notebook>.html`: its
   `offline_outputs` inlines plotly figures (plotly.js once per page) and circuitsvis's bundle (once, before
   the first attention view), a no-op after `OfflineDocs` that still counts them, and nbconvert's `lab`
   template is used without its require.js, MathJax, mermaid and widget CDN scripts. As on the Quarto site,
   links between notebooks lead to their pages (`page_links`), the images a page shows are copied beside it
   (`page_assets`), and each page gets a sidebar grouped as `nbs/sidebar.yml` groups the notebooks
   (`sidebar_html`, `with_sidebar`); open `_docs_check/index.html` to browse.
4. `dtinterp.devtools.browser_check` opens every page in headless Chromium: a page passes if it requests nothing
   outside file:/data:/localhost, raises no JavaScript error and draws every figure and attention view its
   notebook has.

Prints a table (page, plots, attention views, outside requests, result) and exits 1 if any page fails.
Needs nbdev, nbconvert, playwright (Python package) and a Chromium (`apt-get install -y chromium`).
"""
from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import re
import shutil
import sys
import time
import traceback
from fnmatch import fnmatch
from pathlib import Path

from execute_nbs import log_to  # a worker's output goes to its log, as in execute_nbs

ROOT = Path(__file__).resolve().parents[1]

def _notebooks(nbs:Path, file_glob:str) -> list[Path]:
    "The notebooks nbdev would process: under nbs/, not in folders starting with . or _."
    return sorted(p for p in nbs.rglob("*.ipynb")
                  if not any(part[0] in "._" for part in p.relative_to(nbs).parts) and fnmatch(p.name, file_glob))

def _error_text(e:BaseException) -> str:
    lines = [l for l in "".join(traceback.format_exception_only(type(e), e)).strip().splitlines() if l.strip()]
    return " | ".join(lines[-2:])[:400]

def execute_notebook(src:Path, dst:Path, skip_flags:list[str], log:Path, start_method:str) -> str|None:
    "Run `src`'s cells as nbdev-test does (its folder as cwd, flagged cells skipped) and save it with outputs to `dst`."
    log_to(log, "a")
    multiprocessing.set_start_method(start_method, force=True)  # as under nbdev-test (this worker itself was spawned)
    from fastcore.nbio import write_nb
    from execute_nbs import NotebookFailed, run_like_nbdev_test  # the same runner that writes the notebooks' outputs
    try:
        nb, _ = run_like_nbdev_test(src, skip_flags)
        dst.parent.mkdir(parents=True, exist_ok=True)
        write_nb(nb, dst)
        return None
    except NotebookFailed as e: return f"execution failed: {e}"

def process_notebook(src:Path, dst:Path, log:Path) -> str|None:
    "What nbdev-proc-nbs does to one notebook: nbdev's doc processors, result in `dst`."
    log_to(log, "a")
    os.chdir(ROOT)  # nbdev's processors read the project config from the working directory
    os.environ["IN_TEST"] = "1"
    from nbdev.processors import FilterDefaults
    from nbdev.serve_drv import exec_nb
    try:
        dst.parent.mkdir(parents=True, exist_ok=True)
        exec_nb(src, dst, FilterDefaults)
        return None
    except BaseException as e: return f"nbdev processing failed: {_error_text(e)}"

def _front_matter_cell(nb):
    "Quarto shows the front matter's title and description; nbconvert needs them as a markdown cell."
    import yaml
    from nbformat import v4
    cells = []
    for c in nb.cells:
        src = c.source.strip()
        is_yaml = src.startswith("---") and src.endswith("---") and src.count("\n") >= 2
        if c.cell_type == "raw" and is_yaml:
            fm = yaml.safe_load(src.strip("-\n")) or {}
            md = f"# {fm.get('title', '')}" + (f"\n\n> {fm['description']}" if fm.get("description") else "")
            cells.append(v4.new_markdown_cell(md, id=c.get("id")))
        elif c.cell_type == "markdown" and is_yaml and re.fullmatch(r"---\n(.*\n)*---", src):
            continue  # pandoc reads a YAML block in a markdown cell as metadata, not text
        else: cells.append(c)
    nb.cells = cells

def page_title(proc_nb:Path) -> str:
    "The title Quarto gives a processed notebook's page: its front matter's, else the file's stem."
    import nbformat, yaml
    for c in nbformat.read(proc_nb, as_version=4).cells[:3]:
        src = c.source.strip()
        if c.cell_type == "raw" and src.startswith("---") and src.endswith("---"):
            try: return str((yaml.safe_load(src.strip("-\n")) or {}).get("title") or proc_nb.stem)
            except yaml.YAMLError: break
    return proc_nb.stem

def render_page(proc_nb:Path, out:Path, src_dir:Path, nav:str) -> dict:
    "Render one processed notebook to an offline HTML page with the sidebar `nav`; returns the figures and views it must show."
    import nbformat
    from dtinterp.config import atomic_write_text
    from dtinterp.devtools import page_assets, page_links, with_sidebar
    from dtinterp.viz import notebook_html
    nb = nbformat.read(proc_nb, as_version=4)
    _front_matter_cell(nb)
    body, counts = notebook_html(nb, title=proc_nb.stem)  # offline_outputs, then nbconvert without its CDN scripts
    body = with_sidebar(page_links(body), nav)
    for asset in page_assets(body):  # images a markdown cell shows, e.g. images/play.png, copied to the same place
        src, dst = src_dir/asset, out.parent/asset
        if src.is_file() and dst.resolve().is_relative_to(out.parent.resolve()):
            dst.parent.mkdir(parents=True, exist_ok=True); shutil.copyfile(src, dst)
    atomic_write_text(out, body).chmod(0o644)
    return counts

def _shown(p:Path) -> str:
    "A path as printed: relative to the repository when it is inside it."
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)

def _pool(workers:int):
    # one fresh process per notebook: IPython's shell replaces sys.modules["__main__"], and notebooks must not share state
    return concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), max_tasks_per_child=1)

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--execute", action="store_true", help="run each notebook (unflagged cells) before rendering it")
    ap.add_argument("--file-glob", default="*.ipynb", help="only notebooks whose name matches, e.g. '08_*'")
    ap.add_argument("--out", default="_docs_check", help="where the HTML pages go (a relative path is taken from the repository)")
    ap.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1), help="processes for executing/processing")
    ap.add_argument("--timeout", type=float, default=60, help="seconds a page may take to load and draw")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    from nbdev.config import get_config
    from dtinterp.devtools import browser_check

    cfg = get_config(ROOT)
    nbs, out, proc = Path(cfg.nbs_path), ROOT/args.out, ROOT/"_proc"
    logs = out/"_logs"
    shutil.rmtree(logs, ignore_errors=True)
    flags = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags or [])
    notebooks = _notebooks(nbs, args.file_glob)
    if not notebooks: print(f"No notebooks match {args.file_glob!r} in {nbs}"); return 1
    rel = {nb: nb.relative_to(nbs) for nb in notebooks}
    problems = {nb: [] for nb in notebooks}
    sources = dict(zip(notebooks, notebooks))

    if args.execute:
        print(f"== executing {len(notebooks)} notebooks (cells flagged {flags} skipped)", flush=True)
        with _pool(args.workers) as pool:
            futs = {nb: pool.submit(execute_notebook, nb, out/"_executed"/rel[nb], flags, logs/f"{rel[nb]}.log",
                                   multiprocessing.get_start_method()) for nb in notebooks}
            for nb, f in futs.items():
                if err := f.result(): problems[nb].append(err)  # the page is still rendered, from the saved notebook
                else: sources[nb] = out/"_executed"/rel[nb]
        print(f"   done in {time.perf_counter() - t0:.0f} s", flush=True)

    t1 = time.perf_counter()
    print(f"== nbdev doc processing -> {_shown(proc)}/", flush=True)
    with _pool(args.workers) as pool:
        futs = {nb: pool.submit(process_notebook, sources[nb], proc/rel[nb], logs/f"{rel[nb]}.log") for nb in notebooks}
        processed = []
        for nb, f in futs.items():
            if err := f.result(): problems[nb].append(err)
            else: processed.append(nb)
    print(f"   done in {time.perf_counter() - t1:.0f} s", flush=True)

    t2 = time.perf_counter()
    print(f"== rendering HTML -> {_shown(out)}/", flush=True)
    import yaml
    from dtinterp.devtools import sidebar_html
    sidebar = yaml.safe_load((nbs/"sidebar.yml").read_text())
    titles = {str(rel[nb].as_posix()): page_title(proc/rel[nb]) for nb in processed}
    pages, expected = {}, {}
    for nb in processed:
        page = (out/rel[nb]).with_suffix(".html")
        try: expected[nb], pages[nb] = render_page(proc/rel[nb], page, nb.parent, sidebar_html(sidebar, rel[nb].as_posix(), titles)), page
        except Exception as e: problems[nb].append(f"nbconvert failed: {_error_text(e)}")
    print(f"   done in {time.perf_counter() - t2:.0f} s", flush=True)

    t3 = time.perf_counter()
    print(f"== headless Chromium on {len(pages)} pages", flush=True)
    reports = dict(zip(pages, browser_check(list(pages.values()), timeout=args.timeout))) if pages else {}
    print(f"   done in {time.perf_counter() - t3:.0f} s\n", flush=True)

    rows, failed = [], 0
    for nb in notebooks:
        r, exp = reports.get(nb), expected.get(nb, {"plots": 0, "views": 0})
        issues = list(problems[nb])
        if r is not None:
            issues += r.errors + [f"outside request: {u}" for u in r.outside_requests]
            if (r.plots, r.views) != (exp["plots"], exp["views"]):
                issues.append(f"the notebook has {exp['plots']} plots and {exp['views']} attention views, the page {r.plots} and {r.views}")
            if (r.plots_rendered, r.views_rendered) != (r.plots, r.views):
                issues.append(f"drawn: {r.plots_rendered}/{r.plots} plots, {r.views_rendered}/{r.views} attention views")
        ok = not issues
        failed += not ok
        rows.append((str(rel[nb]), f"{r.plots_rendered}/{exp['plots']}" if r else "-", f"{r.views_rendered}/{exp['views']}" if r else "-",
                     str(len(r.outside_requests)) if r else "-", f"{pages[nb].stat().st_size/1e6:.2f}" if nb in pages else "-",
                     "pass" if ok else "FAIL", issues))
    head = ("page", "plots", "attention views", "requests outside", "MB", "result")
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    print(fmt.format(*head)); print(fmt.format(*("-" * w for w in widths)))
    for row in rows:
        print(fmt.format(*row[:6]))
        for issue in row[6][:8]: print(f"    {issue}")
        if row[6] and (logs/f"{row[0]}.log").exists(): print(f"    log: {_shown(logs/f'{row[0]}.log')}")
    print(f"\n{len(rows) - failed}/{len(rows)} pages pass; docs check took {time.perf_counter() - t0:.0f} s")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
