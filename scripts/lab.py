"""Starts JupyterLab on `notebooks/` for `make lab`, with Jupyter's own files kept inside the venv.

Usage: python scripts/lab.py [--port PORT] [--no-browser]

Jupyter's data, runtime, settings and workspaces go to `.venv/jupyter/` (so `make clean` removes them and
nothing lands in the home directory). Lab's news feed, update check and PyPI extension manager are off (they
would call out to the network). Jupyter's own messages go to `.venv/jupyter/lab.log`: the terminal shows one
line while the server starts, then the URL to open, as the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
# What the JupyterLab notification plugin would otherwise fetch from the network.
QUIET_SETTINGS = {"fetchNews": "false", "checkForUpdates": False}


def jupyter_env(home: Path) -> dict[str, str]:
    """The environment for the server: Jupyter's own directories under `home`."""
    env = dict(os.environ)
    env.update(
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        JUPYTER_PLATFORM_DIRS="1",
    )
    return env


def quiet_news(settings_dir: Path) -> None:
    """Turns off Lab's news and update check, keeping any other notification setting the user made."""
    path = settings_dir / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        current = json.loads(path.read_text())
    except (OSError, ValueError):
        current = {}
    path.write_text(json.dumps({**current, **QUIET_SETTINGS}, indent=2) + "\n")


def wait_until_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 120.0) -> bool:
    """True once the server answers `url`; False if it exited or did not answer in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except (OSError, urllib.error.URLError):
            time.sleep(0.25)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8888")))
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser (headless)")
    args = parser.parse_args()

    home = Path(sys.prefix) / "jupyter"
    env = jupyter_env(home)
    for key in ("JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        Path(env[key]).mkdir(parents=True, exist_ok=True)
    quiet_news(Path(env["JUPYTERLAB_SETTINGS_DIR"]))

    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    base = f"http://127.0.0.1:{args.port}"
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={NOTEBOOKS}",
        "--ip=127.0.0.1",
        f"--port={args.port}",
        # A busy port is an error, not a silent move to another port (the printed URL would be wrong).
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        # The extension manager would search PyPI from the page; a workshop needs no extensions.
        "--LabApp.extension_manager=readonly",
    ]
    if args.no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # Jupyter refuses to start as root without it

    model = "your OPENAI_* settings" if env.get("LIVEGRAPH_EMBEDDED") == "0" else "the embedded model"
    log_path = home / "lab.log"
    shown = log_path.relative_to(ROOT) if log_path.is_relative_to(ROOT) else log_path
    print(f"==> [lab] JupyterLab on notebooks/ with {model} (log: {shown}) ... ", end="", flush=True)
    started = time.monotonic()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        if not wait_until_up(f"{base}/api/status?token={token}", proc):
            print("FAILED", flush=True)
            tail = log_path.read_text(errors="replace").splitlines()[-30:]
            print("\n".join(["    the last lines of the log:", *(f"    | {line}" for line in tail)]), file=sys.stderr)
            proc.terminate()
            return proc.wait() or 1
        print(f"ok in {time.monotonic() - started:.1f} s; stop it with Ctrl-C. Open:", flush=True)
        print(f"{base}/lab?token={token}", flush=True)
        return proc.wait()
    except KeyboardInterrupt:
        # The server got the same Ctrl-C; give it time to shut its kernels down, then make sure.
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait()
        print("\nJupyterLab stopped.", flush=True)
        return 0  # stopping is what Ctrl-C asked for, not a failure
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    sys.exit(main())
