#!/usr/bin/env bash
# Throwaway MariaDB instance for the tests (no systemd, works as root).
#
#   test/support/mariadb.sh start DIR PORT   # wipes DIR, starts a server on 127.0.0.1:PORT,
#                                            # prints ONE line on stdout: the connection URL
#   test/support/mariadb.sh resume DIR PORT  # starts a stopped server of DIR again on its data
#                                            # (nothing wiped), prints the URL likewise
#   test/support/mariadb.sh stop DIR         # stops the server started from DIR
#
# MARIADB_SERVER_OPTIONS: more mariadbd options, e.g. "--innodb-buffer-pool-size=4G" (the scale
# benchmark sizes the buffer pool like a production server's).
# Everything except the URL goes to stderr. The server's own output goes to files in DIR
# (it must never hold the caller's stdout open, or `url=$(... start ...)` would hang).
set -euo pipefail

DB_NAME=contacts_test
DB_USER=contacts
DB_PASSWORD=contacts-test-pw
MARKER=.throwaway-mariadb   # marks DIR as ours, so `start` never wipes a foreign folder
START_TIMEOUT_S=30
STOP_TIMEOUT_S=10

log() { printf 'mariadb.sh: %s\n' "$*" >&2; }
# shellcheck source=process-control.sh
source "$(dirname "${BASH_SOURCE[0]}")/process-control.sh"
die() {
  log "ERROR: $*"
  exit 1
}

usage() {
  cat >&2 <<'EOF'
usage: mariadb.sh start DIR PORT
       mariadb.sh resume DIR PORT
       mariadb.sh stop DIR
EOF
  exit 2
}

find_bin() { # find_bin NAME...: first one on PATH or in /usr/sbin, /usr/bin
  local name
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
    for dir in /usr/sbin /usr/bin; do
      if [[ -x "$dir/$name" ]]; then
        echo "$dir/$name"
        return 0
      fi
    done
  done
  return 1
}

# Is PID a live (not zombie/dead) process? A server killed while we are its parent stays a
# zombie until reaped, and `kill -0` still succeeds on it, so read the state from /proc.
# Is PID a mariadbd whose command line names DIR? Guards against killing a recycled pid.
is_our_server() {
  local pid=$1 dir=$2 cmdline
  alive "$pid" || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline" == *mariadbd* || "$cmdline" == *mysqld* ]] && [[ "$cmdline" == *"--datadir=$dir/data"* ]]
}

stop_server() {
  local dir=$1 pid=""
  if [[ -f "$dir/mariadbd.pid" ]]; then
    pid=$(tr -dc '0-9' <"$dir/mariadbd.pid" || true)
  fi
  # the pid file may not exist yet (server died or never got that far): fall back to ours
  if [[ -z "$pid" && -f "$dir/launcher.pid" ]]; then
    pid=$(tr -dc '0-9' <"$dir/launcher.pid" || true)
  fi
  if [[ -z "$pid" ]] || ! is_our_server "$pid" "$dir"; then
    log "no running server for $dir"
    rm -f "$dir/mariadbd.pid" "$dir/launcher.pid"
    return 0
  fi
  log "stopping mariadbd (pid $pid) of $dir"
  terminate "$pid" TERM "$STOP_TIMEOUT_S" mariadbd || die "mariadbd (pid $pid) would not die"
  rm -f "$dir/mariadbd.pid" "$dir/launcher.pid"
  log "stopped"
}

launch_server() { # launch_server DIR PORT MARIADBD ADMIN: runs mariadbd on DIR's data, waits until it answers
  local dir=$1 port=$2 mariadbd=$3 admin=$4
  local sock="$dir/mysqld.sock"
  rm -f "$sock" "$sock.lock"
  log "starting $mariadbd on 127.0.0.1:$port"
  # --no-defaults must be the first option; as root, --user=root is required.
  setsid "$mariadbd" --no-defaults --user=root \
    --datadir="$dir/data" --tmpdir="$dir/tmp" \
    --socket="$sock" --pid-file="$dir/mariadbd.pid" --log-error="$dir/error.log" \
    --bind-address=127.0.0.1 --port="$port" --skip-name-resolve \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    ${MARIADB_SERVER_OPTIONS:-} \
    </dev/null >>"$dir/mariadbd.out" 2>&1 &
  local pid=$!
  echo "$pid" >"$dir/launcher.pid"

  local i ready=""
  for ((i = 0; i < START_TIMEOUT_S * 5; i++)); do
    if "$admin" --no-defaults --socket="$sock" -uroot --connect-timeout=2 ping >/dev/null 2>&1; then
      ready=1
      break
    fi
    if ! alive "$pid"; then
      wait "$pid" 2>/dev/null || true # reap the zombie
      show_log "$dir/mariadbd.out"
      show_log "$dir/error.log"
      die "mariadbd exited during startup (see the log above; is port $port already in use?)"
    fi
    sleep 0.2
  done
  if [[ -z "$ready" ]]; then
    show_log "$dir/error.log"
    stop_server "$dir" || true
    die "mariadbd did not answer ping within ${START_TIMEOUT_S}s"
  fi
}

resume_server() { # the server of a DIR that `start` made and `stop` stopped, on its data as it is
  local dir=$1 port=$2
  [[ "$port" =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || die "bad port: $port"
  [[ -e "$dir/$MARKER" && -d "$dir/data" ]] || die "$dir is not a datadir made by mariadb.sh start"
  local mariadbd admin
  mariadbd=$(find_bin mariadbd mysqld) || die "mariadbd not found (apt-get install mariadb-server)"
  admin=$(find_bin mariadb-admin mysqladmin) || die "mariadb-admin not found (apt-get install mariadb-client)"
  local f
  for f in mariadbd.pid launcher.pid; do
    if [[ -f "$dir/$f" ]] && alive "$(tr -dc '0-9' <"$dir/$f")"; then
      die "a server of $dir is still running (pid $(tr -dc '0-9' <"$dir/$f")); stop it first"
    fi
  done
  rm -f "$dir/mariadbd.pid" "$dir/launcher.pid"
  launch_server "$dir" "$port" "$mariadbd" "$admin"
  log "ready again (pid $(cat "$dir/launcher.pid"))"
  echo "mysql://$DB_USER:$DB_PASSWORD@127.0.0.1:$port/$DB_NAME"
}

start_server() {
  local dir=$1 port=$2
  [[ "$port" =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || die "bad port: $port"

  local mariadbd install_db admin client
  mariadbd=$(find_bin mariadbd mysqld) || die "mariadbd not found (apt-get install mariadb-server)"
  install_db=$(find_bin mariadb-install-db mysql_install_db) || die "mariadb-install-db not found"
  admin=$(find_bin mariadb-admin mysqladmin) || die "mariadb-admin not found (apt-get install mariadb-client)"
  client=$(find_bin mariadb mysql) || die "mariadb client not found (apt-get install mariadb-client)"

  local sock="$dir/mysqld.sock"
  # a unix socket path must fit in sun_path (108 bytes with the NUL)
  ((${#sock} < 100)) || die "socket path too long (${#sock} chars): $sock; use a shorter DIR"

  # an old instance from the same DIR: stop it first
  if [[ -e "$dir" ]]; then
    stop_server "$dir"
    if [[ -n "$(ls -A "$dir" 2>/dev/null)" && ! -e "$dir/$MARKER" ]]; then
      die "$dir exists, is not empty and was not made by this script; refusing to wipe it"
    fi
    rm -rf "$dir"
  fi
  mkdir -p "$dir/data" "$dir/tmp"
  : >"$dir/$MARKER"

  local t0=$SECONDS
  log "initialising datadir $dir/data"
  if ! "$install_db" --no-defaults --user=root --datadir="$dir/data" \
    --auth-root-authentication-method=normal --skip-test-db \
    >"$dir/install-db.log" 2>&1; then
    show_log "$dir/install-db.log"
    die "mariadb-install-db failed"
  fi

  launch_server "$dir" "$port" "$mariadbd" "$admin"

  log "creating database $DB_NAME and user $DB_USER"
  if ! "$client" --no-defaults --socket="$sock" -uroot >&2 <<SQL; then
CREATE DATABASE \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL ON \`$DB_NAME\`.* TO '$DB_USER'@'%', '$DB_USER'@'127.0.0.1';
GRANT ALL ON \`contacts\\_test%\`.* TO '$DB_USER'@'%', '$DB_USER'@'127.0.0.1';
SQL
    show_log "$dir/error.log"
    stop_server "$dir" || true
    die "could not create the database or user"
  fi

  log "ready in $((SECONDS - t0))s (pid $(cat "$dir/launcher.pid"), socket $sock, log $dir/error.log)"
  echo "mysql://$DB_USER:$DB_PASSWORD@127.0.0.1:$port/$DB_NAME"
}

cmd=${1:-}
case "$cmd" in
start)
  [[ $# -eq 3 ]] || usage
  dir=$(abs_dir "$2")
  [[ "$dir" != / && -n "$2" ]] || die "refusing to use DIR '$2'"
  start_server "$dir" "$3"
  ;;
resume)
  [[ $# -eq 3 ]] || usage
  dir=$(abs_dir "$2")
  [[ "$dir" != / && -n "$2" ]] || die "refusing to use DIR '$2'"
  resume_server "$dir" "$3"
  ;;
stop)
  [[ $# -eq 2 ]] || usage
  dir=$(abs_dir "$2")
  [[ "$dir" != / && -n "$2" ]] || die "refusing to use DIR '$2'"
  [[ -d "$dir" ]] || {
    log "no such directory: $dir"
    exit 0
  }
  stop_server "$dir"
  ;;
*)
  usage
  ;;
esac
