"""The workshop notebooks and their source: each notebooks/NAME.ipynb has exactly the cells of
notebooks/src/NAME.py (a jupytext percent script), built by scripts/build_notebooks.py; test markers are
cell tags, never lines of code an attendee reads; every cell that shows a live view is tagged so that nbval
does not compare it; and each notebook's setup cell sets a pace that LIVEGRAPH_TOKENS_PER_SECOND overrides
and warms the model up."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SOURCES = sorted((ROOT / "notebooks" / "src").glob("*.py"))
# What a live view leaves in a cell: the run's record, a Panel's text, a resume form (each updated in place
# when the run ends, which nbval does not replay).
LIVE_HTML = ('<div class="lg-record"', '<details class="lg-record-panel"', '<div class="lg-resume-record"')

PACE = "LIVEGRAPH_TOKENS_PER_SECOND"

pytest.importorskip("jupytext")


def builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "scripts" / "build_notebooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_notebook_has_a_source_and_nothing_else_is_in_the_folder() -> None:
    assert [p.stem for p in NOTEBOOKS] == [p.stem for p in SOURCES]
    assert len(NOTEBOOKS) >= 6
    # What an attendee sees in notebooks/: the notebooks and the folder of their sources.
    visible = sorted(p.name for p in (ROOT / "notebooks").iterdir() if not p.name.startswith("."))
    assert visible == sorted([p.name for p in NOTEBOOKS] + ["src"])


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_the_notebook_has_its_sources_cells(source: Path) -> None:
    build = builder()
    saved = nbformat.read(ROOT / "notebooks" / f"{source.stem}.ipynb", as_version=4)
    assert build.cells_of(saved) == build.cells_of(build.build(source)), (
        f"notebooks/{source.stem}.ipynb is stale: run python scripts/build_notebooks.py {source.stem[:2]}"
    )
    assert [c.id for c in saved.cells] == [f"{source.stem[:2]}-{i:02d}" for i in range(len(saved.cells))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_test_markers_are_tags_and_every_live_view_is_tagged(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert not [c.id for c in nb.cells if "NBVAL" in c.source]
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tagged = "nbval-ignore-output" in cell.metadata.get("tags", [])
        shows_a_view = any(out.get("data", {}).get("text/html", "").startswith(LIVE_HTML) for out in cell.outputs)
        assert tagged == shows_a_view, f"cell {cell.id}: tagged={tagged}, shows a live view={shows_a_view}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_the_setup_cell_sets_a_pace_the_environment_overrides_and_warms_up(source: Path) -> None:
    text = source.read_text()
    setup = text.split("# %%")[2]  # the first code cell, after the title
    pace = re.search(r'os\.environ\.setdefault\("LIVEGRAPH_TOKENS_PER_SECOND", "(\d+)"\)', setup)
    assert pace is not None and int(pace[1]) > 0, setup
    assert "llm.use_embedded()\n" in setup  # no tokens_per_second= that would override the environment
    assert "llm.warm_up()" in setup
    assert "tokens_per_second=" not in text


@pytest.mark.parametrize(("env", "pace"), [(None, 50.0), ("7", 7.0), ("0", 0.0)])
def test_the_environment_wins_over_the_notebooks_pace(env: str | None, pace: float) -> None:
    """03's setup cell, run as it is: the embedded model streams at the notebook's pace (50) unless
    LIVEGRAPH_TOKENS_PER_SECOND says otherwise."""
    setup = (ROOT / "notebooks" / "src" / "03_live_view.py").read_text().split("# %%")[2]
    code = setup + "\nprint(llm.embedded_server().model.tokens_per_second)\n"
    environ = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY", PACE)}
    environ["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), environ.get("PYTHONPATH", "")])
    environ["LIVEGRAPH_EMBEDDED"] = "1"
    if env is not None:
        environ[PACE] = env
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == str(pace)
