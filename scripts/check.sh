#!/usr/bin/env bash
# The project's habits, checked: lint, format, migrations in step with the models, types, and
# the hashed production lock naming the versions of requirements.lock.
# Run by scripts/test.sh (and so by CI) before the tests, and by the pre-commit hooks.
#
#   bash scripts/check.sh
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
status=0
step() {
  printf '\n== check: %s\n' "$1" >&2
  shift
  "$@" || status=1
}
step "ruff lint" "$PY" -m ruff check src tests bench
step "ruff format" "$PY" -m ruff format --check src tests bench
step "migrations match the models" env DJANGO_SETTINGS_MODULE=skillnader.web.settings \
  SKILLNADER_HOME="$(mktemp -d)" "$PY" -m django makemigrations --check --dry-run
step "mypy (library packages)" "$PY" -m mypy
step "hashed lock in step with requirements.lock" "$PY" scripts/check_locks.py
exit $status
