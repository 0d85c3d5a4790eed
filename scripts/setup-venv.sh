#!/bin/sh
# Builds .venv from the pinned constraints, saying what it does: uv (pinned in constraints.txt, installed
# into the venv by pip) resolves and installs in seconds; pip does it when uv can't (a minute or two).
# POSIX sh: the README promises only Python 3.11+, make and git.
# Usage: scripts/setup-venv.sh [PYTHON]   (the Makefile's $(STAMP) target runs it)
set -eu
cd "$(dirname "$0")/.."
python=${1:-python3}
venv=.venv
started=$(date +%s)
say() { echo "setup: $*"; }

if [ -e "$venv" ] && ! "$venv/bin/python" -c '' 2>/dev/null; then
  say "$venv has no working python (its interpreter moved or was removed): building it again"
  rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
  say "creating $venv with $("$python" --version 2>&1) ($python)"
  "$python" -m venv "$venv"
fi

say "installing uv into $venv"
if "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -c constraints.txt uv \
  && say "installing bch and its pinned dependencies with uv" \
  && "$venv/bin/uv" pip install --quiet --python "$venv/bin/python" -c constraints.txt -e '.[test]'; then
  :
else
  say "uv could not do it; installing with pip instead (a minute or two)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
fi
# An editable install compiles nothing: byte-compile bch as a regular install would (faster start-up).
"$venv/bin/python" -m compileall -q bch
say ".venv ready in $(($(date +%s) - started)) s"
