#!/usr/bin/env bash
# Regenerates libs/contracts/src/gen from proto/ with the locally installed protoc-gen-es (no network needed).
# buf.gen.yaml resolves its input and plugin relative to the repository root, so run from there wherever
# this script is called from.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo_root"
npx buf lint
npx buf generate
