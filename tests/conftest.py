"""What every test module shares: Jupyter kept out of the home directory, and a place for test artifacts."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from pg_server import postgres_db, postgres_server, postgres_url  # noqa: F401 - fixtures for every module

ARTIFACTS = Path(__file__).parent / "artifacts"

_jupyter_home: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    # Kernels, servers and notebooks started by the tests inherit these: their connection files, settings
    # and IPython profile live in a temporary directory, so a developer's own profile (startup scripts,
    # extensions) cannot change what a notebook prints, and nothing is left behind in the home directory.
    global _jupyter_home
    _jupyter_home = tempfile.mkdtemp(prefix="livegraph-jupyter-")
    home = Path(_jupyter_home)
    os.environ.update(
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "lab-settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "lab-workspaces"),
        IPYTHONDIR=str(home / "ipython"),
        JUPYTER_PLATFORM_DIRS="1",
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    if _jupyter_home is not None:
        shutil.rmtree(_jupyter_home, ignore_errors=True)


@pytest.fixture
def artifacts_dir(request: pytest.FixtureRequest) -> Path:
    """`tests/artifacts/<test name>/`, emptied first: screenshots and logs worth keeping after a failure."""
    path = ARTIFACTS / str(request.node.name).replace("/", "_")
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path
