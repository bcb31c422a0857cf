"""The JupyterLite site (`make lite`, `make lite-serve`) and what it is built from, fetched from pip and npm only.

    python scripts/lite.py fetch    npm packages (Pyodide's core, @viz-js/viz) and the kernel's wheels, pinned
    python scripts/lite.py build    fetch, then build the static site into lite/site/ (a clean build each time)
    python scripts/lite.py serve    serve lite/site/ on loopback and print the URL

Every version comes from lite/versions.env. Downloads land in lite/node_modules/ and lite/cache/ (gitignored).
"""

from __future__ import annotations

import argparse
import hashlib
import json
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


def _pip_download(v: dict[str, str], dest: Path, *args: str) -> None:
    """`pip download` of wheels for Pyodide's Python and platform (pure ones, or built for Pyodide)."""
    _run(sys.executable, "-m", "pip", "download", "-q", "--only-binary=:all:", "--platform", v["PYODIDE_PLATFORM"],
         "--platform", "any", "--python-version", v["PYODIDE_PYTHON"], "--implementation", "cp",
         "--abi", "cp" + v["PYODIDE_PYTHON"].replace(".", ""), "-d", dest, *args)


def fetch_wheels(v: dict[str, str]) -> None:
    wanted = " ".join(kernel_requirements(v))
    stamp = WHEELS / ".livegraph-pins"
    if not _stamped(stamp, wanted):
        shutil.rmtree(WHEELS, ignore_errors=True)
        WHEELS.mkdir(parents=True)
        _pip_download(v, WHEELS, *wanted.split())
        stamp.write_text(wanted)
    shutil.rmtree(DIST, ignore_errors=True)
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", DIST, ROOT)


def fetch() -> dict[str, str]:
    v = pins()
    fetch_npm(v)
    fetch_wheels(v)
    return v


# -- the site ---------------------------------------------------------------------------------------------------
BUILD = LITE / "build"  # the lite dir jupyter-lite builds from (made afresh each time)
VENV = CACHE / "venv"  # the build's tools, apart from the project's venv
LOCK_WHEELS = CACHE / "lock-wheels"
PYODIDE_CORE = ("pyodide.asm.mjs", "pyodide.asm.wasm", "pyodide.mjs", "pyodide.js", "python_stdlib.zip",
                "package.json")


def build_tools(v: dict[str, str]) -> Path:
    """A venv with jupyterlite and the widgets' front-ends, at the pinned versions."""
    wanted = [f"jupyterlite-core=={v['JUPYTERLITE_CORE']}",
              f"jupyterlite-pyodide-kernel=={v['JUPYTERLITE_PYODIDE_KERNEL']}",
              f"jupyter_server=={v['JUPYTER_SERVER']}", f"anywidget=={v['ANYWIDGET']}",
              f"ipywidgets=={v['IPYWIDGETS']}", f"jupyterlab_widgets=={v['JUPYTERLAB_WIDGETS']}"]
    stamp = VENV / ".livegraph-pins"
    if not _stamped(stamp, " ".join(wanted)):
        shutil.rmtree(VENV, ignore_errors=True)
        _run(sys.executable, "-m", "venv", VENV)
        _run(VENV / "bin" / "python", "-m", "pip", "install", "-q", *wanted)
        stamp.write_text(" ".join(wanted))
    return VENV / "bin"


def kernel_lock(v: dict[str, str], out: Path) -> None:
    """Pyodide's core from npm, plus a lock trimmed to what the kernel boots with; those packages are pure
    Python and come from PyPI at the lock's versions, with their hashes recomputed (Pyodide rebuilds pure wheels,
    so its hashes differ from PyPI's)."""
    core = pyodide_dir()
    lock = json.loads((core / "pyodide-lock.json").read_text())
    packages = lock["packages"]
    names: set[str] = set()
    todo = v["KERNEL_LOCK_ROOTS"].split()
    while todo:
        name = _canonical(todo.pop())  # `depends` may spell a name with `_` where the key has `-`
        if name in packages and name not in names:
            names.add(name)
            todo.extend(packages[name]["depends"])
    specs = sorted(f"{name}=={packages[name]['version']}" for name in names)
    stamp = LOCK_WHEELS / ".livegraph-pins"
    if not _stamped(stamp, " ".join(specs)):
        shutil.rmtree(LOCK_WHEELS, ignore_errors=True)
        LOCK_WHEELS.mkdir(parents=True)
        _pip_download(v, LOCK_WHEELS, "--no-deps", *specs)
        stamp.write_text(" ".join(specs))
    out.mkdir(parents=True)
    for name in PYODIDE_CORE:
        shutil.copy(core / name, out / name)
    by_name = {_canonical(w.name.split("-")[0]): w for w in LOCK_WHEELS.glob("*.whl")}
    trimmed = {}
    for name in sorted(names):
        wheel = by_name[_canonical(name)]
        shutil.copy(wheel, out / wheel.name)
        entry = dict(packages[name], file_name=wheel.name, sha256=hashlib.sha256(wheel.read_bytes()).hexdigest())
        trimmed[name] = entry
    (out / "pyodide-lock.json").write_text(json.dumps({**lock, "packages": trimmed}, indent=1))


def _canonical(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def build(v: dict[str, str]) -> None:
    """The static site in lite/site/: JupyterLite, Pyodide, the wheels, the notebooks' JupyterLite edition."""
    tools = build_tools(v)
    shutil.rmtree(BUILD, ignore_errors=True)
    shutil.rmtree(SITE, ignore_errors=True)
    kernel_lock(v, BUILD / "static" / "pyodide")
    locked = {_canonical(p.name.split("-")[0]) for p in (BUILD / "static" / "pyodide").glob("*.whl")}
    pypi = BUILD / "pypi"
    pypi.mkdir()
    for wheel in [*WHEELS.glob("*.whl"), *DIST.glob("livegraph-*.whl")]:
        if _canonical(wheel.name.split("-")[0]) not in locked:
            shutil.copy(wheel, pypi / wheel.name)
    settings = {"disablePyPIFallback": True}
    config = {"jupyter-lite-schema-version": 0, "jupyter-config-data": {
        "litePluginSettings": {"@jupyterlite/pyodide-kernel-extension:kernel": settings}}}
    (BUILD / "jupyter-lite.json").write_text(json.dumps(config, indent=1))
    # Every cell in the page (no windowing): a live view scrolled out of sight keeps updating.
    overrides = {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}
    (BUILD / "overrides.json").write_text(json.dumps(overrides, indent=1))
    contents = BUILD / "files"
    _run(sys.executable, ROOT / "scripts" / "lite_notebooks.py", ROOT / "notebooks", contents)
    _run(tools / "jupyter", "lite", "build", "--lite-dir", BUILD, "--output-dir", SITE, "--contents", contents,
         "--no-sourcemaps", cwd=BUILD)
    # Graphviz as WebAssembly for the diagrams (livegraph.render._browser loads it from here).
    (SITE / "static" / "livegraph").mkdir(parents=True)
    shutil.copy(LITE / "node_modules" / "@viz-js" / "viz" / "dist" / "viz.js", SITE / "static" / "livegraph" / "viz.js")
    size = sum(p.stat().st_size for p in SITE.rglob("*") if p.is_file())
    print(f"Built lite/site/ ({size / 1e6:.1f} MB). Serve it with `make lite-serve`.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["fetch", "build", "serve"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("LITE_PORT", "8765")))
    args = parser.parse_args()
    if args.command == "fetch":
        fetch()
    elif args.command == "build":
        build(fetch())
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
