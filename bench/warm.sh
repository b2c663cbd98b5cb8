#!/usr/bin/env bash
# Kinlet's benchmark (never part of the test run): builds kinletd and kinlet (Release), starts a
# private kinletd on free ports with a temp state dir, deploys samples/hello, and measures warm
# requests through kinletd against the same container's published port. Prints one markdown table
# and writes it to bench/results/<YYYY-MM-DD>-warm.md (raw output: bench/results/raw/, not in git).
#
#   bench/warm.sh [options]
#
#   --duration S          seconds per measured point (default 10)
#   --warmup S            seconds of warm-up before each point, same command (default 2)
#   --prewarm S           seconds of load through kinletd before the first point, so its JIT has
#                         settled (default 30; its requests/s per 5 s are reported)
#   --connections "N..."  connection counts (default "1 32 256")
#   --threads N           wrk threads (default 2, never more than the connections)
#   --paced-rps N         after the saturating points, one more pair at 32 connections, each pausing
#                         between requests so about N requests/s arrive (default 1000; 0: none)
#   --kinletd-args "..."  extra kinletd flags, e.g. "--Kinlet:Serving:AccessLog false"
#   --kinletd-env "..."   NAME=VALUE words for kinletd's environment, e.g. "DOTNET_TieredPGO=0"
#   --access-log          same as --kinletd-args "--Kinlet:Serving:AccessLog true" --label access-log
#                         (kinletd's per-request log is off by default)
#   --label NAME          write bench/results/<date>-warm-NAME.md instead
#   --no-build            reuse the last build in the bench cache
#   --keep                keep the temp dir (kinletd's state dir)
#
# BENCH_CACHE (default ~/.cache/kinlet-bench) holds the build (artifacts and publish output).
# Talks only to 127.0.0.1. Cleans up (kinletd, its containers, the temp dir) on every exit.
# Exits non-zero when something breaks (build, engine, deploy, wrk, failed requests, leftover
# containers); slow numbers never fail it: goals are reported, not asserted.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd -P)"
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"
# shellcheck source=bench/lib/bench.sh
source "$BENCH_DIR/lib/bench.sh"
# shellcheck source=bench/lib/warm.sh
source "$BENCH_DIR/lib/warm.sh"

DURATION=10
WARMUP=2
PREWARM=30
CONNECTIONS="1 32 256"
THREADS=2
PACED_RPS=1000
KINLETD_ARGS=""
KINLETD_ENV_WORDS=""
LABEL=""
BUILD=1
KEEP=""

while (($#)); do
    case "$1" in
    --duration) need_value "$@"; DURATION="$2"; shift ;;
    --warmup) need_value "$@"; WARMUP="$2"; shift ;;
    --prewarm) need_value "$@"; PREWARM="$2"; shift ;;
    --connections) need_value "$@"; CONNECTIONS="$2"; shift ;;
    --threads) need_value "$@"; THREADS="$2"; shift ;;
    --paced-rps) need_value "$@"; PACED_RPS="$2"; shift ;;
    --kinletd-args) need_value "$@"; KINLETD_ARGS="${KINLETD_ARGS:+$KINLETD_ARGS }$2"; shift ;;
    --kinletd-env) need_value "$@"; KINLETD_ENV_WORDS="${KINLETD_ENV_WORDS:+$KINLETD_ENV_WORDS }$2"; shift ;;
    --access-log)
        KINLETD_ARGS="${KINLETD_ARGS:+$KINLETD_ARGS }--Kinlet:Serving:AccessLog true"
        LABEL="${LABEL:-access-log}"
        ;;
    --label) need_value "$@"; LABEL="$2"; shift ;;
    --no-build) BUILD="" ;;
    --keep) KEEP=1 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done
[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "--duration takes whole seconds (got '$DURATION')"
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "--warmup takes whole seconds (got '$WARMUP')"
[[ "$PREWARM" =~ ^[0-9]+$ ]] || die "--prewarm takes whole seconds (got '$PREWARM')"
[[ "$THREADS" =~ ^[1-9][0-9]*$ ]] || die "--threads takes a positive number (got '$THREADS')"
[[ "$PACED_RPS" =~ ^[0-9]+$ ]] || die "--paced-rps takes a whole number (got '$PACED_RPS')"
for c in $CONNECTIONS; do
    [[ "$c" =~ ^[1-9][0-9]*$ ]] || die "--connections takes positive numbers (got '$c')"
done
[[ -n "${CONNECTIONS// /}" ]] || die "--connections is empty"
[[ -z "$LABEL" || "$LABEL" =~ ^[A-Za-z0-9._-]+$ ]] || die "--label takes letters, digits, . _ - (got '$LABEL')"
read -r -a KINLETD_EXTRA <<<"$KINLETD_ARGS"
read -r -a KINLETD_ENV <<<"$KINLETD_ENV_WORDS"
for kv in "${KINLETD_ENV[@]}"; do
    [[ "$kv" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || die "--kinletd-env takes NAME=VALUE words (got '$kv')"
done

# The command that reproduces this run, every setting spelled out.
REPRO_CMD="bench/warm.sh --duration $DURATION --warmup $WARMUP --prewarm $PREWARM --connections '$CONNECTIONS' --threads $THREADS --paced-rps $PACED_RPS"
[[ -n "$KINLETD_ARGS" ]] && REPRO_CMD+=" --kinletd-args '$KINLETD_ARGS'"
[[ -n "$KINLETD_ENV_WORDS" ]] && REPRO_CMD+=" --kinletd-env '$KINLETD_ENV_WORDS'"
[[ -n "$LABEL" ]] && REPRO_CMD+=" --label $LABEL"

# ---------------------------------------------------------------------------------------------
# Prerequisites, lock, temp dir, cleanup
# ---------------------------------------------------------------------------------------------

CLK_TCK="$(getconf CLK_TCK)"
bench_prepare "warm${LABEL:+-$LABEL}"

# ---------------------------------------------------------------------------------------------
# Build, images, daemon, deploy
# ---------------------------------------------------------------------------------------------

if [[ -n "$BUILD" ]]; then
    bench_build
else
    bench_use_last_build
fi
bench_images --samples

bench_start_kinletd "${KINLETD_EXTRA[@]}"
bench_deploy_hello

# What else runs on the machine: everything measured here shares its cores.
sleep 1
BUSY="$(machine_busy_pct 2)"
((BUSY <= 15)) || warn "the machine was ${BUSY}% busy before the load (kinletd idle): the figures will be noisy"

# ---------------------------------------------------------------------------------------------
# Measure
# ---------------------------------------------------------------------------------------------

n_conns="$(wc -w <<<"$CONNECTIONS")"
log "warm: ${PREWARM}s pre-warm, then ${n_conns} connection counts × 2 targets ×" \
    "(${WARMUP}s warm-up + ${DURATION}s) ≈ $((PREWARM + n_conns * 2 * (WARMUP + DURATION + 1)))s"
suite_warm

# The daemon's version and the image, for the report; then stop everything before writing it.
GIT_REV="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -n "$(git -C "$REPO_ROOT" status --porcelain -- src 2>/dev/null)" ]] && GIT_REV+=" + uncommitted changes in src/"
HELLO_IMAGE_ID="$(docker inspect -f '{{.Image}}' "$HELLO_CONTAINER" | cut -c8-19)"
bench_stop_kinletd || die "could not remove the bench daemon's containers"

CPU_MODEL="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
ASPNET_VERSION="$(dotnet --list-runtimes | awk '$1 == "Microsoft.AspNetCore.App" { v = $2 } END { print v }')"
ENGINE_VERSION="$(docker version -f '{{.Server.Version}}' 2>/dev/null || echo '?')"
WRK_VERSION="$( (wrk -v 2>&1 || true) | awk 'NR == 1 { print $2 }')"
KINLETD_FLAGS="${KINLETD_ENV_WORDS:+$KINLETD_ENV_WORDS }kinletd --state-dir <tmp> --api-port $API_PORT --ingress-port $INGRESS_PORT${KINLETD_ARGS:+ $KINLETD_ARGS}"
SETUP_LINE="Machine: $(nproc) × ${CPU_MODEL:-unknown CPU}, Linux $(uname -r); wrk, kinletd and the container share it \
(${BUSY}% busy before the load). kinletd: Release build of ${GIT_REV} on ASP.NET Core ${ASPNET_VERSION}, \
\`${KINLETD_FLAGS}\`. Target: \`kinlet.local/hello:latest\` (image ${HELLO_IMAGE_ID}), one instance; \
*direct* is that container's published port 127.0.0.1:${HELLO_PORT} (through the engine's docker-proxy), \
*through kinletd* is the ingress 127.0.0.1:${INGRESS_PORT} with \`Host: hello.localhost:${INGRESS_PORT}\`. \
Docker Engine ${ENGINE_VERSION}, wrk ${WRK_VERSION}."

NOTES=("Raw wrk output, kinletd's log and the build logs: \`bench/results/raw/$(basename "$RAW")/\` (not in git).")

failed="$(awk -F'\t' '{ s += $11 + $12 } END { print s + 0 }' "$RAW/points.tsv")"
timeouts="$(awk -F'\t' '{ s += $13 } END { print s + 0 }' "$RAW/points.tsv")"
((timeouts == 0)) || NOTES+=("" "wrk counted $timeouts request timeouts (> 2 s) over all points: see the raw output.")

render_warm "$RAW/report.md"
mkdir -p "$RESULTS_DIR"
cp "$RAW/report.md" "$RESULTS_DIR/$DAY-$SUFFIX.md"
echo
cat "$RAW/report.md"
echo
log "written: bench/results/$DAY-$SUFFIX.md (raw: ${RAW#"$REPO_ROOT"/}) in $(elapsed "$total_start")"
((failed == 0)) || die "$failed requests failed (socket errors or non-2xx answers): see $RAW/wrk-*.txt"
