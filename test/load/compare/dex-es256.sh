#!/usr/bin/env bash
# The same measurement as gatehouse-es256.sh against Dex: SQLite storage, its local signer with
# ES256, one static client, client_credentials only. Dex is built from its source, e.g.
#   git clone https://github.com/dexidp/dex /tmp/dex && (cd /tmp/dex && go build -o dexbin ./cmd/dex)
# Usage: test/load/compare/dex-es256.sh DEX_BIN [SECONDS]   (run from the repository root)
set -euo pipefail
dex=$(realpath "$1")
seconds=${2:-10}
repo=$(pwd)
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cat >"$work/config.yaml" <<YAML
issuer: http://127.0.0.1:5556/dex
storage:
  type: sqlite3
  config:
    file: $work/dex.db
web:
  http: 127.0.0.1:5556
signer:
  type: local
  config:
    keysRotationPeriod: 6h
    algorithm: ES256
oauth2:
  grantTypes: ["client_credentials"]
logger:
  level: error
enablePasswordDB: true
staticClients:
- id: load
  secret: load-secret-0123456789
  name: load
  redirectURIs: ["http://127.0.0.1/cb"]
YAML
"$dex" serve "$work/config.yaml" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -sf http://127.0.0.1:5556/dex/.well-known/openid-configuration >/dev/null && break; sleep 0.1; done
cd "$repo"
# shellcheck source=measure.sh
. test/load/compare/measure.sh
measure "dex ES256" "$pid" "$seconds" -- -url http://127.0.0.1:5556 -token-path /dex/token -token-form grant_type=client_credentials -client-id load -client-secret load-secret-0123456789
