#!/usr/bin/env bash
# Prints the SQL that makes the platform's Postgres roles and databases (least privilege, docs/security.md): exactly
# what deploy/local/infra.sh applies on every start (pg_roles_and_databases_sql in postgres.sh), passwords included,
# read from <state>/secrets/postgres-<role>.password. For a server this script does not start itself:
#
#   CRM_STATE_DIR=<state> bash deploy/local/postgres-roles-sql.sh | psql -X -q -h <host> -U postgres -d postgres
#
# docker-compose.yml's `postgres-roles` job runs it this way, with the secrets volume at <state>/secrets. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=lib.sh
source "$here/lib.sh"
# shellcheck source=postgres.sh
source "$here/postgres.sh"

for role in crm "${PG_LOGIN_ROLES[@]}"; do
  [[ -s $(pg_password_file "$role") ]] || { err "$(pg_password_file "$role") is missing or empty; generate the secrets first (bash deploy/local/infra.sh secrets)"; exit 1; }
done
pg_roles_and_databases_sql
