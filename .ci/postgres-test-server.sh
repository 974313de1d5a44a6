#!/usr/bin/env bash
# Starts (or stops) a throw-away PostgreSQL 15 cluster with pgvector for the LongMemory.Kernel.PostgreSql tests and the
# `perf --store postgres` benchmark. Idempotent and safe to run in CI (as root or as an ordinary user):
#
#   eval "$(.ci/postgres-test-server.sh start)"   # prints `export LONGMEMORY_POSTGRES_URL=...` on stdout
#   .ci/postgres-test-server.sh stop              # stops the cluster and deletes its directory
#   .ci/postgres-test-server.sh status
#
# start: builds and installs pgvector from ../shared/vendor/pgvector-*.tar.gz (next to the clone) when the extension is
# not installed yet, creates a cluster in a temporary directory (trust authentication, listening on 127.0.0.1 only, on a
# free port, socket in /tmp), creates the database and `CREATE EXTENSION vector`. A second `start` reuses a running
# cluster. When something it needs is missing (no server binaries, no pgvector and no source to build it), it prints why
# on stderr, prints nothing on stdout and exits 0: the PostgreSQL tests then skip with their reason.
# Everything but the export line goes to stderr. Environment: PG_BINDIR (default: pg_config --bindir, else
# /usr/lib/postgresql/15/bin), LONGMEMORY_PG_STATE (default /tmp/longmemory-test-postgres: where the cluster lives).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
state="${LONGMEMORY_PG_STATE:-/tmp/longmemory-test-postgres}"
database=longmemory_test
command="${1:-start}"

log() { echo "postgres-test-server: $*" >&2; }

find_bindir() {
  if [[ -n "${PG_BINDIR:-}" ]]; then echo "$PG_BINDIR"; return; fi
  for candidate in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [[ -x "$candidate/initdb" ]]; then echo "$candidate"; return; fi
  done
  if command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then pg_config --bindir; return; fi
  echo ""
}

bindir="$(find_bindir)"

# Runs a command as the cluster's owner: the postgres user when we are root (PostgreSQL refuses to run as root).
as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url_of() { echo "Host=127.0.0.1;Port=$1;Username=postgres;Database=$database;Timeout=15;Command Timeout=60"; }

running_port() {
  [[ -f "$state/port" && -d "$state/data" ]] || return 1
  local port; port="$(cat "$state/port")"
  as_owner "$bindir/pg_ctl" -D "$state/data" status >/dev/null 2>&1 || return 1
  "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -t 5 || return 1
  echo "$port"
}

sharedir() { "$bindir/pg_config" --sharedir 2>/dev/null || echo /usr/share/postgresql/15; }

ensure_pgvector() {
  if [[ -f "$(sharedir)/extension/vector.control" ]]; then return 0; fi
  local tarball
  tarball="$(ls "$repo"/../shared/vendor/pgvector-*.tar.gz 2>/dev/null | sort | tail -n 1 || true)"
  if [[ -z "$tarball" ]]; then
    log "pgvector is not installed and $repo/../shared/vendor/pgvector-*.tar.gz is absent: not starting PostgreSQL (the PostgreSQL tests will be skipped)."
    return 1
  fi
  local pgconfig="$bindir/pg_config"
  if [[ ! -d "$("$pgconfig" --includedir-server 2>/dev/null)" ]] || ! command -v make >/dev/null 2>&1 || ! command -v gcc >/dev/null 2>&1; then
    if [[ $(id -u) -ne 0 ]]; then
      log "building pgvector needs postgresql-server-dev-15 and build-essential, and this is not root: not starting PostgreSQL."
      return 1
    fi
    log "installing postgresql-server-dev-15 and build-essential to build pgvector"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-server-dev-15 build-essential) >&2 \
      || { log "apt-get could not install the build dependencies of pgvector: not starting PostgreSQL."; return 1; }
  fi
  local build; build="$(mktemp -d)"
  log "building $(basename "$tarball")"
  tar xzf "$tarball" -C "$build"
  local source; source="$(ls -d "$build"/pgvector-* | head -n 1)"
  # OPTFLAGS="" avoids -march=native, so the extension also loads on another machine of the same kind.
  if ! { make -C "$source" PG_CONFIG="$pgconfig" OPTFLAGS="" >&2 && make -C "$source" PG_CONFIG="$pgconfig" install >&2; }; then
    rm -rf "$build"
    log "building or installing pgvector failed (installing needs write access to $(sharedir)): not starting PostgreSQL."
    return 1
  fi
  rm -rf "$build"
  [[ -f "$(sharedir)/extension/vector.control" ]]
}

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && [[ ! -e "/tmp/.s.PGSQL.$port" ]]; then echo "$port"; return 0; fi
  done
  return 1
}

start() {
  if [[ -z "$bindir" ]]; then
    log "no PostgreSQL server binaries found (set PG_BINDIR): not starting PostgreSQL (the PostgreSQL tests will be skipped)."
    return 0
  fi
  local port
  if port="$(running_port)"; then
    log "reusing the cluster in $state on port $port"
    echo "export LONGMEMORY_POSTGRES_URL='$(url_of "$port")'"
    return 0
  fi
  ensure_pgvector || return 0

  # A stale directory (a crashed or stopped run) is replaced.
  if [[ -d "$state" ]]; then
    as_owner "$bindir/pg_ctl" -D "$state/data" stop -m immediate >/dev/null 2>&1 || true
    rm -rf "$state"
  fi
  mkdir -p "$state"
  if [[ $(id -u) -eq 0 ]]; then chown postgres: "$state"; fi
  chmod 700 "$state"
  as_owner "$bindir/initdb" -D "$state/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$state/initdb.log" 2>&1 \
    || { cat "$state/initdb.log" >&2; log "initdb failed"; return 1; }

  local attempt
  for attempt in 1 2 3; do
    port="$(free_port)" || { log "found no free port"; return 1; }
    if as_owner "$bindir/pg_ctl" -D "$state/data" -w -t 60 -l "$state/data/server.log" \
        -o "-p $port -k /tmp -c listen_addresses=127.0.0.1" start >&2; then
      echo "$port" >"$state/port"
      break
    fi
    log "start on port $port failed (attempt $attempt)"; tail -n 5 "$state/data/server.log" >&2 || true
    port=""
  done
  [[ -n "$port" ]] || return 1

  as_owner "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE $database" >&2
  as_owner "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d "$database" -v ON_ERROR_STOP=1 \
    -c "CREATE EXTENSION IF NOT EXISTS vector" >&2
  log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') with pgvector on 127.0.0.1:$port (data in $state)"
  echo "export LONGMEMORY_POSTGRES_URL='$(url_of "$port")'"
}

stop() {
  if [[ -d "$state/data" && -n "$bindir" ]]; then
    as_owner "$bindir/pg_ctl" -D "$state/data" stop -m fast -w -t 60 >&2 || true
  fi
  rm -rf "$state"
  log "stopped and removed $state"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  status)
    if [[ -n "$bindir" ]] && port="$(running_port)"; then echo "running on port $port"; else echo "not running"; exit 1; fi ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
