"""The README's quickstart runs as written and prints what a reader expects."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_quickstart_runs_and_streams_the_custom_chunks() -> None:
    code = re.search(r"## Quickstart\n\n```python\n(.*?)```", README.read_text(), re.S)
    assert code is not None, "README.md lost its quickstart block"
    done = subprocess.run([sys.executable, "-c", code.group(1)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "{'custom_llm_chunk': 'Cats '}",
        "{'custom_llm_chunk': 'are '}",
        "{'custom_llm_chunk': 'curious.'}",
    ]
