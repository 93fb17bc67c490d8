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
load=(go run ./test/load -url http://127.0.0.1:5556 -token-path /dex/token -token-form grant_type=client_credentials
  -client-id load -client-secret load-secret-0123456789 -scenario client-credentials -c 8)
"${load[@]}" -d 2s >/dev/null
t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
"${load[@]}" -d "${seconds}s" -pid "$pid" -json >"$work/out.json"
t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
python3 - "$work/out.json" "$t0" "$t1" "$(getconf CLK_TCK)" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
cpu_ms = (int(sys.argv[3]) - int(sys.argv[2])) * 1000 / int(sys.argv[4])
print('dex ES256:       %.0f tokens/s  p50 %.2f ms  p99 %.2f ms  max %.1f ms  errors %d  RSS %.1f MB  CPU %.3f ms/token'
      % (j['requests_per_second'], j['p50_ms'], j['p99_ms'], j['max_ms'], j['errors'], j['server_max_rss_mb'], cpu_ms / j['requests']))
PY
