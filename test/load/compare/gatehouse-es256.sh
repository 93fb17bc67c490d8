#!/usr/bin/env bash
# Machine-to-machine tokens signed with ES256, for the side-by-side with Dex (dex-es256.sh).
# Starts BIN on a fresh SQLite database with a P-256 signing key, creates an M2M app, and measures
# it with measure.sh.
# Usage: test/load/compare/gatehouse-es256.sh BIN [SECONDS]   (run from the repository root)
set -euo pipefail
bin=$(realpath "$1")
seconds=${2:-10}
repo=$(pwd)
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl pkcs8 -topk8 -nocrypt >key.pem
export DB_URL="sqlite://$work/g.db" PORT=39101 ADMIN_PORT=39102 ENDPOINT=http://127.0.0.1:39101
OIDC_PRIVATE_KEYS="$(cat key.pem)"
export OIDC_PRIVATE_KEYS
"$bin" db seed --swe >/dev/null 2>&1
eval "$("$bin" app create --type MachineToMachine --name load --role "Logto Management API access" --output env)"
"$bin" serve >log 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:39101/oidc/.well-known/openid-configuration >/dev/null && break; sleep 0.1; done
cd "$repo"
# shellcheck source=measure.sh
. test/load/compare/measure.sh
measure "gatehouse ES256" "$pid" "$seconds" -- -url http://127.0.0.1:39101 -client-id "$ID" -client-secret "$SECRET"
