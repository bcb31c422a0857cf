"""The JupyterLite site (`make lite`, `make lite-serve`) and what it is built from, fetched from pip and npm only.

    python scripts/lite.py fetch    npm packages (Pyodide's core, @viz-js/viz) and the kernel's wheels, pinned
    python scripts/lite.py serve    serve lite/site/ on loopback and print the URL

Every version comes from lite/versions.env. Downloads land in lite/node_modules/ and lite/cache/ (gitignored).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LITE = ROOT / "lite"
CACHE = LITE / "cache"
WHEELS = CACHE / "pyodide-wheels"
DIST = CACHE / "dist"
SITE = LITE / "site"


def pins() -> dict[str, str]:
    """lite/versions.env as a dict."""
    found = {}
    for line in (LITE / "versions.env").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            found[key.strip()] = value.strip()
    return found


def pyodide_dir() -> Path:
    return LITE / "node_modules" / "pyodide"


def _run(*cmd: str | Path, **kwargs: object) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)  # type: ignore[call-overload]


def _stamped(stamp: Path, value: str) -> bool:
    return stamp.exists() and stamp.read_text() == value


def fetch_npm(v: dict[str, str]) -> None:
    wanted = f"pyodide@{v['PYODIDE']} @viz-js/viz@{v['VIZ_JS']}"
    stamp = LITE / "node_modules" / ".livegraph-pins"
    if _stamped(stamp, wanted):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is missing: the site needs Node.js and npm (e.g. `apt-get install nodejs npm`)")
    _run(npm, "install", "--prefix", LITE, "--no-save", "--no-audit", "--no-fund", *wanted.split())
    stamp.write_text(wanted)


def kernel_requirements(v: dict[str, str]) -> list[str]:
    """What the notebooks need in the kernel beyond Pyodide's core, at the pinned versions."""
    return [f"openai=={v['OPENAI']}", f"pydantic=={v['PYDANTIC']}", f"ipywidgets=={v['IPYWIDGETS']}",
            f"anywidget=={v['ANYWIDGET']}"]


def fetch_wheels(v: dict[str, str]) -> None:
    wanted = " ".join(kernel_requirements(v))
    stamp = WHEELS / ".livegraph-pins"
    if not _stamped(stamp, wanted):
        shutil.rmtree(WHEELS, ignore_errors=True)
        WHEELS.mkdir(parents=True)
        _run(sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "--platform",
             v["PYODIDE_PLATFORM"], "--platform", "any", "--python-version", v["PYODIDE_PYTHON"],
             "--implementation", "cp", "--abi", "cp" + v["PYODIDE_PYTHON"].replace(".", ""), "-d", WHEELS,
             *wanted.split())
        stamp.write_text(wanted)
    shutil.rmtree(DIST, ignore_errors=True)
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", DIST, ROOT)


def fetch() -> dict[str, str]:
    v = pins()
    fetch_npm(v)
    fetch_wheels(v)
    return v


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["fetch", "serve"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("LITE_PORT", "8765")))
    args = parser.parse_args()
    if args.command == "fetch":
        fetch()
    else:
        serve(args.port)


def serve(port: int) -> None:
    import functools
    import http.server

    if not (SITE / "index.html").exists():
        raise SystemExit("No site in lite/site/: build it first with `make lite`")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SITE))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as httpd:
        print(f"JupyterLite site: http://127.0.0.1:{httpd.server_port}/lab/index.html  (Ctrl-C stops)", flush=True)
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
