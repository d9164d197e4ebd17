# shellcheck shell=bash
# PostgreSQL: a private cluster under $S/postgres, reachable only on 127.0.0.1:$CRM_PG_PORT.
# Sourced by infra.sh after lib.sh.

# Where the cluster lives: normally $S/postgres. As root, the server runs as the `postgres` OS user, which cannot
# reach a state dir below a private parent (a mode-700 home or mktemp directory, as a CI clone may be) and cannot
# bind a unix socket whose path exceeds 107 bytes. Then the cluster lives in /var/tmp/crm-postgres-<hash of $S> and
# $S/postgres is a symlink to it (see pg_relocate_if_needed), so every tool still finds it under the state dir.
pg_set_home() {
  PG_HOME=$1
  PG_DATA="$PG_HOME/data"
  PG_RUN="$PG_HOME/run"
  if [[ $PG_HOME == "$S/postgres" ]]; then PG_LOG="$S/logs/postgres.log"; else PG_LOG="$PG_HOME/postgres.log"; fi
}
if [[ -L $S/postgres ]]; then pg_set_home "$(readlink -f "$S/postgres")"; else pg_set_home "$S/postgres"; fi

# The data directory is tied to a major version, so an existing cluster picks its own binaries; a new one
# prefers 15 (what the platform is tested on), then the newest installed.
pg_bin() {
  local ver d
  if [[ -n ${CRM_PG_BIN:-} ]]; then printf '%s\n' "$CRM_PG_BIN"; return 0; fi
  if [[ -r $PG_DATA/PG_VERSION ]]; then
    ver=$(<"$PG_DATA/PG_VERSION")
    printf '/usr/lib/postgresql/%s/bin\n' "$ver"
    return 0
  fi
  if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then printf '/usr/lib/postgresql/15/bin\n'; return 0; fi
  while read -r d; do
    [[ -x $d/initdb ]] && { printf '%s\n' "$d"; return 0; }
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r)
  return 0
}

pg_installed() { local b; b=$(pg_bin); [[ -n $b && -x $b/initdb && -x $b/pg_ctl ]]; }

# initdb/postgres refuse to run as root, so as root they run as the `postgres` OS user. `cd /` because the
# caller's cwd (the repo) need not be readable by that user.
as_pg() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

pg_ctl_() { as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" "$@"; }

pg_postmaster_pid() { [[ -r $PG_DATA/postmaster.pid ]] && head -n1 "$PG_DATA/postmaster.pid"; }

# Port the running postmaster actually listens on (line 4 of postmaster.pid).
pg_running_port() { [[ -r $PG_DATA/postmaster.pid ]] && sed -n 4p "$PG_DATA/postmaster.pid"; }

pg_running() { [[ -r $PG_DATA/PG_VERSION ]] && pg_installed && pg_ctl_ status >/dev/null 2>&1; }

pg_is_up() {
  pg_running || return 1
  [[ $(pg_running_port) == "$CRM_PG_PORT" ]] || return 1
  "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$CRM_PG_PORT" -t 2
}

pg_addr() { printf '127.0.0.1:%s\n' "$CRM_PG_PORT"; }

# Unix socket paths are limited to 107 bytes; a deep state dir fails late and cryptically otherwise.
pg_check_socket_path() {
  local sock="$PG_RUN/.s.PGSQL.$CRM_PG_PORT"
  ((${#sock} <= 100)) && return 0
  err "postgres socket path $sock is too long for a unix socket; use a shorter state dir, e.g. CRM_STATE_DIR=/var/tmp/crm"
  return 1
}

pg_relocate_if_needed() {
  is_root || return 0
  [[ -L $S/postgres || -r $S/postgres/data/PG_VERSION ]] && return 0
  local sock="$S/postgres/run/.s.PGSQL.$CRM_PG_PORT" home
  id -u postgres >/dev/null 2>&1 || return 0
  mkdir -p "$S"
  if as_pg test -x "$S" && ((${#sock} <= 100)); then return 0; fi
  home="/var/tmp/crm-postgres-$(printf '%s' "$S" | sha256sum | cut -c1-12)"
  private_dir "$home" postgres || return 1
  mkdir -p "$S/logs"
  rm -rf "$S/postgres" # only ever an empty leftover here: an initialised cluster returned above
  ln -s "$home" "$S/postgres"
  pg_set_home "$home"
  touch "$PG_LOG"
  ln -sfn "$PG_LOG" "$S/logs/postgres.log"
  note "postgres: the postgres OS user cannot reach $S (or the socket path would be too long); the cluster lives in $home, linked from $S/postgres"
}

pg_prepare_dirs() {
  mkdir -p "$PG_DATA" "$PG_RUN"
  touch "$PG_LOG"
  if is_root; then
    id -u postgres >/dev/null 2>&1 || { err "OS user 'postgres' does not exist; install the postgresql package"; return 1; }
    chown postgres:postgres "$PG_HOME" "$PG_DATA" "$PG_RUN" "$PG_LOG"
    # `test -x` as postgres fails when any parent directory lacks o+x (e.g. a home directory with mode 700).
    if ! as_pg test -x "$PG_DATA"; then
      err "the postgres OS user cannot traverse the parents of $S; use a state dir outside it, e.g. CRM_STATE_DIR=/var/tmp/crm"
      return 1
    fi
  fi
  chmod 700 "$PG_DATA" "$PG_RUN"
}

pg_initdb() {
  local superpw="$S/secrets/postgres-superuser.password" pwfile locale=C rc=0
  ensure_secret "$superpw"
  # C.UTF-8 gives Unicode-aware upper()/lower() with byte-order (locale-independent, fast) collation.
  if grep -qiE '^c\.utf-?8$' < <(locale -a 2>/dev/null); then locale=C.UTF-8; fi
  # initdb reads the superuser password from a file; the secrets dir is root-only, so hand it a short-lived
  # copy that the postgres user can read, and delete it whatever happens.
  pwfile=$(mktemp "$PG_HOME/.pwfile.XXXXXX")
  cat "$superpw" >"$pwfile"
  if is_root; then chown postgres:postgres "$pwfile"; fi
  as_pg "$(pg_bin)/initdb" -D "$PG_DATA" --pwfile="$pwfile" --auth-local=peer --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale="$locale" --data-checksums >>"$PG_LOG" 2>&1 || rc=$?
  rm -f "$pwfile"
  if ((rc != 0)); then
    err "initdb failed; see $PG_LOG (delete $PG_DATA to retry from scratch)"
    log_tail "$PG_LOG"
    return 1
  fi
  printf "\ninclude_if_exists = 'crm.conf'\n" | as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

# Rewritten on every start so port overrides apply; postgresql.conf itself stays initdb's.
pg_write_config() {
  local super
  super=$(stat -c %U "$PG_DATA")
  as_pg tee "$PG_DATA/crm.conf" >/dev/null <<EOF
# Generated by deploy/local/postgres.sh on every start.
listen_addresses = '127.0.0.1'
port = $CRM_PG_PORT
unix_socket_directories = '$PG_RUN'
password_encryption = 'scram-sha-256'
max_connections = 200
shared_buffers = 128MB
fsync = on
log_line_prefix = '%m [%p] %q%u@%d '
# Continuous WAL archiving into the pgBackRest repository (backups and point-in-time recovery; docs/backup.md).
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --config=$(pgbr_conf) --stanza=$PGBR_STANZA archive-push %p'
archive_timeout = 60
EOF
  # The superuser (the OS user that ran initdb) administers over the socket by peer auth; everyone else,
  # including the crm role, authenticates with SCRAM. Nothing listens beyond 127.0.0.1.
  as_pg tee "$PG_DATA/pg_hba.conf" >/dev/null <<EOF
# Generated by deploy/local/postgres.sh on every start.
local  all  $super                  peer
local  all  all                     scram-sha-256
host   all  all    127.0.0.1/32     scram-sha-256
EOF
}

# Least privilege (docs/security.md; the names match libs/config/src/postgres-roles.ts):
# - `crm` is the administrator (migrations, tests, restores); no service runs as it but the backup service's restores.
# - each service with a database logs in as its own role, crm_<service>, which owns that database only;
# - the audit database belongs to crm_audit_owner (no login; the migrations run as it), the audit service runs as
#   crm_audit, which `npm run migrate` grants only INSERT and SELECT (plus its bookkeeping);
# - the key vault belongs to crm_keyvault (no login); identity, contacts and consent may connect to it;
# - CONNECT (and TEMP) is revoked from PUBLIC on every database, so a role reaches only what it is granted.
PG_DATABASES=(identity contacts consent audit backup keyvault crm_test)
PG_LOGIN_ROLES=(crm_identity crm_contacts crm_consent crm_audit crm_backup)
PG_OWNER_ROLES=(crm_audit_owner crm_keyvault)
pg_database_owner() {
  case $1 in
    audit) echo crm_audit_owner ;;
    keyvault) echo crm_keyvault ;;
    crm_test) echo crm ;;
    *) echo "crm_$1" ;;
  esac
}
pg_password_file() { printf '%s/secrets/postgres-%s.password\n' "$S" "$1"; }

# One generated password per login role: the administrator's and each service's.
pg_ensure_secrets() {
  local role
  for role in crm "${PG_LOGIN_ROLES[@]}"; do ensure_secret "$(pg_password_file "$role")"; done
}

pg_psql_super() { as_pg "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_RUN" -p "$CRM_PG_PORT" "$@"; }

# Hands what the administrator (crm) owns in database $1 to the database's owner $2: a cluster made before the
# roles were split (every object was crm's). REASSIGN OWNED cannot be used: it would move crm's other databases too.
pg_reassign_to_owner_sql() {
  cat <<SQL
DO \$\$
DECLARE r record;
BEGIN
  FOR r IN SELECT nspname FROM pg_namespace WHERE nspowner = 'crm'::regrole LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', r.nspname, '$2');
  END LOOP;
  FOR r IN SELECT c.oid::regclass::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relowner = 'crm'::regrole AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') LOOP
    EXECUTE format('ALTER TABLE %s OWNER TO %I', r.name, '$2');
  END LOOP;
  -- Sequences of identity and serial columns followed their tables; only free-standing ones are left.
  FOR r IN SELECT c.oid::regclass::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relowner = 'crm'::regrole AND c.relkind = 'S'
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') LOOP
    EXECUTE format('ALTER SEQUENCE %s OWNER TO %I', r.name, '$2');
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure::text AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE p.proowner = 'crm'::regrole AND n.nspname NOT IN ('pg_catalog', 'information_schema') LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.name, '$2');
  END LOOP;
  FOR r IN SELECT t.oid::regtype::text AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE t.typowner = 'crm'::regrole AND t.typtype IN ('e', 'd', 'r', 'm')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') LOOP
    EXECUTE format('ALTER TYPE %s OWNER TO %I', r.name, '$2');
  END LOOP;
END \$\$;
SQL
}

# The SQL that makes the roles and databases, as one psql script run by the superuser in the `postgres` database.
# Idempotent: creates the roles and any missing database, (re)sets the login roles' passwords from their secrets
# files (so each file is always the truth), gives each database to its owner, grants CONNECT only where needed, then
# (\connect to each) hands what the administrator owned there to the database's owner. The same text is what
# docker-compose.yml's `postgres-roles` job applies (deploy/local/postgres-roles-sql.sh prints it), so the two
# deployments cannot drift apart. It holds the passwords: it goes through stdin, never argv, so no password is in `ps`.
pg_roles_and_databases_sql() {
  local role db owner
  printf '\\set ON_ERROR_STOP on\n'
  printf "SELECT 'CREATE ROLE crm' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'crm') \\gexec\n"
  printf "ALTER ROLE crm WITH LOGIN CREATEDB NOSUPERUSER NOCREATEROLE PASSWORD '%s';\n" "$(<"$(pg_password_file crm)")"
  # Lets the plaintext-at-rest tests force dirty pages out of shared buffers into the data files they scan.
  printf 'GRANT pg_checkpoint TO crm;\n'
  for role in "${PG_LOGIN_ROLES[@]}" "${PG_OWNER_ROLES[@]}"; do
    printf "SELECT 'CREATE ROLE %s' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') \\gexec\n" "$role" "$role"
    # The administrator runs migrations as each owner (SET ROLE) and the tests read the platform's databases.
    printf 'GRANT %s TO crm;\n' "$role"
  done
  for role in "${PG_LOGIN_ROLES[@]}"; do
    printf "ALTER ROLE %s WITH LOGIN NOCREATEDB NOSUPERUSER NOCREATEROLE PASSWORD '%s';\n" "$role" "$(<"$(pg_password_file "$role")")"
  done
  for role in "${PG_OWNER_ROLES[@]}"; do
    printf 'ALTER ROLE %s WITH NOLOGIN NOCREATEDB NOSUPERUSER NOCREATEROLE;\n' "$role"
  done
  for db in "${PG_DATABASES[@]}"; do
    owner=$(pg_database_owner "$db")
    printf "SELECT 'CREATE DATABASE %s OWNER %s' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '%s') \\gexec\n" "$db" "$owner" "$db"
    printf 'ALTER DATABASE %s OWNER TO %s;\n' "$db" "$owner"
    printf 'REVOKE ALL ON DATABASE %s FROM PUBLIC;\n' "$db"
  done
  printf 'GRANT CONNECT ON DATABASE audit TO crm_audit;\n'
  printf 'GRANT CONNECT ON DATABASE keyvault TO crm_identity, crm_contacts, crm_consent;\n'
  printf 'REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC;\n'
  printf 'GRANT CONNECT ON DATABASE postgres TO crm;\n'
  for db in "${PG_DATABASES[@]}"; do
    owner=$(pg_database_owner "$db")
    [[ $owner == crm ]] && continue
    printf '\\connect %s\n' "$db"
    pg_reassign_to_owner_sql "$db" "$owner"
  done
}

pg_ensure_roles_and_databases() {
  pg_roles_and_databases_sql | pg_psql_super -d postgres >/dev/null 2>>"$PG_LOG" || {
    err "creating the Postgres roles and databases (or handing a database to its owner) failed; see $PG_LOG"
    log_tail "$PG_LOG" 5
    return 1
  }
}

pg_start() {
  local deadline
  pg_installed || { err "PostgreSQL server binaries not found; install postgresql (apt-get install postgresql)"; return 1; }
  pg_relocate_if_needed
  pg_check_socket_path
  pg_prepare_dirs
  pg_ensure_secrets
  if pg_running; then
    err "postgres (pid $(pg_postmaster_pid)) is running on port $(pg_running_port), not $CRM_PG_PORT; run: bash deploy/local/infra.sh stop postgres"
    return 1
  fi
  require_free_port "$CRM_PG_PORT" postgres CRM_PG_PORT
  [[ -r $PG_DATA/PG_VERSION ]] || pg_initdb
  pgbr_prepare
  pg_write_config
  # shellcheck disable=SC2094 # pg_ctl only appends its own complaints to the server log it names
  # pg_ctl -w notices a postmaster that dies during start-up (bad config, port race) and says so.
  if ! pg_ctl_ start -w -t 60 -s -l "$PG_LOG" </dev/null >/dev/null 2>>"$PG_LOG" 8>&- 9>&-; then
    err "postgres failed to start; see $PG_LOG"
    log_tail "$PG_LOG"
    return 1
  fi
  deadline=$(($(now) + 30))
  until "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$CRM_PG_PORT" -t 2; do
    if (($(now) >= deadline)); then
      err "postgres started but does not accept connections on 127.0.0.1:$CRM_PG_PORT; see $PG_LOG"
      log_tail "$PG_LOG"
      return 1
    fi
    sleep 0.2
  done
  pg_postmaster_pid >"$S/run/postgres.pid"
  pg_ensure_roles_and_databases
  pgbr_ensure_stanza
}

pg_stop() {
  if pg_running; then
    pg_ctl_ stop -m fast -w -t 60 -s >/dev/null
  fi
  rm -f "$S/run/postgres.pid"
}

# --- pgBackRest: the databases' snapshots (full and differential backups) and their continuous WAL archive -------
# The repository is $CRM_BACKUP_DIR/pgbackrest (default $S/backups; in production another host or volume). The
# postgres OS user writes it (archive_command runs as that user), so as root a repository below a directory it
# cannot traverse moves to /var/tmp like the cluster does, linked from $CRM_BACKUP_DIR. The configuration, lock and
# log directories live beside the cluster. The backup service runs `pgbackrest` with $CRM_PGBACKREST_CONFIG.
PGBR_STANZA=crm
# Beside the cluster, by its real path: the postgres OS user runs pgbackrest with this configuration and may not be
# able to traverse the state dir (when the cluster was moved to /var/tmp, see pg_relocate_if_needed). Recomputed after
# a relocation, hence functions.
pgbr_home() {
  if [[ -L $S/postgres ]]; then printf '%s/pgbackrest\n' "$(readlink -f "$S/postgres")"; else printf '%s/pgbackrest\n' "$PG_HOME"; fi
}
pgbr_conf() { printf '%s/pgbackrest.conf\n' "$(pgbr_home)"; }

pgbr_installed() { command -v pgbackrest >/dev/null 2>&1; }

pgbr_repo() { printf '%s\n' "$CRM_BACKUP_DIR/pgbackrest"; }

pgbr_prepare() {
  local repo home cipher="$S/secrets/backup-repo.cipher" PGBR_HOME PGBR_CONF
  PGBR_HOME=$(pgbr_home)
  PGBR_CONF=$(pgbr_conf)
  pgbr_installed || { err "pgbackrest not found; install it (apt-get install pgbackrest)"; return 1; }
  ensure_secret "$cipher"
  mkdir -p "$CRM_BACKUP_DIR" "$PGBR_HOME/log" "$PGBR_HOME/lock"
  if is_root && [[ ! -L $CRM_BACKUP_DIR/pgbackrest ]] && ! as_pg test -x "$CRM_BACKUP_DIR"; then
    home="/var/tmp/crm-backups-$(printf '%s' "$CRM_BACKUP_DIR" | sha256sum | cut -c1-12)"
    private_dir "$home" postgres || return 1
    rmdir "$CRM_BACKUP_DIR/pgbackrest" 2>/dev/null || true
    ln -s "$home" "$CRM_BACKUP_DIR/pgbackrest"
    note "pgbackrest: the postgres OS user cannot reach $CRM_BACKUP_DIR; the repository lives in $home, linked from $CRM_BACKUP_DIR/pgbackrest"
  fi
  mkdir -p "$(pgbr_repo)"
  repo=$(readlink -f "$(pgbr_repo)") # its real path: the postgres OS user may not traverse $CRM_BACKUP_DIR
  if is_root; then chown postgres:postgres "$repo" "$PGBR_HOME" "$PGBR_HOME/log" "$PGBR_HOME/lock"; fi
  # Mode 600, owned by the postgres OS user: it holds the repository's cipher passphrase (the repository is
  # encrypted at rest, snapshots and WAL alike).
  as_pg touch "$PGBR_CONF"
  as_pg chmod 600 "$PGBR_CONF"
  as_pg tee "$PGBR_CONF" >/dev/null <<EOF
# Generated by deploy/local/postgres.sh on every start.
[global]
repo1-path=$repo
repo1-cipher-type=aes-256-cbc
repo1-cipher-pass=$(<"$cipher")
# Retention: the last ${CRM_BACKUP_RETAIN_FULL:-4} full backups (weekly) and ${CRM_BACKUP_RETAIN_DIFF:-7} differential ones (daily); WAL as far
# back as the oldest retained backup needs.
repo1-retention-full=${CRM_BACKUP_RETAIN_FULL:-4}
repo1-retention-diff=${CRM_BACKUP_RETAIN_DIFF:-7}
compress-type=zst
start-fast=y
log-path=$PGBR_HOME/log
lock-path=$PGBR_HOME/lock
log-level-console=warn
log-level-file=info

[$PGBR_STANZA]
pg1-path=$PG_DATA
pg1-port=$CRM_PG_PORT
pg1-socket-path=$PG_RUN
EOF
}

# Idempotent: creates the stanza on a new repository, checks that an existing one belongs to this cluster.
pgbr_ensure_stanza() {
  if ! as_pg pgbackrest --config="$(pgbr_conf)" --stanza="$PGBR_STANZA" stanza-create >>"$PG_LOG" 2>&1; then
    err "pgbackrest stanza-create failed (repository $(pgbr_repo)); see $PG_LOG and $(pgbr_home)/log"
    log_tail "$PG_LOG" 5
    return 1
  fi
}
