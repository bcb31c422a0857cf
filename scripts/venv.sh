#!/usr/bin/env bash
# Usage: scripts/venv.sh DIR
# Creates a virtual environment in DIR with $PYTHON (default python3), unless a working one is there.
# Debian and Ubuntu ship `venv` without ensurepip (it is in the pythonX.Y-venv package): as root this installs
# that package, otherwise it says which command fixes it.
set -euo pipefail

dir=${1:?usage: scripts/venv.sh DIR}
python=${PYTHON:-python3}

if [[ -x $dir/bin/python ]] && "$dir/bin/python" -m pip --version >/dev/null 2>&1; then
    exit 0
fi

if ! command -v "$python" >/dev/null 2>&1; then
    echo "error: '$python' not found. Install Python >= 3.10, or point PYTHON=... at one." >&2
    exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "error: livegraph needs Python >= 3.10, and '$python' is $("$python" -V 2>&1). Set PYTHON=..." >&2
    exit 1
fi

rm -rf "$dir"
if "$python" -m venv "$dir"; then
    exit 0
fi
rm -rf "$dir"

if "$python" -c 'import ensurepip' >/dev/null 2>&1; then
    echo "error: '$python -m venv $dir' failed (its message is above)." >&2
    exit 1
fi

pkg="python$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')-venv"
if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "==> '$python' has no ensurepip; installing Debian's $pkg"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "$pkg" </dev/null
    "$python" -m venv "$dir"
else
    echo "error: '$python' cannot create a virtual environment: its ensurepip module is missing." >&2
    echo "       On Debian or Ubuntu: sudo apt-get install $pkg   (then run make again)" >&2
    exit 1
fi
