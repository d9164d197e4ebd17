#!/usr/bin/env bash
# Installs Schemathesis (contract fuzzing of the gateway's OpenAPI document, docs/reliability.md) into the state
# directory and prints the path of its `st` command. Idempotent: a venv whose stamp matches requirements.txt is reused.
# Every package of the closure is pinned in tools/fuzz/requirements.txt (pip freeze of a clean install of
# schemathesis==4.32.5 on Python 3.11); a new version is a new freeze, reviewed like a lockfile change.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
STATE=${CRM_STATE_DIR:-$ROOT/.crm}
REQUIREMENTS="$ROOT/tools/fuzz/requirements.txt"
VENV="$STATE/tools/schemathesis"
STAMP_FILE="$VENV/.crm-install-stamp"

die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A fresh Debian machine may lack the venv module (or python3 itself): as root, the project installs what it needs.
if { ! command -v python3 >/dev/null || ! python3 -c 'import ensurepip, venv' 2>/dev/null; } && ((EUID == 0)) && command -v apt-get >/dev/null; then
  echo "installing python3 and python3-venv (apt-get)" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3 python3-venv >&2 || die "apt-get install python3 python3-venv failed"
fi
command -v python3 >/dev/null || die "python3 (3.10 or newer) is needed for Schemathesis; install it (apt-get install python3 python3-venv) and retry"
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' || die "Schemathesis needs Python 3.10 or newer; python3 is $(python3 --version)"
stamp="$(python3 --version) $(sha256sum "$REQUIREMENTS" | cut -c1-64)"
if [[ -x $VENV/bin/st && -f $STAMP_FILE && $(cat "$STAMP_FILE") == "$stamp" ]]; then
  echo "$VENV/bin/st"
  exit 0
fi
rm -rf "$VENV"
mkdir -p "$(dirname "$VENV")"
python3 -m venv "$VENV" >&2 || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
# --no-deps: the requirements file is the whole closure, so pip installs exactly it and nothing it resolves itself.
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$REQUIREMENTS" >&2 || die "installing Schemathesis from PyPI failed; see the output above"
"$VENV/bin/st" --version >&2 || die "the installed Schemathesis does not run"
echo "$stamp" >"$STAMP_FILE"
echo "$VENV/bin/st"
