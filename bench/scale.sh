#!/usr/bin/env bash
# Kinlet's serverless benchmark (never part of the test run): cold start against the engine's own
# floor, and a step load from zero. Builds kinletd and kinlet (Release) and bench/tools/ScaleBench,
# starts a private kinletd on free ports with a temp state dir and short autoscaler windows (so a
# revision is back at zero in seconds), prints one markdown report and writes it to
# bench/results/<YYYY-MM-DD>-scale.md (raw output: bench/results/raw/, not in git).
#
#   bench/scale.sh [options]
#
#   --rounds N        cold-start rounds, each a floor and a kinlet measurement (default 10)
#   --clients N       step-load clients (default 50)
#   --step-seconds S  step-load duration (default 20)
#   --no-build        reuse the last build in the bench cache
#   --keep            keep the temp dir (kinletd's state dir)
#
# Cold start: the hello sample (kinlet.local/hello). Floor: create + start + first 200 through the
# Engine API directly, polling every 5 ms. Kinlet: one request through the ingress to the revision
# at zero until its 200. Goal (issue 3): kinlet p50 ≤ 1.15 × the floor's p50.
# Step load: testfn with containerConcurrency 10, max-scale 10, at zero; 50 clients calling
# /sleep?ms=100 start at once. Goal: ready instances reach the desired count (ceil(50 / 7) = 8)
# within 4 s, 0 errors. Goals are reported, never asserted; the script fails only when something breaks.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd -P)"
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"
# shellcheck source=bench/lib/bench.sh
source "$BENCH_DIR/lib/bench.sh"

ROUNDS=10
CLIENTS=50
STEP_SECONDS=20
BUILD=1
KEEP=""
need_value() { (($# >= 2)) || die "$1 needs a value (try --help)"; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; }
while (($#)); do
    case "$1" in
    --rounds) need_value "$@"; ROUNDS="$2"; shift ;;
    --clients) need_value "$@"; CLIENTS="$2"; shift ;;
    --step-seconds) need_value "$@"; STEP_SECONDS="$2"; shift ;;
    --no-build) BUILD="" ;;
    --keep) KEEP=1 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done
for v in "$ROUNDS" "$CLIENTS" "$STEP_SECONDS"; do [[ "$v" =~ ^[1-9][0-9]*$ ]] || die "expected a positive number, got '$v'"; done
REPRO_CMD="bench/scale.sh --rounds $ROUNDS --clients $CLIENTS --step-seconds $STEP_SECONDS"
# Knative's rules with shorter windows: zero comes 6 s + 0 s after the last request instead of 60 s + 30 s.
KINLETD_FLAGS=(--Kinlet:Autoscaler:StableWindow 00:00:06 --Kinlet:Autoscaler:ScaleToZeroGracePeriod 00:00:00
    --Kinlet:Autoscaler:TickInterval 00:00:01 --Kinlet:Serving:AccessLog false)
KINLETD_ENV=()

total_start="$(now_s)"
ensure_tools
ensure_engine
ensure_dotnet
command -v ss >/dev/null 2>&1 || apt_install iproute2 >/dev/null
BENCH_CACHE="${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kinlet-bench}"
mkdir -p "$BENCH_CACHE"
exec 8>"$BENCH_CACHE/.lock"
flock -n 8 || die "another benchmark is running (lock: $BENCH_CACHE/.lock)"

DAY="$(date +%F)"
RUN_STAMP="$(date '+%F %H:%M %Z')"
RESULTS_DIR="$BENCH_DIR/results"
RAW="$RESULTS_DIR/raw/$(date +%Y%m%dT%H%M%S)-scale"
mkdir -p "$RAW"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/kinlet-bench.XXXXXX")"
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    bench_stop_kinletd || rc=1
    docker rm -f $(docker ps -aq --filter label=dev.kinlet.bench=floor) >/dev/null 2>&1 || true
    [[ -f "$RAW/kinletd.log" ]] && gzip -f "$RAW/kinletd.log" 2>/dev/null
    if [[ -n "$KEEP" ]]; then log "kept $TMP"; else rm -rf "$TMP"; fi
    ((rc == 0)) || log "failed (exit $rc); raw output and logs: $RAW"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

TOOL="$BENCH_CACHE/scalebench/ScaleBench.dll"
if [[ -n "$BUILD" ]]; then
    bench_build
    dotnet build -c Release --nologo "$BENCH_DIR/tools/ScaleBench" --artifacts-path "$BENCH_CACHE/artifacts" \
        -o "$BENCH_CACHE/scalebench" >"$RAW/build-scalebench.log" 2>&1 || die "building bench/tools/ScaleBench failed (log: $RAW/build-scalebench.log)"
else
    bench_use_last_build
fi
[[ -f "$TOOL" ]] || die "$TOOL is missing (run without --no-build)"
"$REPO_ROOT/scripts/images.sh" --samples --test >"$RAW/images.log" 2>&1 || die "scripts/images.sh failed (log: $RAW/images.log)"

bench_start_kinletd "${KINLETD_FLAGS[@]}"
TOKEN="$(cat "$STATE_DIR/token")"
tool() { dotnet "$TOOL" "$@" --ingress-port "$INGRESS_PORT" --api-port "$API_PORT" --token "$TOKEN" --out "$RAW"; }

# --- cold start ---
bench_cli service create cold --image kinlet.local/hello:latest --scale-min 0 --env TARGET=World >"$RAW/deploy-cold.log" 2>&1 \
    || die "could not create the cold service (log: $RAW/deploy-cold.log)"
log "cold start: $ROUNDS rounds (each: floor, then wait for zero, then one request through kinletd)"
tool coldstart --revision cold-00001 --host "cold.localhost:$INGRESS_PORT" --image kinlet.local/hello:latest \
    --rounds "$ROUNDS" | tee "$RAW/coldstart.txt"
curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$API_PORT/metrics" >"$RAW/metrics-after-coldstart.txt" || true
bench_cli service delete cold >/dev/null 2>&1 || true

# --- step load ---
EXPECT=$(((CLIENTS * 10 + 69) / 70))
((EXPECT > 10)) && EXPECT=10
bench_cli service create step --image kinlet.local/testfn:latest --concurrency-limit 10 --scale-min 0 --scale-max 10 \
    >"$RAW/deploy-step.log" 2>&1 || die "could not create the step service (log: $RAW/deploy-step.log)"
log "step load: 0 → $CLIENTS clients for ${STEP_SECONDS}s (expect $EXPECT instances)"
tool step --revision step-00001 --host "step.localhost:$INGRESS_PORT" --clients "$CLIENTS" --seconds "$STEP_SECONDS" \
    --expect "$EXPECT" | tee "$RAW/step.txt"
bench_cli service delete step >/dev/null 2>&1 || true

GIT_REV="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -n "$(git -C "$REPO_ROOT" status --porcelain -- src 2>/dev/null)" ]] && GIT_REV+=" + uncommitted changes in src/"
bench_stop_kinletd || die "could not remove the bench daemon's containers"

val() { sed -nE "s/.*\b$2=([^ ]+).*/\1/p" "$1" | head -n1; }
C="$RAW/coldstart.txt"
S="$RAW/step.txt"
ratio="$(val "$C" ratio_p50)"
cold_met="$(awk -v r="$ratio" 'BEGIN { print (r <= 1.15) ? "met" : "NOT met" }')"
reached="$(val "$S" reached_ms)"
errors="$(val "$S" errors)"
step_met="NOT met"
[[ "$reached" != never ]] && awk -v r="$reached" 'BEGIN { exit !(r <= 4000) }' && ((errors == 0)) && step_met="met"
{
    echo "# Scale benchmark, $RUN_STAMP"
    echo
    echo "Machine: $(nproc) × $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), Linux $(uname -r), Docker Engine $(docker version -f '{{.Server.Version}}' 2>/dev/null)." \
        "kinletd: Release build of $GIT_REV, \`${KINLETD_FLAGS[*]}\`."
    echo
    echo "## Cold start ($ROUNDS rounds, kinlet.local/hello)"
    echo
    echo "| | p50 ms | p95 ms | min ms | max ms |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    echo "| floor: Engine API create + start + first 200 | $(val "$C" floor_p50) | $(val "$C" floor_p95) | $(val "$C" floor_min) | $(val "$C" floor_max) |"
    echo "| kinlet: request to a revision at zero → 200 | $(val "$C" kinlet_p50) | $(val "$C" kinlet_p95) | $(val "$C" kinlet_min) | $(val "$C" kinlet_max) |"
    echo
    echo "Ratio p50 $(val "$C" ratio_p50)×, p95 $(val "$C" ratio_p95)×; goal ≤ 1.15× at p50: **$cold_met**."
    echo
    echo "## Step load 0 → $CLIENTS clients (testfn /sleep?ms=100, containerConcurrency 10, max-scale 10, from zero)"
    echo
    echo "| ready = desired ≥ $EXPECT after | peak desired | peak containers | requests | errors | p50 ms | p95 ms |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    echo "| $reached ms | $(val "$S" peak_desired) | $(val "$S" peak_containers) | $(val "$S" requests) | $errors | $(val "$S" p50_ms) | $(val "$S" p95_ms) |"
    echo
    echo "Goal ≤ 4 s and 0 errors: **$step_met**. Timeline: \`step.tsv\` in the raw folder."
    echo
    echo "Reproduce: \`$REPRO_CMD\`. Raw: \`bench/results/raw/$(basename "$RAW")/\` (not in git)."
} >"$RAW/report.md"
cp "$RAW/report.md" "$RESULTS_DIR/$DAY-scale.md"
echo
cat "$RAW/report.md"
log "written: bench/results/$DAY-scale.md in $(elapsed "$total_start")"
