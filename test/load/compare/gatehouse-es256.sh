#!/usr/bin/env bash
# Machine-to-machine tokens signed with ES256, for the side-by-side with Dex (dex-es256.sh).
# Starts BIN on a fresh SQLite database with a P-256 signing key, creates an M2M app, warms up
# for 2 s, then drives client_credentials from 8 connections for SECONDS and prints throughput,
# latency, the server's peak RSS and its CPU time per token (utime+stime from /proc, in ms).
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
load=(go run ./test/load -url http://127.0.0.1:39101 -client-id "$ID" -client-secret "$SECRET" -scenario client-credentials -c 8)
"${load[@]}" -d 2s >/dev/null
t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
"${load[@]}" -d "${seconds}s" -pid "$pid" -json >"$work/out.json"
t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
python3 - "$work/out.json" "$t0" "$t1" "$(getconf CLK_TCK)" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
cpu_ms = (int(sys.argv[3]) - int(sys.argv[2])) * 1000 / int(sys.argv[4])
print('gatehouse ES256: %.0f tokens/s  p50 %.2f ms  p99 %.2f ms  max %.1f ms  errors %d  RSS %.1f MB  CPU %.3f ms/token'
      % (j['requests_per_second'], j['p50_ms'], j['p99_ms'], j['max_ms'], j['errors'], j['server_max_rss_mb'], cpu_ms / j['requests']))
PY
