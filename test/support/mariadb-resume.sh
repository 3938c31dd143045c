#!/usr/bin/env bash
# Starts again a throwaway MariaDB that `mariadb.sh start DIR PORT` made and `mariadb.sh stop DIR`
# stopped, on its existing data (nothing is wiped, unlike `mariadb.sh start`):
#
#   test/support/mariadb-resume.sh DIR PORT   # prints ONE line on stdout: the connection URL
#
# Stop it again with `mariadb.sh stop DIR`. Everything except the URL goes to stderr.
set -euo pipefail

# Must match mariadb.sh.
DB_NAME=contacts_test
DB_USER=contacts
DB_PASSWORD=contacts-test-pw
MARKER=.throwaway-mariadb
START_TIMEOUT_S=30

log() { printf 'mariadb-resume.sh: %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

[[ $# -eq 2 ]] || {
  echo 'usage: mariadb-resume.sh DIR PORT' >&2
  exit 2
}
dir=$1
port=$2
[[ "$dir" == /* ]] || dir="$PWD/$dir"
[[ "$port" =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || die "bad port: $port"
[[ -e "$dir/$MARKER" && -d "$dir/data" ]] || die "$dir is not a datadir made by mariadb.sh start"

find_bin() {
  local name d
  for name in "$@"; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
    for d in /usr/sbin /usr/bin; do
      [[ -x "$d/$name" ]] && {
        echo "$d/$name"
        return 0
      }
    done
  done
  return 1
}

alive() { # a live (not zombie) process; see mariadb.sh
  local pid=$1 stat state
  [[ -n "$pid" && "$pid" =~ ^[0-9]+$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  state=${stat##*) }
  state=${state%% *}
  [[ "$state" != Z && "$state" != X && "$state" != x ]]
}

mariadbd=$(find_bin mariadbd mysqld) || die "mariadbd not found"
admin=$(find_bin mariadb-admin mysqladmin) || die "mariadb-admin not found"
sock="$dir/mysqld.sock"

for f in mariadbd.pid launcher.pid; do
  if [[ -f "$dir/$f" ]] && alive "$(tr -dc '0-9' <"$dir/$f")"; then
    die "a server of $dir is still running (pid $(tr -dc '0-9' <"$dir/$f")); stop it first"
  fi
done
rm -f "$dir/mariadbd.pid" "$dir/launcher.pid" "$sock" "$sock.lock"

log "starting $mariadbd on 127.0.0.1:$port with the data of $dir"
# The same options as mariadb.sh start.
setsid "$mariadbd" --no-defaults --user=root \
  --datadir="$dir/data" --tmpdir="$dir/tmp" \
  --socket="$sock" --pid-file="$dir/mariadbd.pid" --log-error="$dir/error.log" \
  --bind-address=127.0.0.1 --port="$port" --skip-name-resolve \
  --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
  </dev/null >>"$dir/mariadbd.out" 2>&1 &
pid=$!
echo "$pid" >"$dir/launcher.pid"

for ((i = 0; i < START_TIMEOUT_S * 5; i++)); do
  if "$admin" --no-defaults --socket="$sock" -uroot --connect-timeout=2 ping >/dev/null 2>&1; then
    log "ready (pid $pid)"
    echo "mysql://$DB_USER:$DB_PASSWORD@127.0.0.1:$port/$DB_NAME"
    exit 0
  fi
  if ! alive "$pid"; then
    wait "$pid" 2>/dev/null || true
    tail -n 40 "$dir/error.log" >&2 || true
    die "mariadbd exited during startup (is port $port in use?)"
  fi
  sleep 0.2
done
tail -n 40 "$dir/error.log" >&2 || true
die "mariadbd did not answer ping within ${START_TIMEOUT_S}s"
