#!/usr/bin/env bash
# Throwaway 3-node MariaDB Galera cluster on loopback with HAProxy in front (round robin: every
# node takes writes), for the cluster suite (no systemd, works as root; mariadbd runs as the
# mysql user, which rsync SST needs). Facts behind the settings: /work/shared/notes/galera.md.
#
#   test/support/galera.sh start DIR [BASE]      # wipes DIR, starts the cluster, prints ONE line
#                                                # on stdout: the URL through HAProxy
#   test/support/galera.sh stop DIR              # stops HAProxy and the nodes
#   test/support/galera.sh kill-node DIR N       # SIGKILL node N (1-3)
#   test/support/galera.sh restart-node DIR N    # starts node N again (position recovered first: IST)
#   test/support/galera.sh node-url DIR N        # the URL of node N directly (bypassing HAProxy)
#   test/support/galera.sh isolate-node DIR N    # cuts node N off the others (gmcast.isolate=1): it
#                                                # leaves the Primary component, its SQL port stays open
#   test/support/galera.sh rejoin-node DIR N     # ends the isolation and waits until N is Synced again
#   test/support/galera.sh haproxy-status DIR    # one line per node: its name and HAProxy's status (UP, DOWN)
#   test/support/galera.sh sql DIR N SQL         # runs SQL on node N as root (its socket), prints rows
#
# Ports (BASE defaults to 23300; all outside the ephemeral range 32768-60999): HAProxy BASE,
# SQL BASE+6..8, gcomm BASE+711..713, IST BASE+721..723, SST BASE+731..733.
# Everything except the URL goes to stderr; the servers' output goes to files in DIR.
set -euo pipefail

DB_NAME=contacts_test
DB_USER=contacts
DB_PASSWORD=contacts-test-pw
CHECK_USER=haproxy_check
MARKER=.throwaway-galera
START_TIMEOUT_S=60
STOP_TIMEOUT_S=15
PROVIDER=/usr/lib/galera/libgalera_smm.so

log() { printf 'galera.sh: %s\n' "$*" >&2; }
# shellcheck source=process-control.sh
source "$(dirname "${BASH_SOURCE[0]}")/process-control.sh"
since() { # seconds since a `date +%s%N` stamp, to 0.1 s (no bc on a bare machine)
  local ds=$((($(date +%s%N) - $1) / 100000000))
  echo "$((ds / 10)).$((ds % 10))"
}
die() {
  log "ERROR: $*"
  exit 1
}
usage() {
  sed -n '6,16p' "$0" >&2
  exit 2
}

# A process of ours: its command line names DIR (guards against recycled pids).
is_ours() {
  local pid=$1 dir=$2 cmdline
  alive "$pid" || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline" == *"$dir/"* ]]
}

base_of() { cat "$1/base"; }
sql_port() { echo $(($(base_of "$1") + 5 + $2)); }

write_node_config() { # DIR N
  local dir=$1 n=$2 base
  base=$(base_of "$dir")
  local nd="$dir/node$n"
  cat >"$nd/my.cnf" <<EOF
[mysqld]
user=mysql
datadir=$nd/data
tmpdir=$nd/tmp
socket=$nd/mysqld.sock
pid-file=$nd/mariadbd.pid
log-error=$nd/error.log
bind-address=127.0.0.1
port=$((base + 5 + n))
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=128M
innodb_log_file_size=32M
innodb_flush_log_at_trx_commit=2
wsrep_on=ON
wsrep_provider=$PROVIDER
wsrep_cluster_name=contacts_test_cluster
wsrep_cluster_address=gcomm://127.0.0.1:$((base + 711)),127.0.0.1:$((base + 712)),127.0.0.1:$((base + 713))
wsrep_node_name=node$n
wsrep_node_address=127.0.0.1:$((base + 710 + n))
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:$((base + 710 + n));ist.recv_addr=127.0.0.1:$((base + 720 + n));gcache.size=64M"
wsrep_sst_receive_address=127.0.0.1:$((base + 730 + n))
wsrep_sst_method=rsync
EOF
}

# launch DIR N [extra mariadbd options...]: starts node N, in the background, its pid in nodeN/launcher.pid
launch() {
  local dir=$1 n=$2
  shift 2
  local nd="$dir/node$n"
  rm -f "$nd/mysqld.sock" "$nd/mysqld.sock.lock"
  setsid /usr/sbin/mariadbd --defaults-file="$nd/my.cnf" "$@" </dev/null >>"$nd/mariadbd.out" 2>&1 &
  echo $! >"$nd/launcher.pid"
}

# wait_synced DIR N: until node N answers and is Synced (wsrep_local_state 4) in a Primary component.
wait_synced() {
  local dir=$1 n=$2 i state pid
  local nd="$dir/node$n"
  pid=$(cat "$nd/launcher.pid")
  for ((i = 0; i < START_TIMEOUT_S * 5; i++)); do
    state=$(mariadb --no-defaults --socket="$nd/mysqld.sock" -uroot --connect-timeout=1 -N -B \
      -e "SELECT GROUP_CONCAT(VARIABLE_VALUE ORDER BY VARIABLE_NAME) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('WSREP_LOCAL_STATE','WSREP_CLUSTER_STATUS')" 2>/dev/null || true)
    [[ "$state" == "Primary,4" ]] && return 0
    if ! alive "$pid"; then
      wait "$pid" 2>/dev/null || true
      show_log "$nd/error.log" 40
      die "node $n exited during startup"
    fi
    sleep 0.2
  done
  show_log "$nd/error.log" 40
  die "node $n not synced within ${START_TIMEOUT_S}s"
}

stop_node() { # DIR N [SIGNAL]
  local dir=$1 n=$2 sig=${3:-TERM} pid=""
  local nd="$dir/node$n"
  [[ -f "$nd/launcher.pid" ]] && pid=$(tr -dc '0-9' <"$nd/launcher.pid")
  if [[ -z "$pid" ]] || ! is_ours "$pid" "$dir"; then
    rm -f "$nd/launcher.pid"
    return 0
  fi
  terminate "$pid" "$sig" "$STOP_TIMEOUT_S" "node $n" || true
  rm -f "$nd/launcher.pid"
}

start_haproxy() {
  local dir=$1 base
  base=$(base_of "$dir")
  cat >"$dir/wsrep-check.sh" <<EOF
#!/bin/sh
# HAProxy external check (args: proxy addr, proxy port, server addr, server port): UP only when
# the node is Synced (4), ready, and in the Primary component. A plain TCP or mysql-check keeps
# an isolated node UP, and every query there fails with 1047.
# A check that hangs (a node busy joining) counts as failed after 2 s. Failures are logged.
out=\$(timeout 2 mariadb --no-defaults -h "\$3" -P "\$4" -u $CHECK_USER --connect-timeout=1 -N -B -e "SELECT GROUP_CONCAT(VARIABLE_VALUE ORDER BY VARIABLE_NAME) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('WSREP_CLUSTER_STATUS','WSREP_LOCAL_STATE','WSREP_READY')" 2>&1)
[ "\$out" = "Primary,4,ON" ] && exit 0
echo "\$(date +%T.%N) \$4 \$out" >>$dir/wsrep-check.log
exit 1
EOF
  chmod 755 "$dir/wsrep-check.sh"
  cat >"$dir/haproxy.cfg" <<EOF
global
  external-check
  insecure-fork-wanted
  maxconn 2000
  stats socket $dir/haproxy.sock mode 600 level user

defaults
  mode tcp
  timeout connect 2s
  timeout check 3s
  # Longer than the service pool's idle time: idle pooled connections are never cut.
  timeout client 1h
  timeout server 1h

listen galera
  bind 127.0.0.1:$base
  balance roundrobin
  option external-check
  external-check path "/usr/bin:/bin"
  external-check command $dir/wsrep-check.sh
  default-server check inter 500ms fall 2 rise 2 on-marked-down shutdown-sessions
  server node1 127.0.0.1:$((base + 6))
  server node2 127.0.0.1:$((base + 7))
  server node3 127.0.0.1:$((base + 8))
EOF
  setsid /usr/sbin/haproxy -db -f "$dir/haproxy.cfg" </dev/null >>"$dir/haproxy.out" 2>&1 &
  echo $! >"$dir/haproxy.pid"
  local i
  for ((i = 0; i < 50; i++)); do
    if mariadb --no-defaults -h127.0.0.1 -P"$base" -u"$DB_USER" -p"$DB_PASSWORD" --connect-timeout=1 -e 'SELECT 1' "$DB_NAME" >/dev/null 2>&1; then return 0; fi
    alive "$(cat "$dir/haproxy.pid")" || { show_log "$dir/haproxy.out" 40; die "haproxy exited"; }
    sleep 0.2
  done
  show_log "$dir/haproxy.out" 40
  die "HAProxy did not pass a connection within 10s"
}

stop_all() {
  local dir=$1 pid
  if [[ -f "$dir/haproxy.pid" ]]; then
    pid=$(tr -dc '0-9' <"$dir/haproxy.pid")
    if is_ours "$pid" "$dir"; then
      kill -TERM "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.1; done
    fi
    rm -f "$dir/haproxy.pid"
  fi
  # The last node stopped cleanly is the one safe to bootstrap from.
  for n in 3 2 1; do stop_node "$dir" "$n" TERM; done
}

start_cluster() {
  local dir=$1 base=$2
  [[ "$base" =~ ^[0-9]+$ ]] && ((base > 1024 && base + 733 < 32768)) || die "bad BASE: $base (ports BASE..BASE+733 must stay below 32768)"
  [[ -x /usr/sbin/mariadbd && -f $PROVIDER && -x /usr/sbin/haproxy ]] || die "needs mariadb-server, galera-4, haproxy, rsync, socat (apt-get install)"
  command -v rsync >/dev/null || die "rsync not found"
  if [[ -e "$dir" ]]; then
    [[ -e "$dir/$MARKER" || -z "$(ls -A "$dir" 2>/dev/null)" ]] || die "$dir exists and was not made by galera.sh; refusing to wipe it"
    [[ -f "$dir/base" ]] && stop_all "$dir"
    rm -rf "$dir"
  fi
  mkdir -p "$dir"
  chmod 755 "$dir"
  if command -v runuser >/dev/null && ! runuser -u mysql -- test -x "$dir"; then
    die "the mysql user cannot reach $dir (a parent folder is not traversable: chmod 755 it)"
  fi
  : >"$dir/$MARKER"
  echo "$base" >"$dir/base"
  local t0 n
  t0=$(date +%s%N)
  for n in 1 2 3; do
    mkdir -p "$dir/node$n/tmp"
    write_node_config "$dir" "$n"
  done

  log "initialising node 1"
  mariadb-install-db --no-defaults --user=mysql --datadir="$dir/node1/data" --auth-root-authentication-method=normal --skip-test-db >"$dir/install-db.log" 2>&1 ||
    { show_log "$dir/install-db.log" 40; die "mariadb-install-db failed"; }
  chown -R mysql:mysql "$dir"/node*
  log "bootstrapping node 1"
  launch "$dir" 1 --wsrep-new-cluster
  wait_synced "$dir" 1
  mariadb --no-defaults --socket="$dir/node1/mysqld.sock" -uroot >&2 <<SQL || die "could not create the database or users"
CREATE DATABASE \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
CREATE USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL ON \`$DB_NAME\`.* TO '$DB_USER'@'%', '$DB_USER'@'127.0.0.1';
GRANT ALL ON \`contacts\\_test%\`.* TO '$DB_USER'@'%', '$DB_USER'@'127.0.0.1';
CREATE USER '$CHECK_USER'@'127.0.0.1';
SQL
  # Joiners start from a copy of node 1's datadir taken after a clean stop: they catch up by
  # IST (seconds) instead of a full state transfer.
  stop_node "$dir" 1 TERM
  for n in 2 3; do cp -a "$dir/node1/data" "$dir/node$n/data"; done
  launch "$dir" 1 --wsrep-new-cluster
  wait_synced "$dir" 1
  for n in 2 3; do
    log "joining node $n"
    launch "$dir" "$n"
    wait_synced "$dir" "$n"
  done
  start_haproxy "$dir"
  log "ready in $(since "$t0")s (SQL ports $((base + 6))-$((base + 8)), HAProxy $base, logs in $dir/node*/error.log)"
  echo "mysql://$DB_USER:$DB_PASSWORD@127.0.0.1:$base/$DB_NAME"
}

restart_node() {
  local dir=$1 n=$2 pos t0
  local nd="$dir/node$n"
  stop_node "$dir" "$n" KILL
  t0=$(date +%s%N)
  # After a SIGKILL grastate.dat has seqno -1: recover the position, then start from it (IST).
  rm -f "$nd/recover.log"
  /usr/sbin/mariadbd --defaults-file="$nd/my.cnf" --wsrep-recover --log-error="$nd/recover.log" </dev/null >/dev/null 2>&1 || true
  pos=$(sed -n 's/.*WSREP: Recovered position: *\([^ ]*\).*/\1/p' "$nd/recover.log" | tail -n 1)
  if [[ -n "$pos" ]]; then
    launch "$dir" "$n" --wsrep-start-position="$pos"
  else
    launch "$dir" "$n"
  fi
  wait_synced "$dir" "$n"
  log "node $n synced again in $(since "$t0")s (recovered position ${pos:-none})"
}

# root_sql DIR N SQL: runs SQL on node N as root, through its socket.
root_sql() {
  mariadb --no-defaults --socket="$1/node$2/mysqld.sock" -uroot --connect-timeout=2 -N -B -e "$3"
}

# isolate_node DIR N: node N drops its group connections and refuses new ones; the others
# evict it (the Primary component stays with the majority), and it becomes non-Primary.
isolate_node() {
  local dir=$1 n=$2 i state
  root_sql "$dir" "$n" "SET GLOBAL wsrep_provider_options='gmcast.isolate=1'" || die "could not isolate node $n"
  for ((i = 0; i < START_TIMEOUT_S * 5; i++)); do
    state=$(root_sql "$dir" "$n" "SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_CLUSTER_STATUS'" 2>/dev/null || true)
    [[ -n "$state" && "$state" != Primary ]] && { log "node $n isolated ($state)"; return 0; }
    sleep 0.2
  done
  die "node $n still Primary ${START_TIMEOUT_S}s after its isolation"
}

rejoin_node() {
  local dir=$1 n=$2 t0
  t0=$(date +%s%N)
  root_sql "$dir" "$n" "SET GLOBAL wsrep_provider_options='gmcast.isolate=0'" || die "could not end the isolation of node $n"
  wait_synced "$dir" "$n"
  log "node $n synced again in $(since "$t0")s after its isolation ended"
}

haproxy_status() {
  local dir=$1
  [[ -S "$dir/haproxy.sock" ]] || die "no HAProxy stats socket in $dir"
  echo "show stat" | socat -t 2 - "UNIX-CONNECT:$dir/haproxy.sock" | awk -F, '$1 == "galera" && $2 ~ /^node/ { print $2, $18 }'
}

cmd=${1:-}
case "$cmd" in
start)
  [[ $# -eq 2 || $# -eq 3 ]] || usage
  dir=$(abs_dir "$2")
  [[ "$dir" != / && -n "$2" ]] || die "refusing to use DIR '$2'"
  start_cluster "$dir" "${3:-23300}"
  ;;
stop)
  [[ $# -eq 2 ]] || usage
  dir=$(abs_dir "$2")
  [[ -f "$dir/base" ]] || { log "no cluster in $dir"; exit 0; }
  stop_all "$dir"
  log "stopped"
  ;;
haproxy-status)
  [[ $# -eq 2 ]] || usage
  haproxy_status "$(abs_dir "$2")"
  ;;
sql)
  [[ $# -eq 4 && "$3" =~ ^[123]$ ]] || usage
  root_sql "$(abs_dir "$2")" "$3" "$4"
  ;;
kill-node | restart-node | node-url | isolate-node | rejoin-node)
  [[ $# -eq 3 && "$3" =~ ^[123]$ ]] || usage
  dir=$(abs_dir "$2")
  [[ -f "$dir/base" ]] || die "no cluster in $dir"
  case "$cmd" in
  kill-node) stop_node "$dir" "$3" KILL ;;
  restart-node) restart_node "$dir" "$3" ;;
  isolate-node) isolate_node "$dir" "$3" ;;
  rejoin-node) rejoin_node "$dir" "$3" ;;
  node-url) echo "mysql://$DB_USER:$DB_PASSWORD@127.0.0.1:$(sql_port "$dir" "$3")/$DB_NAME" ;;
  esac
  ;;
*)
  usage
  ;;
esac
