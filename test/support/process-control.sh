# Process control shared by the throwaway-server scripts (mariadb.sh, galera.sh); sourced, not run.
# The caller defines log() (its own prefix) before using these.

alive() { # a live (not zombie) process?
  local pid=$1 stat state
  [[ -n "$pid" && "$pid" =~ ^[0-9]+$ ]] || return 1
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  state=${stat##*) } # the field after "(comm) ", comm may contain spaces or ')'
  state=${state%% *}
  [[ "$state" != Z && "$state" != X && "$state" != x ]]
}

abs_dir() { # absolute path of DIR (which need not exist yet)
  local d=$1
  [[ "$d" == /* ]] || d="$PWD/$d"
  # strip trailing slashes (but keep "/")
  while [[ "$d" == */ && "$d" != / ]]; do d=${d%/}; done
  echo "$d"
}

show_log() { # FILE [LINES]: the last lines of FILE on stderr, if it has any
  local file=$1 lines=${2:-60}
  [[ -s "$file" ]] || return 0
  log "---- last lines of $file ----"
  tail -n "$lines" "$file" >&2 || true
  log "---- end of $file ----"
}

terminate() { # PID SIGNAL TIMEOUT_S LABEL: signal, wait, then KILL; false if it still lives
  local pid=$1 sig=$2 timeout_s=$3 label=$4 i
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout_s * 10; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  log "$label (pid $pid) still running after ${timeout_s}s, sending KILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    alive "$pid" || return 0
    sleep 0.1
  done
  return 1
}
