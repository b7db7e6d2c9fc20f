"""Execute notebooks in place and keep their outputs, so the docs show figures without running anything.

    python scripts/execute_nbs.py                              # every notebook under nbs/ except nbs/runs/
    python scripts/execute_nbs.py nbs/04_trajectories.ipynb nbs/41_viz.ipynb
    python scripts/execute_nbs.py --dry-run                    # execute and report sizes, write nothing
    python scripts/execute_nbs.py --flags slow nbs/21_models.ipynb   # also run the cells flagged `slow`

Each notebook runs as `nbdev-test` runs it: in a fresh process, with its own folder as the working directory,
`IN_TEST=1`, the IPython profile if `exec_profile` says so, and the cells flagged with `tst_flags` (`#| slow`)
skipped (their outputs are cleared, since they were not run). Plotly figures display as their small JSON mime
bundle (`dtinterp.viz.use_offline_plotly`, what JupyterLab itself saves), never with plotly.js.

circuitsvis's 1.3 MB bundle, which `dtinterp.viz` puts in the first attention view a session displays, is left
out of the saved outputs (`dtinterp.devtools.strip_bundle_outputs`): the docs put it back before a page's first
view. A notebook is written back only if it ran without error and every output is small
(`dtinterp.devtools.output_problems`): an output over `--max-output-kb` (200 kB), anything holding plotly.js, and
any reference to a CDN (cdn.plot.ly, unpkg, jsdelivr, cdnjs) are refused, and the notebook is left as it was. The
written notebooks then go through `nbdev-clean`, so `nbdev-export && nbdev-clean` leaves them unchanged. Prints
each notebook's size before and after; exits 1 if any notebook failed or was refused.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def _notebooks(nbs:Path) -> list[Path]:
    "Every notebook nbdev would see under `nbs`, except the run notebooks in nbs/runs/."
    return sorted(p for p in nbs.rglob("*.ipynb") if not any(part[0] in "._" for part in p.relative_to(nbs).parts)
                  and p.relative_to(nbs).parts[0] != "runs")

def log_to(log:Path, mode:str="w"):
    "Send this worker process's own output (cell output, warnings, progress bars) to `log` (mode 'a' appends)."
    log.parent.mkdir(parents=True, exist_ok=True)
    f = open(log, mode, buffering=1)
    os.dup2(f.fileno(), 1); os.dup2(f.fileno(), 2)
    sys.stdout = sys.stderr = f

class NotebookFailed(Exception):
    "A notebook cell raised; the message is the last lines of its traceback (the whole one is printed to the log)."

def run_like_nbdev_test(path:Path, skip_flags:list[str], force_flags:list[str]=()):
    """Run `path`'s cells as nbdev-test does: processed by nbdev, its folder as the working directory, the project's
    `exec_profile` and `cell_timeout`, flagged cells skipped, plotly figures as JSON. Returns the executed notebook and
    the skip rule; raises `NotebookFailed`."""
    os.environ["IN_TEST"] = "1"
    from execnb.shell import CaptureShell
    from fastcore.xtras import working_directory
    from nbdev.config import get_config
    from nbdev.process import NBProcessor
    from nbdev.test import _skip_cell  # nbdev-test's own rule: flagged cells, `eval: false`, skip_exec
    from dtinterp.viz import use_offline_plotly
    shell = None
    try:
        nb = NBProcessor(path, rm_directives=False, process=True).nb
        skip = _skip_cell(nb, skip_flags, list(force_flags))
        cfg = get_config(path.parent)
        use_offline_plotly()  # figures as JSON, what a notebook saves (plotly's fallback renderer would inline plotly.js)
        shell = CaptureShell(path, profile=bool(cfg.exec_profile))
        with working_directory(path.parent):
            shell.run_all(nb, exc_stop=True, preproc=skip, cell_timeout=cfg.cell_timeout or None)
    except BaseException as e:
        tb = shell.prettytb(fname=path) if shell is not None else ""
        print(tb, flush=True)  # the whole traceback goes to the log
        lines = [l for l in (tb or f"{type(e).__name__}: {e}").splitlines() if l.strip()]
        raise NotebookFailed(" | ".join(lines[-2:])[:600]) from e
    return nb, skip

def execute(path:Path, skip_flags:list[str], force_flags:list[str], max_bytes:int, dry_run:bool, log:Path, start_method:str) -> dict:
    "Run one notebook as nbdev-test does and, if it passes and its outputs are small, write it back with its outputs."
    log_to(log)
    multiprocessing.set_start_method(start_method, force=True)  # what the notebook would see under nbdev-test
    from fastcore.nbio import nb2str
    from dtinterp.config import atomic_write_text
    from dtinterp.devtools import compact_figure_outputs, output_problems, strip_bundle_outputs
    t0 = time.perf_counter()
    res = {"path": str(path), "before": path.stat().st_size, "after": None, "problems": [], "seconds": 0.0, "outputs": 0}
    raw = json.loads(path.read_text(encoding="utf-8"))
    try: nb, skip = run_like_nbdev_test(path, skip_flags, force_flags)
    except NotebookFailed as e:
        res["problems"].append(f"execution failed: {e}")
        res["seconds"] = time.perf_counter() - t0
        return res
    assert len(nb.cells) == len(raw["cells"])
    for src, done in zip(raw["cells"], nb.cells):
        if src["cell_type"] != "code": continue
        ran = not skip(done)
        # execnb formats a result that already displayed itself (a figure, a view) into an empty output: drop it
        src["outputs"] = [dict(o) for o in done.get("outputs", []) if o.get("data", True)] if ran else []
        src["execution_count"] = None
    strip_bundle_outputs(raw["cells"])  # the docs put circuitsvis's bundle back; a saved notebook need not carry 1.3 MB
    compact_figure_outputs(raw["cells"])  # figures shown by plotly's own renderer carry every trace type's style
    res["problems"] = output_problems(raw["cells"], max_bytes)
    res["outputs"] = sum(len(c.get("outputs", [])) for c in raw["cells"])
    if not res["problems"] and not dry_run: atomic_write_text(path, nb2str(raw)).chmod(0o644)
    res["seconds"] = time.perf_counter() - t0
    return res

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", help="notebooks to execute (default: all under nbs/ except nbs/runs/)")
    ap.add_argument("--flags", default="", help="space-separated test flags to run anyway, as `nbdev-test --flags`")
    ap.add_argument("--max-output-kb", type=float, default=200, help="largest output that may be saved")
    ap.add_argument("--dry-run", action="store_true", help="execute and report, write nothing")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1), help="notebooks executed at once")
    args = ap.parse_args(argv)
    from nbdev.config import get_config
    cfg = get_config(ROOT)
    nbs = Path(cfg.nbs_path)
    paths = [Path(p).resolve() for p in args.notebooks] or _notebooks(nbs)
    if missing := [str(p) for p in paths if not p.is_file()]: sys.exit(f"No such notebook: {', '.join(missing)}")
    skip_flags = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags or [])
    logs = ROOT/"_docs_check"/"_logs"/"execute"
    t0 = time.perf_counter()
    print(f"== executing {len(paths)} notebooks (cells flagged {sorted(set(skip_flags) - set(args.flags.split()))} skipped)", flush=True)
    # a fresh process per notebook, as nbdev-test gives each its own shell: no state is shared
    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(args.workers, mp_context=ctx, max_tasks_per_child=1) as pool:
        futs = [pool.submit(execute, p, skip_flags, args.flags.split(), int(args.max_output_kb * 1000), args.dry_run,
                            logs/f"{p.stem}.log", multiprocessing.get_start_method()) for p in paths]
        results = [f.result() for f in futs]
    written = [Path(r["path"]) for r in results if not r["problems"] and not args.dry_run]
    if written:  # nbdev's own normal form, so `nbdev-clean` in CI finds nothing to change
        for p in written: subprocess.run(["nbdev-clean", "--fname", str(p)], cwd=ROOT, check=True)
    failed = 0
    print(f"\n{'notebook':34} {'before kB':>9} {'after kB':>9} {'outputs':>7} {'s':>5}  result")
    for r in results:
        p = Path(r["path"])
        after = p.stat().st_size if p in written else None
        ok = not r["problems"]
        failed += not ok
        name = str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)
        print(f"{name:34} {r['before'] / 1e3:9.1f} {after / 1e3 if after else float('nan'):9.1f} {r['outputs']:7d} {r['seconds']:5.0f}  "
              f"{'written' if after else 'ok (dry run)' if ok else 'NOT WRITTEN'}")
        for problem in r["problems"][:10]: print(f"    {problem}")
        if not ok: print(f"    log: {(logs/f'{p.stem}.log').relative_to(ROOT)}")
    print(f"\n{len(results) - failed}/{len(results)} notebooks ok in {time.perf_counter() - t0:.0f} s")
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
