# Sourced by gatehouse-es256.sh and dex-es256.sh: warm up for 2 s, then drive client_credentials
# from 8 connections for $seconds against the server $pid and print one line: throughput, latency,
# the server's peak RSS and its CPU time (utime+stime from /proc) per token.
# Usage: measure LABEL PID SECONDS -- LOAD_FLAGS...   (from the repository root)
measure() {
  local label=$1 pid=$2 seconds=$3 out t0 t1
  shift 4
  out=$(mktemp)
  go run ./test/load -scenario client-credentials -c 8 -d 2s "$@" >/dev/null
  t0=$(awk '{print $14+$15}' "/proc/$pid/stat")
  go run ./test/load -scenario client-credentials -c 8 -d "${seconds}s" -pid "$pid" -json "$@" >"$out"
  t1=$(awk '{print $14+$15}' "/proc/$pid/stat")
  python3 - "$out" "$t0" "$t1" "$(getconf CLK_TCK)" "$label" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
cpu_ms = (int(sys.argv[3]) - int(sys.argv[2])) * 1000 / int(sys.argv[4])
print('%-16s %.0f tokens/s  p50 %.2f ms  p99 %.2f ms  max %.1f ms  errors %d  RSS %.1f MB  CPU %.3f ms/token'
      % (sys.argv[5] + ':', j['requests_per_second'], j['p50_ms'], j['p99_ms'], j['max_ms'], j['errors'],
         j['server_max_rss_mb'], cpu_ms / j['requests']))
PY
  rm -f "$out"
}
