#!/usr/bin/env bash
# Prepares the real PostgreSQL 15 that the PostgreSQL store's tests and benches use, idempotently (Debian 12):
#   1. postgresql installed (apt-get) when its initdb and pg_ctl are missing;
#   2. as root, a system user `yardpg` to run the server (PostgreSQL refuses to run as root);
#   3. a cluster made with initdb in $YARD_PG_ROOT (default /tmp/yardmaster-pg), started with pg_ctl on a free
#      loopback port, its unix socket in that folder too; a running server is reused;
#   4. a role `yardtest` (password, CREATEDB: each test makes its own database; pg_signal_backend: it drops them with
#      FORCE) and a database `yardtest`;
#   5. the env file the tests read, $YARD_PG_ROOT/env:
#        YARD_TEST_PG_URL=postgres://yardtest@127.0.0.1:PORT/yardtest
#        YARD_TEST_PG_PASSWORD=...
# `postgres-test-env.sh --stop` stops the server; `--running` exits 0 when it runs; `--apt-packages` prints what apt
# must install (./test installs it with the rest).
set -euo pipefail

ROOT="${YARD_PG_ROOT:-/tmp/yardmaster-pg}"
DATA="$ROOT/data"
ENV_FILE="$ROOT/env"
LOG="$ROOT/postgres.log"
OS_USER=yardpg
ROLE=yardtest
DATABASE=yardtest

bin_dir() {
  local dir
  for dir in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
  done
  return 1
}

missing_apt_packages() {
  bin_dir >/dev/null || echo postgresql
}

# Runs a command as the server's user: yardpg when we are root, else ourselves.
as_server_user() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u "$OS_USER" -- "$@"
  else
    "$@"
  fi
}

running() {
  local bin
  bin="$(bin_dir)" || return 1
  [ -f "$DATA/PG_VERSION" ] && as_server_user "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

port_free() {
  if command -v ss >/dev/null; then
    [ -z "$(ss -Htln "sport = :$1")" ]
  else
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 30000))
    port_free "$port" && { echo "$port"; return 0; }
  done
  echo "no free loopback port found" >&2
  return 1
}

case "${1:-}" in
  --apt-packages)
    missing_apt_packages
    exit 0
    ;;
  --running)
    running
    exit $?
    ;;
  --stop)
    if running; then
      as_server_user "$(bin_dir)/pg_ctl" -D "$DATA" stop -m fast -w >/dev/null
      echo "postgres stopped ($DATA)"
    fi
    exit 0
    ;;
  "") ;;
  *)
    echo "usage: $0 [--stop | --running | --apt-packages]" >&2
    exit 2
    ;;
esac

mapfile -t need_apt < <(missing_apt_packages)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
BIN="$(bin_dir)"

if [ "$(id -u)" = 0 ] && ! id "$OS_USER" >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$OS_USER"
fi
owner="$(if [ "$(id -u)" = 0 ]; then echo "$OS_USER"; else id -un; fi)"

# The folder is in /tmp, which anyone may write: refuse one that someone else made.
if [ -e "$ROOT" ] && [ "$(stat -c %U "$ROOT")" != "$owner" ]; then
  echo "$ROOT exists but belongs to $(stat -c %U "$ROOT"), not $owner; remove it or set YARD_PG_ROOT" >&2
  exit 1
fi
if [ ! -d "$ROOT" ]; then
  mkdir -m 0755 "$ROOT"
  chown "$owner" "$ROOT"
fi
cd "$ROOT" # the server's user may not be able to read the caller's folder

if [ ! -f "$DATA/PG_VERSION" ]; then
  rm -rf "$DATA"
  echo "initdb $DATA"
  # Peer authentication on the socket (only the server's own user is superuser there), passwords on TCP.
  as_server_user "$BIN/initdb" -D "$DATA" --auth-local=peer --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$DATA/postgresql.conf" <<EOF
# Written by scripts/postgres-test-env.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$ROOT'
max_connections = 200
EOF
fi

if ! running; then
  port="$(cat "$ROOT/port" 2>/dev/null || true)"
  if [ -z "$port" ] || ! port_free "$port"; then
    port="$(free_port)"
  fi
  echo "$port" | as_server_user tee "$ROOT/port" >/dev/null
  echo "starting postgres on 127.0.0.1:$port (log: $LOG)"
  if ! as_server_user "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -o "-p $port" -w -t 60 start >/dev/null; then
    echo "postgres did not start; see $LOG:" >&2
    tail -n 20 "$LOG" >&2 || true
    exit 1
  fi
fi
port="$(cat "$ROOT/port")"

psql_admin() {
  PGOPTIONS='-c client_min_messages=warning' as_server_user "$BIN/psql" -h "$ROOT" -p "$port" -d postgres -v ON_ERROR_STOP=1 -qtAX "$@"
}

if [ ! -s "$ROOT/password" ]; then
  head -c 18 /dev/urandom | base64 | tr '+/' 'xy' | as_server_user tee "$ROOT/password" >/dev/null
  as_server_user chmod 0600 "$ROOT/password"
fi
password="$(cat "$ROOT/password")"

if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]; then
  psql_admin -c "CREATE ROLE $ROLE LOGIN CREATEDB"
fi
# Set every time, so the role and the password file never disagree.
psql_admin -c "ALTER ROLE $ROLE PASSWORD '$password'"
# DROP DATABASE ... WITH (FORCE) of a test's database must also end an autovacuum worker that happens to be in it.
psql_admin -c "GRANT pg_signal_backend TO $ROLE"
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]; then
  psql_admin -c "CREATE DATABASE $DATABASE OWNER $ROLE"
fi

umask 077
cat >"$ENV_FILE.tmp" <<EOF
YARD_TEST_PG_URL=postgres://$ROLE@127.0.0.1:$port/$DATABASE
YARD_TEST_PG_PASSWORD=$password
EOF
mv "$ENV_FILE.tmp" "$ENV_FILE"
echo "postgres ready: $("$BIN/postgres" --version), postgres://$ROLE@127.0.0.1:$port/$DATABASE (env: $ENV_FILE)"
