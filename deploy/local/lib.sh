# shellcheck shell=bash disable=SC2034 # the variables set here are used by the scripts that source this file
# Shared helpers for deploy/local/*.sh. Sourced, never executed.
#
# A note on errexit: bash ignores `set -e` inside any function that is called from a condition (`if f`, `f || x`),
# so component start functions are only ever called plainly, in background subshells whose exit status is
# collected with `wait`. Predicates (`*_is_up`, `port_*`) are written to be safe in conditions.

CRM_LOCAL_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
CRM_REPO_ROOT=$(cd "$CRM_LOCAL_DIR/../.." && pwd -P)
CRM_KAFKA_DEPLOY_DIR="$CRM_REPO_ROOT/deploy/kafka"

# realpath -m: absolute even when relative to the caller's cwd, and no need for the directory to exist yet
# (status/stop must not create it).
S=$(realpath -m "${CRM_STATE_DIR:-$CRM_REPO_ROOT/.crm}")
CRM_PG_PORT=${CRM_PG_PORT:-55432}
CRM_REDIS_PORT=${CRM_REDIS_PORT:-56379}
CRM_KAFKA_PRIMARY_PORT=${CRM_KAFKA_PRIMARY_PORT:-9092}
CRM_KAFKA_BACKUP_PORT=${CRM_KAFKA_BACKUP_PORT:-19092}
# Snapshots of the databases (pgBackRest repository): in production another host or volume ("another server room").
CRM_BACKUP_DIR=$(realpath -m "${CRM_BACKUP_DIR:-$S/backups}")
# The mirror's internal REST endpoint (exactly-once task fencing); next to the backup broker's controller port.
CRM_KAFKA_MIRROR_PORT=${CRM_KAFKA_MIRROR_PORT:-$((CRM_KAFKA_BACKUP_PORT + 2))}

CRM_COMPONENTS=(postgres redis kafka-primary kafka-backup kafka-mirror)

# infra.sh collects each component's stderr in a file and prints it after all parallel starts finish (no
# interleaving). Progress notes should appear live instead, so they go to fd 8, which infra.sh points at the
# terminal's stderr. Daemons are launched with fds 8 and 9 (9: infra.sh's lock) closed, so they hold neither
# the lock nor a caller's pipe (`infra.sh start | tee` would otherwise never see EOF).
err() { printf 'error: %s\n' "$*" >&2; }
note() {
  if { true >&8; } 2>/dev/null; then printf '%s\n' "$*" >&8; else printf '%s\n' "$*" >&2; fi
}
is_root() { [[ $(id -u) -eq 0 ]]; }

# A private directory (mode 700) for $2 at a path others can predict (under /var/tmp), made safely as root: a
# symbolic link planted there is refused rather than followed (chown/chmod through it would hand any target to $2),
# and so is a directory someone else made; it is created with mkdir -m 700, never mkdir -p.
private_dir() {
  local dir=$1 owner=$2 holder
  if [[ -L $dir ]]; then err "$dir is a symbolic link; refusing to follow it (remove it if it is not yours)"; return 1; fi
  if [[ -e $dir ]]; then
    [[ -d $dir ]] || { err "$dir exists and is not a directory"; return 1; }
    holder=$(stat -c %U "$dir")
    [[ $holder == "$owner" || $holder == root ]] || { err "$dir belongs to $holder, not $owner; refusing to use it"; return 1; }
  else
    mkdir -m 700 "$dir" || return 1
  fi
  chown -h "$owner:$owner" "$dir" && chmod 700 "$dir"
}
is_debian_like() { [[ -r /etc/debian_version ]] && command -v apt-get >/dev/null 2>&1; }

# Last lines of a log, indented so they read as detail under the one-line error. With a byte offset, only what
# was logged since then (this start, not the previous one).
log_tail() {
  local file=$1 lines=${2:-15} from=${3:-1}
  [[ -s $file ]] || return 0
  printf '  last lines of %s:\n' "$file" >&2
  tail -c "+$from" "$file" | tail -n "$lines" | sed 's/^/    /' >&2
}

log_size() { if [[ -e $1 ]]; then stat -c %s "$1"; else echo 0; fi; }

now() { date +%s; }

pid_alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

read_pidfile() { [[ -r $1 ]] && head -n1 "$1" | tr -dc '0-9'; }

# True when pid's command line contains the given marker; guards against a stale pidfile whose pid was reused.
pid_matches() {
  local pid=$1 marker=$2
  pid_alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker"
}

# "pid (name)" of whatever listens on TCP port $1 on any address, "" when nothing does. Without root, ss cannot
# name other users' processes; we still report the port as taken.
port_listener() {
  local port=$1 line
  if command -v ss >/dev/null 2>&1; then
    line=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n1) || true
    [[ -n $line ]] || return 0
    if [[ $line =~ users:\(\(\"([^\"]*)\",pid=([0-9]+) ]]; then
      printf '%s (%s)\n' "${BASH_REMATCH[2]}" "${BASH_REMATCH[1]}"
    else
      printf 'another user'\''s process\n'
    fi
  elif (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    printf 'an unknown process\n'
  fi
}

# True when our own pid is the one listening on the port (so a connect reaches us, not an impostor).
port_owned_by() {
  local port=$1 pid=$2
  if command -v ss >/dev/null 2>&1; then
    ss -Hltnp "sport = :$port" 2>/dev/null | grep -q "pid=$pid,"
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# Prints the one-line error and fails when the port is taken by someone else.
require_free_port() {
  local port=$1 what=$2 fix=$3 who
  who=$(port_listener "$port")
  [[ -z $who ]] && return 0
  err "port $port ($what) is in use by pid $who; stop it or set $fix"
  return 1
}

# Hex secret; /dev/urandom keeps this free of an openssl dependency.
new_secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# Creates $1 holding the output of the command that follows, unless it exists (and is not empty). Safe when several
# starts race for the same file (the two Kafka clusters start in parallel and share principals): each writes its own
# temporary file and links it into place, which never replaces an existing file, so every racer ends up reading the
# one that won.
create_secret_once() {
  local file=$1 tmp
  shift
  [[ -s $file ]] && return 0
  tmp=$(umask 077 && mktemp "$file.XXXXXX") || return 1
  if ! "$@" >"$tmp"; then
    rm -f "$tmp"
    return 1
  fi
  ln "$tmp" "$file" 2>/dev/null || [[ -s $file ]] || { rm -f "$tmp"; return 1; }
  rm -f "$tmp"
}

ensure_secret() { create_secret_once "$1" new_secret; }

# A 256-bit key (hex), e.g. the key vault backup's, which must not be the pgBackRest repository's cipher.
new_key_secret() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
ensure_key_secret() { create_secret_once "$1" new_key_secret; }

ensure_state_layout() {
  mkdir -p "$S"/{postgres,redis,kafka/lib,kafka/primary,kafka/backup,kafka/mirror,logs,run}
  ensure_secrets_dir "$S/secrets"
}

# Private when made; an existing one keeps its traverse bit: tools/platform.ts makes it 0711 when the services run
# as their own OS users (tools/secret-access.ts), and a restart of the infrastructure must not lock them out.
ensure_secrets_dir() {
  [[ -d $1 ]] || (umask 077 && mkdir -p "$1")
  chmod go-rw "$1"
}

# The contract with the Node launcher, which sources this file. Rewritten on every start so that port
# overrides take effect; the passwords themselves only ever live in the secrets files.
write_infra_env() {
  local tmp="$S/infra.env.tmp" kv
  {
    printf '# Generated by deploy/local/infra.sh start; do not edit (rewritten on every start).\n'
    for kv in \
      "CRM_STATE_DIR=$S" \
      "CRM_PG_HOST=127.0.0.1" \
      "CRM_PG_PORT=$CRM_PG_PORT" \
      "CRM_PG_USER=crm" \
      "CRM_PG_PASSWORD_FILE=$S/secrets/postgres-crm.password" \
      "CRM_REDIS_HOST=127.0.0.1" \
      "CRM_REDIS_PORT=$CRM_REDIS_PORT" \
      "CRM_REDIS_PASSWORD_FILE=$S/secrets/redis.password" \
      "CRM_KAFKA_PRIMARY_BROKERS=$(kafka_addr primary)" \
      "CRM_KAFKA_BACKUP_BROKERS=$(kafka_addr backup)" \
      "CRM_BACKUP_DIR=$CRM_BACKUP_DIR" \
      "CRM_VAULT_BACKUP_KEY_FILE=$S/secrets/vault-backup.key" \
      "CRM_ANALYTICS_KEY_FILE=$S/secrets/analytics.key" \
      "CRM_PGBACKREST_CONFIG=$(pgbr_conf)" \
      "CRM_PGBACKREST_STANZA=$PGBR_STANZA" \
      "CRM_PG_BIN=$(pg_bin)" \
      "CRM_PG_DATA=$PG_DATA" \
      "CRM_PGBACKREST_USER=$(if is_root; then echo postgres; fi)"; do
      printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"
    done
  } >"$tmp"
  mv "$tmp" "$S/infra.env"
}

# Installs Debian packages when we may (root on Debian/Ubuntu); otherwise names them and fails.
# policy-rc.d keeps postinst scripts from starting the packages' own services (a stray redis on 6379, a
# default postgres cluster on 5432): we run private instances and want nothing else listening.
APT_UPDATED=0
install_packages() {
  local pkgs=("$@") created_policy=0 rc=0
  ((${#pkgs[@]})) || return 0
  if ! is_root || ! is_debian_like; then
    err "missing system packages: ${pkgs[*]}; install them (e.g. sudo apt-get install -y ${pkgs[*]}) and re-run"
    return 1
  fi
  note "installing ${pkgs[*]} (apt-get, log: $S/logs/apt.log)"
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && created_policy=1
  fi
  {
    if ((APT_UPDATED == 0)); then
      DEBIAN_FRONTEND=noninteractive apt-get update -q && APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}"
  } >>"$S/logs/apt.log" 2>&1 || rc=$?
  ((created_policy)) && rm -f /usr/sbin/policy-rc.d
  if ((rc != 0)); then
    err "apt-get install ${pkgs[*]} failed; see $S/logs/apt.log"
    log_tail "$S/logs/apt.log" 10
    return 1
  fi
}

# Java 17+ (Kafka 4 brokers need 17). JAVA_HOME wins, as with Kafka's own scripts (and Maven, which would fail
# on a broken one anyway); empty output means no usable java.
java_bin() {
  if [[ -n ${JAVA_HOME:-} ]]; then
    if [[ -x $JAVA_HOME/bin/java ]]; then printf '%s\n' "$JAVA_HOME/bin/java"; fi
  else
    command -v java || true
  fi
}

java_major() {
  local v
  v=$("$1" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9.]*\).*/\1/p' | head -n1)
  [[ $v == 1.* ]] && v=${v#1.}
  printf '%s\n' "${v%%.*}"
}
