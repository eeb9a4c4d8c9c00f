#!/usr/bin/env bash
# The production lock with hashes, requirements.hashes.txt: the packages Skillnader needs at run
# time (pyproject.toml's dependencies, no extras) at exactly the versions of requirements.lock,
# each with the sha256 of every file PyPI has for that version. Installed in production with
#
#   pip install --require-hashes -r requirements.hashes.txt && pip install --no-deps -e .
#
# Run this after every change of requirements.lock (scripts/check_locks.py, run by
# scripts/check.sh and so by CI, fails while the two name different versions):
#
#   bash scripts/lock_hashes.sh                 # writes requirements.hashes.txt
#   bash scripts/lock_hashes.sh OUT.txt
#
# pip-tools (pinned) runs in a throwaway virtual environment so it never enters the application's
# own dependencies. It asks PyPI alone: local wheel folders, mirrors or caps configured for pip on
# a machine are ignored, so the hashes are those of the files a production machine downloads.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
out=${1:-requirements.hashes.txt}
venv=$(mktemp -d /tmp/skillnader-lock.XXXXXX)
trap 'rm -rf "$venv"' EXIT
"$PY" -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check pip-tools==7.6.2
env PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= PIP_EXTRA_INDEX_URL= PIP_INDEX_URL=https://pypi.org/simple \
  PIP_CONSTRAINT= CUSTOM_COMPILE_COMMAND="bash scripts/lock_hashes.sh" \
  "$venv/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --no-strip-extras \
  --no-emit-index-url --no-emit-find-links --constraint requirements.lock \
  --output-file "$out" pyproject.toml
"$PY" scripts/check_locks.py "$out"
