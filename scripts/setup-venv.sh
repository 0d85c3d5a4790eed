#!/usr/bin/env bash
# Builds .venv from the pinned constraints, saying what it does: uv (pinned in constraints.txt, installed
# into the venv by pip) resolves and installs in seconds; pip does it when uv can't (a minute or two).
# Usage: scripts/setup-venv.sh [PYTHON]   (the Makefile's $(STAMP) target runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${1:-python3}
venv=.venv
started=$(date +%s)
say() { echo "setup: $*"; }

if [ ! -x "$venv/bin/python" ]; then
  say "creating $venv with $("$python" --version 2>&1) ($python)"
  "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check)

say "installing uv into $venv"
if "${pip[@]}" install --quiet -c constraints.txt uv \
  && say "installing bch and its pinned dependencies with uv" \
  && "$venv/bin/uv" pip install --quiet --python "$venv/bin/python" -c constraints.txt -e '.[test]'; then
  :
else
  say "uv could not do it; installing with pip instead (a minute or two)"
  "${pip[@]}" install --quiet -c constraints.txt -e '.[test]'
fi
# An editable install compiles nothing: byte-compile bch as a regular install would (faster start-up).
"$venv/bin/python" -m compileall -q bch
say ".venv ready in $(($(date +%s) - started)) s"
