"""Write README.md from nbs/index.ipynb without Quarto (nbdev-readme needs the Quarto binary).

Markdown cells are copied, code cells become fenced Python, and plain-text outputs follow them.
`--check` exits 1 if README.md differs from what would be written.
"""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
# links and images relative to nbs/ (the home page's folder) must point into nbs/ from the repository root
_LOCAL_LINK = re.compile(r"\]\((?!https?:|#|/)([^)]+)\)")

def render(nb_path: Path) -> str:
    nb = json.loads(nb_path.read_text())
    parts = []
    for cell in nb["cells"]:
        src = "".join(cell["source"]).strip()
        if not src or src.startswith("#| hide"): continue
        if cell["cell_type"] == "markdown": parts.append(_LOCAL_LINK.sub(r"](nbs/\1)", src))
        elif cell["cell_type"] == "code":
            parts.append(f"```python\n{src}\n```")
            for out in cell.get("outputs", []):
                text = out.get("text") or out.get("data", {}).get("text/plain")
                if text: parts.append("```\n" + "".join(text).rstrip() + "\n```")
    return "\n\n".join(parts) + "\n"

if __name__ == "__main__":
    text = render(root / "nbs" / "index.ipynb")
    readme = root / "README.md"
    if "--check" in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit("README.md is out of date with nbs/index.ipynb; run `python scripts/make_readme.py`")
    else:
        readme.write_text(text)
