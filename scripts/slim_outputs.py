#!/usr/bin/env python
"""Slim the saved outputs of notebooks, without running them: no circuitsvis bundle, compact plotly figures.

    python scripts/slim_outputs.py                          # every notebook under nbs/
    python scripts/slim_outputs.py nbs/43_attention.ipynb
    python scripts/slim_outputs.py --check                  # exit 1 if a notebook could be slimmer (CI)

While a notebook runs, the first attention view of the session carries circuitsvis's 1.3 MB bundle, so a notebook
saved from JupyterLab keeps it in that view's output. The saved notebooks leave it out: the docs put it back before
a page's first view (`dtinterp.devtools.OfflineDocs`), and a reader who runs the notebook gets it again.
Plotly figures saved by another renderer than `dtinterp.viz.use_offline_plotly` carry plotly's whole default template
(a style for every kind of trace, about 7 kB a figure); only the styles of the traces a figure draws are kept.
`scripts/execute_nbs.py` does both when it writes outputs; this script does them to notebooks as they are
(`dtinterp.devtools.strip_bundle_outputs`, `compact_figure_outputs`); every other byte of the notebook stays.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dtinterp.config import atomic_write_text
from dtinterp.devtools import compact_figure_outputs, strip_bundle_outputs

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", type=Path, help="notebooks to slim (default: every notebook under nbs/)")
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook carries the bundle or a full template")
    args = ap.parse_args(argv)
    nbs = ROOT/"nbs"
    paths = args.notebooks or sorted(p for p in nbs.rglob("*.ipynb") if not any(part[0] in "._" for part in p.relative_to(nbs).parts))
    if missing := [str(p) for p in paths if not p.is_file()]: sys.exit(f"No such notebook: {', '.join(missing)}")
    carrying = []
    for path in paths:
        name = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path
        text = path.read_text(encoding="utf-8")
        nb = json.loads(text)
        bundles, figures = strip_bundle_outputs(nb["cells"]), compact_figure_outputs(nb["cells"])
        if not bundles and not figures: continue
        carrying.append(path)
        found = f"circuitsvis's bundle in {bundles} output(s), {figures} figure(s) with unused template styles"
        if args.check: print(f"{name}: {found}; run: python scripts/slim_outputs.py {name}")
        else:
            # nbdev-clean's layout (one-space indent, UTF-8 as is, final newline), so nothing else in the file moves
            atomic_write_text(path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n").chmod(0o644)
            print(f"{name}: {found} slimmed, {len(text.encode()) / 1e6:.2f} MB -> {path.stat().st_size / 1e6:.2f} MB")
    if not carrying: print(f"the saved outputs of {len(paths)} notebook(s) are slim: no circuitsvis bundle, no unused template styles")
    return 1 if args.check and carrying else 0


if __name__ == "__main__":
    sys.exit(main())
