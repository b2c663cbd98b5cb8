#!/usr/bin/env bash
# Kinlet's serverless benchmark (never part of the test run): cold start against the engine's own
# floor, and a step load from zero. Builds kinletd and kinlet (Release) and bench/tools/ScaleBench,
# starts a private kinletd on free ports with a temp state dir and short autoscaler windows (so a
# revision is back at zero seconds after its last request), prints one markdown report and writes
# it to bench/results/<YYYY-MM-DD>-scale.md (raw output: bench/results/raw/, not in git).
#
#   bench/scale.sh [options]
#
#   --rounds N            cold-start rounds, each a floor and a kinlet measurement (default 10)
#   --clients N           step-load client loops (default 50)
#   --clients2 N          then the step to N loops (default 200; 0: no second step)
#   --step-seconds S      step-load duration (default 20)
#   --kinletd-args "..."  extra kinletd flags, after the autoscaler ones (e.g. "--Kinlet:Serving:AccessLog false")
#   --label NAME          write bench/results/<date>-scale-NAME.md instead
#   --no-build            reuse the last build in the bench cache
#   --keep                keep the temp dir (kinletd's state dir)
#
# Cold start: kinlet.local/hello. Floor: Engine API create + start + first 200, polling every 5 ms.
# Kinlet: one request through the ingress to the revision at zero, until its 200. Goal: kinlet
# ≤ 1.15 × the floor. Wake: the same image with kinlet.dev/standby: frozen, a request to the revision
# while its container is paused at zero, against the Engine API's unpause + first 200 of a paused
# container; goal p50 ≤ 25 ms. Step load: kinlet.local/testfn, containerConcurrency 10, max-scale 30,
# at zero; 50 clients calling /sleep?ms=100 start at once. Goal: ready instances reach the desired
# count (≥ ceil(50 / 7) = 8) within 4 s, 0 errors. Then 150 more clients join (the step 50 → 200,
# ceil(200 / 7) = 29 instances): time to that scale, errors, peak instances against the needed ones.
#
# BENCH_CACHE (default ~/.cache/kinlet-bench) holds the builds; one benchmark at a time (its lock).
# Talks only to 127.0.0.1 (and the local engine socket). Cleans up (kinletd, its containers, the
# floor's containers, the temp dir) on every exit. Exits non-zero when something breaks (build,
# engine, deploy, a revision that never goes to zero, a cold request that does not answer 200,
# leftover containers); slow numbers and failed step-load requests never fail it: goals are
# reported, not asserted.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd -P)"
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"
# shellcheck source=bench/lib/bench.sh
source "$BENCH_DIR/lib/bench.sh"
# shellcheck source=bench/lib/scale.sh
source "$BENCH_DIR/lib/scale.sh"

ROUNDS=10
CLIENTS=50
CLIENTS2=200
STEP_SECONDS=20
KINLETD_ARGS=""
LABEL=""
BUILD=1
KEEP=""

while (($#)); do
    case "$1" in
    --rounds) need_value "$@"; ROUNDS="$2"; shift ;;
    --clients) need_value "$@"; CLIENTS="$2"; shift ;;
    --clients2) need_value "$@"; CLIENTS2="$2"; shift ;;
    --step-seconds) need_value "$@"; STEP_SECONDS="$2"; shift ;;
    --kinletd-args) need_value "$@"; KINLETD_ARGS="${KINLETD_ARGS:+$KINLETD_ARGS }$2"; shift ;;
    --label) need_value "$@"; LABEL="$2"; shift ;;
    --no-build) BUILD="" ;;
    --keep) KEEP=1 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "--rounds takes a positive number (got '$ROUNDS')"
[[ "$CLIENTS" =~ ^[1-9][0-9]*$ ]] || die "--clients takes a positive number (got '$CLIENTS')"
[[ "$CLIENTS2" =~ ^[0-9]+$ ]] || die "--clients2 takes a whole number (got '$CLIENTS2')"
((CLIENTS2 == 0 || CLIENTS2 > CLIENTS)) || die "--clients2 must be more than --clients (got $CLIENTS2 ≤ $CLIENTS), or 0"
[[ "$STEP_SECONDS" =~ ^[1-9][0-9]*$ ]] || die "--step-seconds takes whole seconds (got '$STEP_SECONDS')"
[[ -z "$LABEL" || "$LABEL" =~ ^[A-Za-z0-9._-]+$ ]] || die "--label takes letters, digits, . _ - (got '$LABEL')"

# Knative's rules with short windows: a revision goes to zero 6 s (stable window) + 0 s (grace)
# after its last request instead of 60 s + 30 s; the autoscaler decides every second.
AUTOSCALER_FLAGS=(--Kinlet:Autoscaler:StableWindow 00:00:06 --Kinlet:Autoscaler:ScaleToZeroGracePeriod 00:00:00
    --Kinlet:Autoscaler:TickInterval 00:00:01)
read -r -a KINLETD_EXTRA <<<"$KINLETD_ARGS"
KINLETD_ENV=()

# The command that reproduces this run, every setting spelled out.
REPRO_CMD="bench/scale.sh --rounds $ROUNDS --clients $CLIENTS --clients2 $CLIENTS2 --step-seconds $STEP_SECONDS"
[[ -n "$KINLETD_ARGS" ]] && REPRO_CMD+=" --kinletd-args '$KINLETD_ARGS'"
[[ -n "$LABEL" ]] && REPRO_CMD+=" --label $LABEL"

# ---------------------------------------------------------------------------------------------
# Prerequisites, lock, temp dir, cleanup
# ---------------------------------------------------------------------------------------------

bench_prepare "scale${LABEL:+-$LABEL}"
# The floor's containers carry dev.kinlet.bench=<this>, so cleanup finds exactly this run's.
RUN_LABEL="scale-floor-$RUN_ID"

remove_floor_containers() {
    local ids
    ids="$(docker ps -aq --filter "label=dev.kinlet.bench=$RUN_LABEL" 2>/dev/null || true)"
    [[ -z "$ids" ]] && return 0
    # shellcheck disable=SC2086 # one id per word
    docker rm -f $ids >/dev/null 2>&1 || true
    if [[ -n "$(docker ps -aq --filter "label=dev.kinlet.bench=$RUN_LABEL" 2>/dev/null || true)" ]]; then
        warn "floor containers are left: docker rm -f \$(docker ps -aq --filter label=dev.kinlet.bench=$RUN_LABEL)"
        return 1
    fi
}

bench_cleanup() { remove_floor_containers; }

# ---------------------------------------------------------------------------------------------
# Build, images, daemon
# ---------------------------------------------------------------------------------------------

if [[ -n "$BUILD" ]]; then
    bench_build
    scalebench_build
else
    bench_use_last_build
fi
bench_images --samples --test

# What else runs on the machine (before kinletd starts: its own start-up keeps the CPUs busy for a
# few seconds): everything measured here shares its cores.
sleep 1
BUSY="$(machine_busy_pct 2)"
((BUSY <= 15)) || warn "the machine was ${BUSY}% busy before kinletd started: the figures will be noisy"

bench_start_kinletd "${AUTOSCALER_FLAGS[@]}" "${KINLETD_EXTRA[@]}"

# ---------------------------------------------------------------------------------------------
# Measure
# ---------------------------------------------------------------------------------------------

suite_coldstart
suite_wake
suite_step

GIT_REV="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -n "$(git -C "$REPO_ROOT" status --porcelain -- src 2>/dev/null)" ]] && GIT_REV+=" + uncommitted changes in src/"
bench_stop_kinletd || die "could not remove the bench daemon's containers"
remove_floor_containers || die "could not remove the floor's containers"

image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null | cut -c8-19; }
CPU_MODEL="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
ASPNET_VERSION="$(dotnet --list-runtimes | awk '$1 == "Microsoft.AspNetCore.App" { v = $2 } END { print v }')"
ENGINE_VERSION="$(docker version -f '{{.Server.Version}}' 2>/dev/null || echo '?')"
KINLETD_CMD="kinletd --state-dir <tmp> --api-port $API_PORT --ingress-port $INGRESS_PORT ${AUTOSCALER_FLAGS[*]}${KINLETD_ARGS:+ $KINLETD_ARGS}"
SETUP_LINE="Machine: $(nproc) × ${CPU_MODEL:-unknown CPU}, Linux $(uname -r), Docker Engine ${ENGINE_VERSION}; \
the client, kinletd and the containers share it (${BUSY}% busy before kinletd started). \
kinletd: Release build of ${GIT_REV} on ASP.NET Core ${ASPNET_VERSION}, \`${KINLETD_CMD}\`. \
Images: \`${HELLO_IMAGE}\` ($(image_id "$HELLO_IMAGE")), \`${TESTFN_IMAGE}\` ($(image_id "$TESTFN_IMAGE")). \
Requests go to the ingress 127.0.0.1:${INGRESS_PORT} with \`Host: <service>.localhost:${INGRESS_PORT}\`."

render_scale "$RAW/report.md"
mkdir -p "$RESULTS_DIR"
cp "$RAW/report.md" "$RESULTS_DIR/$DAY-$SUFFIX.md"
echo
cat "$RAW/report.md"
echo
log "written: bench/results/$DAY-$SUFFIX.md (raw: ${RAW#"$REPO_ROOT"/}) in $(elapsed "$total_start")"
errors="$(kv "$RAW/step.txt" errors)"
((${errors:-0} == 0)) || warn "$errors step-load requests failed (a figure, not a failure of the run): see $RAW/step-errors.txt"
