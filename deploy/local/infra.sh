#!/usr/bin/env bash
# Local infrastructure as plain processes (no Docker on our machines): PostgreSQL, Redis, two Kafka clusters and
# the backup mirror between them (MirrorMaker 2).
#
#   bash deploy/local/infra.sh start|stop|status [postgres redis kafka-primary kafka-backup kafka-mirror]   (default: all)
#   bash deploy/local/infra.sh secrets    (only generate the secrets; docker-compose.yml's `secrets` job)
#
# State lives in ${CRM_STATE_DIR:-<repo>/.crm}; $CRM_STATE_DIR/infra.env is what the Node launcher sources.
# See deploy/local/README.md.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=postgres.sh
source "$here/postgres.sh"
# shellcheck source=redis.sh
source "$here/redis.sh"
# shellcheck source=kafka.sh
source "$here/kafka.sh"
# shellcheck source=mirror.sh
source "$here/mirror.sh"

usage() {
  cat >&2 <<EOF
usage: bash deploy/local/infra.sh start|stop|status [component...] | secrets
components: ${CRM_COMPONENTS[*]} (default: all)
state dir:  $S (CRM_STATE_DIR)
EOF
  exit 2
}

comp_is_up() {
  case $1 in
    postgres) pg_is_up ;;
    redis) redis_is_up ;;
    kafka-mirror) mirror_is_up ;;
    kafka-*) kafka_is_up "$1" ;;
  esac
}

# A process of ours exists, ready or not (what `stop` has to deal with).
comp_running() {
  case $1 in
    postgres) pg_running ;;
    redis) redis_ours_alive ;;
    kafka-mirror) mirror_ours_alive ;;
    kafka-*) kafka_ours_alive "$(kafka_cluster "$1")" ;;
  esac
}

comp_addr() {
  case $1 in
    postgres) pg_addr ;;
    redis) redis_addr ;;
    kafka-mirror) mirror_addr ;;
    kafka-*) kafka_addr "$(kafka_cluster "$1")" ;;
  esac
}

comp_start() {
  case $1 in
    postgres) pg_start ;;
    redis) redis_start ;;
    kafka-mirror) mirror_start ;;
    kafka-*) kafka_start "$1" ;;
  esac
}

comp_stop() {
  case $1 in
    postgres) pg_stop ;;
    redis) redis_stop ;;
    kafka-mirror) mirror_stop ;;
    kafka-*) kafka_stop "$1" ;;
  esac
}

comp_ports() {
  case $1 in
    postgres) printf '%s postgres CRM_PG_PORT\n' "$CRM_PG_PORT" ;;
    redis) printf '%s redis CRM_REDIS_PORT\n' "$CRM_REDIS_PORT" ;;
    kafka-mirror) printf '%s kafka-mirror CRM_KAFKA_MIRROR_PORT\n' "$CRM_KAFKA_MIRROR_PORT" ;;
    kafka-*)
      local c var i
      c=$(kafka_cluster "$1")
      var=$(kafka_port_var "$c")
      for i in $(kafka_brokers "$c"); do
        printf '%s %s %s\n' "$(kafka_port "$c" "$i")" "$1$(kafka_suffix "$i")" "$var(+$((2 * (i - 1))))"
        printf '%s %s %s\n' "$(kafka_controller_port "$c" "$i")" "$1$(kafka_suffix "$i")-controller" "$var(+$((2 * i - 1)))"
      done
      ;;
  esac
}

print_up() { printf '%-14s %-5s %s\n' "$1" up "$(comp_addr "$1")"; }

# Installs what the requested components need (root on Debian/Ubuntu) or names it, before anything starts.
preflight_packages() {
  local c pkgs=() need_java=0 java major redis_was_installed=1
  for c in "$@"; do
    case $c in
      postgres)
        pg_installed || pkgs+=(postgresql)
        pgbr_installed || pkgs+=(pgbackrest)
        ;;
      redis) redis_installed || { pkgs+=(redis-server); redis_was_installed=0; } ;;
      kafka-*) need_java=1 ;;
    esac
  done
  if ((need_java)); then
    java=$(java_bin)
    major=
    [[ -n $java ]] && major=$(java_major "$java")
    # An explicit JAVA_HOME is the user's choice: report it if too old rather than install beside it.
    if [[ -z ${JAVA_HOME:-} ]] && { [[ -z $major ]] || ((major < 17)); }; then pkgs+=(openjdk-17-jre-headless); fi
    if { ! kafka_lib_ready || ! mirror_lib_ready; } && ! command -v mvn >/dev/null 2>&1; then pkgs+=(maven); fi
  fi
  install_packages "${pkgs[@]}"
  # Belt and braces for hosts without our policy-rc.d guard: the package's own redis must not keep running.
  if ((redis_was_installed == 0)) && pid_alive "$(read_pidfile /run/redis/redis-server.pid)"; then
    note "stopping the redis-server system service that the package started (we run our own instance)"
    kill -TERM "$(read_pidfile /run/redis/redis-server.pid)" || true
  fi
  if ((need_java)); then kafka_require_java; fi
}

# Fails fast, before anything starts, when a port we need belongs to someone else. The start functions check
# again (a race is possible), but this keeps the common mistake from starting and rolling back a whole stack.
preflight_ports() {
  local c port what fix
  for c in "$@"; do
    # Ours but not ready (hung, or on another port): its start function says so more precisely.
    if comp_running "$c"; then continue; fi
    while read -r port what fix; do
      require_free_port "$port" "$what" "$fix"
    done < <(comp_ports "$c")
  done
}

# Stops the given components in parallel (each stop is idempotent).
stop_parallel() {
  local c
  local -A pids=()
  for c in "$@"; do
    (comp_stop "$c") &
    pids[$c]=$!
  done
  for c in "$@"; do wait "${pids[$c]}" || true; done
}

# Ctrl-C (or SIGTERM) half-way through `start`: background jobs ignore SIGINT, so end the start jobs ourselves,
# then stop whatever they had launched. Best effort: a server whose launcher was mid-way (pg_ctl, say) may still
# come up a moment later; `infra.sh stop` cleans that up.
on_interrupt() {
  local pid
  trap '' INT TERM
  note "interrupted; stopping ${START_TODO[*]}"
  if [[ -r $START_TMP/pids ]]; then
    while read -r pid; do kill -TERM "$pid" 2>/dev/null || true; done <"$START_TMP/pids"
  fi
  wait || true
  stop_parallel "${START_TODO[@]}"
  exit 130
}

# The secrets the servers need before they start (the Kafka principals' are made when a cluster starts).
ensure_infra_secrets() {
  pg_ensure_secrets
  ensure_secret "$S/secrets/redis.password"
  # The key vault's own backup is sealed under this key, apart from the pgBackRest repository's cipher (docs/backup.md).
  ensure_key_secret "$S/secrets/vault-backup.key"
  # The analytics streams' pseudonyms are HMACs under this key, held by contacts alone (docs/analytics.md).
  ensure_key_secret "$S/secrets/analytics.key"
}

# `infra.sh secrets`: every secret the infrastructure generates (the Postgres roles', Redis's, the keys, every Kafka
# principal's and the Kafka tools' client settings), without starting anything. docker-compose.yml's `secrets` job
# runs it, so compose's secrets are the local ones, by the same code. Existing files are kept.
cmd_secrets() {
  ensure_secrets_dir "$S/secrets"
  # Locally pg_initdb makes it; a server started by someone else (compose's postgres image) reads it from here.
  ensure_secret "$S/secrets/postgres-superuser.password"
  ensure_infra_secrets
  kafka_ensure_credentials
  printf 'secrets in %s\n' "$S/secrets"
}

cmd_start() {
  local comps=("$@") todo=() kafka=() others=() failed=() c tmp kafka_group_pid mirror=0
  local -A pids=()
  if [[ " ${comps[*]} " == *" kafka-primary "* ]] && ! kafka_count_ok; then return 1; fi
  ensure_state_layout
  ensure_infra_secrets
  write_infra_env

  for c in "${comps[@]}"; do
    if comp_is_up "$c"; then continue; fi
    todo+=("$c")
    case $c in kafka-mirror) mirror=1 ;; kafka-*) kafka+=("$c") ;; *) others+=("$c") ;; esac
  done
  if [[ " ${comps[*]} " == *" postgres "* && " ${todo[*]} " != *" postgres "* ]]; then
    pg_ensure_roles_and_databases # cheap; recreates a database someone dropped
    # A cluster started by someone else on our data directory (a live restore's pg_ctl) gets its pidfile, so the
    # platform's supervisor watches it like one started here.
    pg_postmaster_pid >"$S/run/postgres.pid"
  fi
  if ((${#todo[@]} == 0)); then
    for c in "${comps[@]}"; do print_up "$c"; done
    return 0
  fi
  preflight_packages "${todo[@]}"
  preflight_ports "${todo[@]}"

  tmp=$(mktemp -d)
  START_TMP=$tmp
  START_TODO=("${todo[@]}")
  trap 'rm -rf "$START_TMP"' EXIT
  trap on_interrupt INT TERM

  # Each start runs as a plain background job and reports through `wait`: this keeps errexit effective inside
  # the start functions (see lib.sh). Kafka first resolves its jars, in parallel with Postgres and Redis.
  for c in "${others[@]}"; do
    (comp_start "$c") 2>"$tmp/$c.err" &
    pids[$c]=$!
    echo "$!" >>"$tmp/pids"
  done
  # Kafka first resolves its jars (the mirror's in parallel), starts the brokers, then the mirror between them.
  if ((${#kafka[@]} || mirror)); then
    (
      if ((mirror)); then
        (mirror_ensure_lib) 2>"$tmp/mirror-lib.err" &
        mirror_lib_pid=$!
      fi
      kafka_ensure_lib
      declare -A kpids=()
      for c in "${kafka[@]}"; do
        (comp_start "$c") 2>"$tmp/$c.err" &
        kpids[$c]=$!
        echo "$!" >>"$tmp/pids"
      done
      for c in "${kafka[@]}"; do
        if wait "${kpids[$c]}"; then echo 0 >"$tmp/$c.rc"; else echo 1 >"$tmp/$c.rc"; fi
      done
      if ((mirror)); then
        echo 1 >"$tmp/kafka-mirror.rc"
        if ! wait "$mirror_lib_pid"; then
          cat "$tmp/mirror-lib.err" >"$tmp/kafka-mirror.err"
        elif grep -qx 1 "$tmp"/kafka-primary.rc "$tmp"/kafka-backup.rc 2>/dev/null; then
          err "kafka-mirror not started: a Kafka cluster it mirrors between failed to start" 2>"$tmp/kafka-mirror.err"
        else
          (comp_start kafka-mirror) 2>"$tmp/kafka-mirror.err" && echo 0 >"$tmp/kafka-mirror.rc"
        fi
      fi
    ) 2>"$tmp/kafka-lib.err" &
    kafka_group_pid=$!
    echo "$!" >>"$tmp/pids"
  fi
  for c in "${others[@]}"; do
    if wait "${pids[$c]}"; then echo 0 >"$tmp/$c.rc"; else echo 1 >"$tmp/$c.rc"; fi
  done
  if [[ -n ${kafka_group_pid:-} ]]; then wait "$kafka_group_pid" || true; fi

  for c in "${todo[@]}"; do
    [[ $(cat "$tmp/$c.rc" 2>/dev/null) == 0 ]] || failed+=("$c")
  done
  if ((${#failed[@]} == 0)); then
    trap - INT TERM
    write_infra_env # again: a first start may have moved the cluster (and pgBackRest's configuration) to /var/tmp
    for c in "${comps[@]}"; do print_up "$c"; done
    return 0
  fi

  # One problem, one message: a jar resolution failure explains both Kafka clusters at once.
  [[ -s $tmp/kafka-lib.err ]] && cat "$tmp/kafka-lib.err" >&2
  for c in "${failed[@]}"; do
    [[ -s $tmp/$c.err ]] && cat "$tmp/$c.err" >&2
  done
  note "start failed (${failed[*]}); stopping what this run started: ${todo[*]}"
  stop_parallel "${todo[@]}"
  trap - INT TERM
  return 1
}

cmd_stop() {
  local c
  local -a running=()
  for c in "$@"; do
    if comp_running "$c"; then running+=("$c"); fi
  done
  # The mirror first: stopped after the brokers, it would spend its 30 s grace period reconnecting.
  if [[ " ${running[*]} " == *" kafka-mirror "* ]]; then comp_stop kafka-mirror; fi
  if ((${#running[@]})); then stop_parallel "${running[@]}"; fi
  for c in "$@"; do
    if comp_running "$c"; then
      printf '%-14s %s\n' "$c" "still running (see $S/logs)"
    elif [[ " ${running[*]} " == *" $c "* ]]; then
      printf '%-14s %s\n' "$c" stopped
    else
      printf '%-14s %s\n' "$c" down
    fi
  done
  for c in "$@"; do
    if comp_running "$c"; then return 1; fi
  done
}

cmd_status() {
  local c rc=0
  for c in "$@"; do
    if comp_is_up "$c"; then
      print_up "$c"
    else
      printf '%-14s %s\n' "$c" down
      rc=3
    fi
  done
  return "$rc"
}

# Serialises start/stop across concurrent invocations (a test harness and a developer, say).
take_lock() {
  mkdir -p "$S/run"
  exec 9>"$S/run/infra.lock"
  if ! flock -w 300 9; then
    err "another infra.sh start/stop holds $S/run/infra.lock; wait for it to finish"
    exit 1
  fi
}

main() {
  local cmd=${1:-} c known
  local -a comps=()
  [[ -n $cmd ]] || usage
  shift
  for c in "$@"; do
    known=0
    for k in "${CRM_COMPONENTS[@]}"; do [[ $c == "$k" ]] && known=1; done
    ((known)) || { err "unknown component '$c' (known: ${CRM_COMPONENTS[*]})"; exit 2; }
  done
  # Canonical order and no duplicates, whatever order they were given in.
  for c in "${CRM_COMPONENTS[@]}"; do
    if (($# == 0)) || [[ " $* " == *" $c "* ]]; then comps+=("$c"); fi
  done
  exec 8>&2
  case $cmd in
    start) take_lock; cmd_start "${comps[@]}" ;;
    stop) take_lock; cmd_stop "${comps[@]}" ;;
    status) cmd_status "${comps[@]}" ;;
    secrets) cmd_secrets ;;
    -h | --help | help) usage ;;
    *) err "unknown command '$cmd'"; usage ;;
  esac
}

main "$@"
