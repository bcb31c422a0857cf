"""Builds the workshop notebooks (`notebooks/*.ipynb`) from their source, `notebooks/src/*.py`, and runs them to
save their outputs.

    python scripts/build_notebooks.py              # run every notebook in a fresh kernel, save it with its outputs
    python scripts/build_notebooks.py 03 05        # only the notebooks whose name contains "03" or "05"
    python scripts/build_notebooks.py --no-execute # write the notebooks without outputs (quick, for a look)
    python scripts/build_notebooks.py --check      # fail if a notebook's cells differ from its source

The sources are jupytext "percent" scripts: `# %%` starts a code cell, `# %% [markdown]` a markdown cell (its
lines commented with `# `), and `# %% tags=["nbval-ignore-output"]` a code cell whose output the notebook
tests do not compare (a live view, which updates its display in place; the next cell checks the result).
They diff and review as code, and open as notebooks in Jupyter with jupytext (`[tool.jupytext]` in
pyproject.toml pairs each one with its notebook). Edit the source, then build: the saved outputs are those of
a run on the embedded model, which `pytest --nbval` compares against a fresh run. Cell ids are stable
(`<notebook>-<index>`), so rebuilding does not churn the files.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOURCES = NOTEBOOKS / "src"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def build(source: Path) -> nbformat.NotebookNode:
    """The notebook of one source file, without outputs."""
    nb = jupytext.read(source, fmt="py:percent")
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    for index, cell in enumerate(nb.cells):
        cell.id = f"{source.stem[:2]}-{index:02d}"
        cell.metadata = {k: v for k, v in cell.metadata.items() if k == "tags"}
    return nb


def cells_of(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
    """What the source decides of a notebook: each cell's type, text and tags."""
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


_MODEL_REF = re.compile(r"IPY_MODEL_([0-9a-f]{32})")


def prune_widget_state(nb: nbformat.NotebookNode) -> None:
    """Keep only the widget models that outputs still show (and the models they refer to): views that were
    replaced by their static record leave dead entries behind in the state nbclient saves."""
    widgets = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json")
    if not widgets:
        return
    state = widgets["state"]
    todo = [
        out["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if "application/vnd.jupyter.widget-view+json" in out.get("data", {})
    ]
    keep: set[str] = set()
    while todo:
        model_id = todo.pop()
        if model_id in keep or model_id not in state:
            continue
        keep.add(model_id)
        todo.extend(_MODEL_REF.findall(json.dumps(state[model_id])))
    widgets["state"] = {k: v for k, v in state.items() if k in keep}
    if not widgets["state"]:
        del nb.metadata["widgets"]


def execute(nb: nbformat.NotebookNode) -> float:
    """Run `nb` in a fresh kernel (in `notebooks/`), keep its outputs; the seconds it took."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    start = time.monotonic()
    try:
        resources = {"metadata": {"path": str(NOTEBOOKS)}}  # the kernel's working directory
        NotebookClient(nb, timeout=120, kernel_name="python3", record_timing=False, resources=resources).execute()
    except CellExecutionError as exc:
        plain = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))
        raise SystemExit(f"{plain[:1500]}\n...\n{plain[-1500:]}") from None
    seconds = time.monotonic() - start
    prune_widget_state(nb)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                # Saved as the reference, a stray warning or traceback would fail every later test run.
                raise SystemExit(f"cell {cell.id} wrote to stderr; not saving:\n{out['text'][:2000]}")
    return seconds


def check(sources: list[Path]) -> int:
    """0 when every notebook has its source's cells, else 1 (and which differ)."""
    stale = []
    for source in sources:
        path = NOTEBOOKS / f"{source.stem}.ipynb"
        if not path.exists() or cells_of(nbformat.read(path, as_version=4)) != cells_of(build(source)):
            stale.append(path.name)
    for name in stale:
        print(f"{name} differs from src/{name[:-6]}.py: run python scripts/build_notebooks.py {name[:2]}")
    return 1 if stale else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--no-execute", action="store_true", help="write the notebooks without running them")
    parser.add_argument("--check", action="store_true", help="only check that the notebooks match their source")
    parser.add_argument("only", nargs="*", help="build only notebooks whose name contains one of these")
    args = parser.parse_args()
    sources = [s for s in sorted(SOURCES.glob("*.py")) if not args.only or any(p in s.stem for p in args.only)]
    if not sources:
        raise SystemExit(f"no source in {SOURCES} matches {args.only}")
    if args.check:
        return check(sources)
    for source in sources:
        nb = build(source)
        path = NOTEBOOKS / f"{source.stem}.ipynb"
        if args.no_execute:
            print(f"{path.name}: written (no outputs)", flush=True)
        else:
            print(f"{path.name}: ran in {execute(nb):.1f} s", flush=True)
        nbformat.validate(nb)
        nbformat.write(nb, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
