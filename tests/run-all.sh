#!/usr/bin/env bash
# Set up a fresh machine and run the whole test suite (this is the README's test command;
# .ci/run calls exactly this). Installs the Debian packages the tests need (an audio
# server, PortAudio, libsndfile), builds .venv with the dev, export and mic extras from a
# non-editable install, then runs pytest. Needs ../shared/data for the data tests.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=${SER_EDGE_VENV:-.venv}

install_system_packages() {
    local wanted=() pkg
    [ -f .ci/apt-packages.txt ] || return 0
    while read -r pkg; do
        pkg=${pkg%%#*}; pkg=${pkg//[[:space:]]/}
        [ -n "$pkg" ] || continue
        dpkg -s "$pkg" >/dev/null 2>&1 || wanted+=("$pkg")
    done < .ci/apt-packages.txt
    [ ${#wanted[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "== installing Debian packages: ${wanted[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
}

install_system_packages
echo "== python environment: $VENV"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip
"$VENV/bin/python" -m pip install -q ".[dev,export,mic,mqtt]"
echo "== tests"
export SER_EDGE_PACKAGING_TEST=${SER_EDGE_PACKAGING_TEST:-1}
export TF_CPP_MIN_LOG_LEVEL=3
# The venv's pytest (not `python -m pytest`) keeps ./ser_edge off sys.path: the installed wheel is tested.
exec "$VENV/bin/pytest" -p no:cacheprovider "$@"
