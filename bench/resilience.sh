#!/usr/bin/env bash
# Traffic-policy resilience figures (never part of the test run): a private kinletd, the testfn image as service
# "chaos" (2 instances), and three short runs of sequential keep-alive requests (bench/tools/resilience_probe.py):
#   1. fault abort 10 % over N requests          -> observed aborted share
#   2. fault delay 100 ms on 50 % over N/5        -> p50 added on the delayed share
#   3. retries {attempts: 2}, one instance killed -> errors (GETs)
# Prints the probe lines; asserts nothing (goals: 10 % ± 1 %, 100 ms ± 5 ms, 0 errors).
#
#   bench/resilience.sh [--requests N] [--bin-dir DIR] [--no-build]
#
#   --requests N   requests of run 1 (default 10000)
#   --bin-dir DIR  use DIR/kinletd and DIR/kinlet (a dotnet build output) instead of publishing
#   --no-build     reuse the last build in the bench cache
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd -P)"
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"
# shellcheck source=bench/lib/bench.sh
source "$BENCH_DIR/lib/bench.sh"

REQUESTS=10000
BIN_DIR=""
BUILD=1
DURATION=0 WARMUP=0 THREADS=1
KINLETD_ENV=()
while (($#)); do
    case "$1" in
    --requests) REQUESTS="$2"; shift ;;
    --bin-dir) BIN_DIR="$2"; shift ;;
    --no-build) BUILD="" ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
    esac
    shift
done

bench_prepare resilience
bench_images --test
if [[ -n "$BIN_DIR" ]]; then
    KINLETD_BIN="$BIN_DIR/kinletd"
    KINLET_BIN="$BIN_DIR/kinlet"
elif [[ -n "$BUILD" ]]; then
    bench_build
else
    bench_use_last_build
fi
bench_start_kinletd

bench_cli service create chaos --image kinlet.local/testfn:latest --scale-min 2 >"$RAW/create.log" 2>&1 || die "service create failed"

apply_policy() {
    cat >"$TMP/policy.yaml"
    bench_cli apply -f "$TMP/policy.yaml" >>"$RAW/apply.log" 2>&1 || die "kinlet apply failed (log: $RAW/apply.log)"
    sleep 1
}

probe() { python3 "$BENCH_DIR/tools/resilience_probe.py" "$INGRESS_PORT" "chaos.localhost" "$@"; }

apply_policy <<'YAML'
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: chaos}
spec:
  hosts: [chaos]
  http:
  - name: abort
    fault: {abort: {httpStatus: 503, percentage: {value: 10}}}
    route: [{destination: {host: chaos}}]
YAML
log "1. fault abort 10 % over $REQUESTS requests"
probe /status "$REQUESTS" | tee "$RAW/abort.txt"

apply_policy <<'YAML'
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: chaos}
spec:
  hosts: [chaos]
  http:
  - name: delay
    fault: {delay: {fixedDelay: 100ms, percentage: {value: 50}}}
    route: [{destination: {host: chaos}}]
YAML
log "2. fault delay 100 ms on 50 % over $((REQUESTS / 5)) requests"
probe /status "$((REQUESTS / 5))" --delay-ms 100 | tee "$RAW/delay.txt"

apply_policy <<'YAML'
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: chaos}
spec:
  hosts: [chaos]
  http:
  - name: retry
    retries: {attempts: 2}
    route: [{destination: {host: chaos}}]
YAML
victim="$(docker ps -q --filter "label=dev.kinlet.daemon=$DAEMON_ID" --filter label=dev.kinlet.service=chaos | head -n1)"
log "3. retries attempts 2, GETs, container ${victim:0:12} killed after 1000 requests"
probe "/sleep?ms=2" 4000 --kill-after 1000 --kill "docker kill $victim" | tee "$RAW/retry.txt"
bench_cli route describe chaos >"$RAW/describe.txt" 2>&1 || true
sed 's/^/    /' "$RAW/describe.txt" >&2
