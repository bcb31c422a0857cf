"""livegraph under Pyodide itself: Node loads the npm `pyodide` package pinned in lite/versions.env, unpacks
livegraph's wheel (and openai's, for Pyodide's platform, from PyPI) and runs tests/pyodide/engine_checks.py:
the engine's single-threaded paths, the watchdog and the view's refresh on the loop, the in-process model."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKS = ROOT / "tests" / "pyodide" / "engine_checks.py"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.lite,
    pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js (and npm) to run Pyodide"),
]


def test_the_engine_and_the_embedded_model_run_under_pyodide(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "lite.py"), "fetch"], check=True, timeout=600)
    for wheel in [*(ROOT / "lite" / "cache" / "pyodide-wheels").glob("*.whl"),
                  *(ROOT / "lite" / "cache" / "dist").glob("livegraph-*.whl")]:
        shutil.copy(wheel, tmp_path)
    done = subprocess.run(
        ["node", str(ROOT / "tests" / "pyodide" / "run.mjs"), str(ROOT / "lite" / "node_modules" / "pyodide"),
         str(tmp_path), str(CHECKS), "llm"],
        capture_output=True, text=True, timeout=300,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(("ok", "FAIL"))]
    names = [line.split()[1] for line in lines]
    expected = [line.split("def ")[1].split("(")[0] for line in CHECKS.read_text().splitlines()
                if line.startswith(("def check_", "async def check_"))]
    assert (done.returncode, names) == (0, expected), done.stdout[-4000:] + done.stderr[-4000:]
    assert all(line.startswith("ok") for line in lines)
