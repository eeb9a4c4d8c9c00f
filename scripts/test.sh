#!/usr/bin/env bash
# Install everything the test suite needs, then run it: the whole suite on SQLite (the embedded
# default) and every database test again on a throwaway PostgreSQL cluster on loopback.
#
#   bash scripts/test.sh              # everything
#   bash scripts/test.sh tests/stats  # extra arguments go to pytest (both runs)
#
# Environment: PYTHON (default python3), SKIP_INSTALL=1 to skip pip/apt, SKIP_POSTGRES=1,
# SKIP_SQLITE=1 (only the PostgreSQL run), SKIP_BROWSER=1 (deselects Playwright tests),
# SKIP_CHECKS=1 (skips lint, format, migrations and type checks), PGPORT_TEST (the cluster's
# port; default the first free one from 55432).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}

log() { printf '\n== %s\n' "$*" >&2; }

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

if [ "${SKIP_INSTALL:-0}" != 1 ]; then
  log "Python packages (locked in requirements.lock)"
  "$PY" -m pip install -q --disable-pip-version-check -c requirements.lock -e ".[test]"

  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -n "$(pg_bindir)" ] || missing+=(postgresql)
  command -v msgfmt >/dev/null || missing+=(gettext)
  command -v pdftotext >/dev/null || missing+=(poppler-utils)
  command -v nginx >/dev/null || missing+=(nginx)  # the load test runs the shipped front
  command -v java >/dev/null || missing+=(openjdk-17-jre-headless)  # the Spark backend's tests
  ldconfig -p 2>/dev/null | grep -q libpango-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
  fc-list 2>/dev/null | grep -qi dejavu || missing+=(fonts-dejavu-core)
  if [ ${#missing[@]} -gt 0 ]; then
    log "System packages: ${missing[*]}"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null
    fi
  fi
fi

mkdir -p "$ROOT/test-artifacts"
export SKILLNADER_HOME
SKILLNADER_HOME=$(mktemp -d /tmp/skillnader-test.XXXXXX)
export PYTHONHASHSEED=0
marker=()
if [ "${SKIP_BROWSER:-0}" = 1 ]; then marker=(-m "not browser"); fi

status=0
if [ "${SKIP_CHECKS:-0}" != 1 ]; then
  log "Checks: lint, format, migrations, types (scripts/check.sh)"
  bash scripts/check.sh || status=1
fi

if [ "${SKIP_SQLITE:-0}" != 1 ]; then
  log "Test suite on SQLite"
  "$PY" -m pytest "${marker[@]}" "$@" || status=$?
fi

if [ "${SKIP_POSTGRES:-0}" != 1 ]; then
  log "Database tests on PostgreSQL"
  bindir=$(pg_bindir)
  pgdir=$(mktemp -d /tmp/skillnader-pg.XXXXXX)
  # the first free port from 55432 (another cluster on the machine must not stop the run)
  port=${PGPORT_TEST:-$("$PY" -c '
import socket
for port in range(55432, 55532):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
')}
  # PostgreSQL refuses to run as root: run the throwaway cluster as an unprivileged user.
  runas=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$pgdir"
    runas=(runuser -u postgres --)
  fi
  "${runas[@]}" "$bindir/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >/dev/null
  "${runas[@]}" "$bindir/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -t 300 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$pgdir -c fsync=off -c full_page_writes=off -c synchronous_commit=off" start >/dev/null ||
    { echo "PostgreSQL did not start; its log:" >&2; cat "$pgdir/log" >&2; exit 1; }
  trap '"${runas[@]}" "$bindir/pg_ctl" -D "$pgdir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
  export DATABASE_URL="postgresql://postgres@127.0.0.1:$port/skillnader"
  pgstatus=0
  "$PY" -m pytest -m "database and not browser" "$@" || pgstatus=$?
  # pytest exits 5 when the arguments select no database test: that is not a failure.
  if [ $pgstatus != 0 ] && [ $pgstatus != 5 ]; then status=$pgstatus; fi
  unset DATABASE_URL
fi

rm -rf "$SKILLNADER_HOME"
exit $status
