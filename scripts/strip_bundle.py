#!/usr/bin/env python
"""Take circuitsvis's JavaScript bundle out of the saved outputs of notebooks, without running them.

    python scripts/strip_bundle.py                          # every notebook under nbs/
    python scripts/strip_bundle.py nbs/43_attention.ipynb
    python scripts/strip_bundle.py --check                  # exit 1 if a notebook still carries the bundle (CI)

While a notebook runs, the first attention view of the session carries circuitsvis's 1.3 MB bundle, so a notebook
saved from JupyterLab keeps it in that view's output. The saved notebooks leave it out: the docs put it back before
a page's first view (`dtinterp.devtools.OfflineDocs`), and a reader who runs the notebook gets it again.
`scripts/execute_nbs.py` strips it when it writes outputs; this script does it to notebooks as they are. Only the
bundle's `<script>` is removed (`dtinterp.devtools.strip_bundle_outputs`); every other byte of the notebook stays.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from dtinterp.config import atomic_write_text
from dtinterp.devtools import strip_bundle_outputs

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="*", type=Path, help="notebooks to strip (default: every notebook under nbs/)")
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a notebook carries the bundle")
    args = ap.parse_args(argv)
    nbs = ROOT/"nbs"
    paths = args.notebooks or sorted(p for p in nbs.rglob("*.ipynb") if not any(part[0] in "._" for part in p.relative_to(nbs).parts))
    if missing := [str(p) for p in paths if not p.is_file()]: sys.exit(f"No such notebook: {', '.join(missing)}")
    carrying = []
    for path in paths:
        name = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path
        text = path.read_text(encoding="utf-8")
        nb = json.loads(text)
        n = strip_bundle_outputs(nb["cells"])
        if not n: continue
        carrying.append(path)
        if args.check: print(f"{name}: circuitsvis's bundle in {n} output(s); run: python scripts/strip_bundle.py {name}")
        else:
            # nbdev-clean's layout (one-space indent, UTF-8 as is, final newline), so nothing else in the file moves
            atomic_write_text(path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n").chmod(0o644)
            print(f"{name}: bundle removed from {n} output(s), {len(text.encode()) / 1e6:.2f} MB -> {path.stat().st_size / 1e6:.2f} MB")
    if not carrying: print(f"no circuitsvis bundle in the saved outputs of {len(paths)} notebook(s)")
    return 1 if args.check and carrying else 0


if __name__ == "__main__":
    sys.exit(main())
