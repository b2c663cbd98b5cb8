#!/usr/bin/env bash
# Kinlet's broker benchmark (never part of the test run): durable ingest and end-to-end delivery.
# Builds kinletd and kinlet (Release) and bench/tools/EventBench, starts a private kinletd on free
# ports with a temp state dir, prints one markdown report and writes it to
# bench/results/<YYYY-MM-DD>-eventing.md (raw output: bench/results/raw/, not in git).
#
#   bench/eventing.sh [options]
#
#   --seconds S           seconds per measured point (default 10; each point has its own warm-up)
#   --connections N       closed-loop connections for the ingest points (default 32)
#   --batch N             events per batched request (default 100)
#   --rate R              events/s offered for the delivery point (default 3000)
#   --burst N             events stored at once for the drain point (default 30000)
#   --label NAME          write bench/results/<date>-eventing-NAME.md instead
#   --no-build            reuse the last build in the bench cache
#   --keep                keep the temp dir (kinletd's state dir)
#
# Points (EventBench, in one process; see its header):
#   floor   POST a binary-mode event to a broker path that does not exist: 404 before the body is read.
#           The ingress's HTTP floor on this machine, the baseline for the ingest rates.
#   single  the same event to a real broker: 202 once stored (group commit into events.db).
#   batch   application/cloudevents-batch+json, --batch events per request, stored all or none.
#   direct  --rate events/s POSTed straight to the subscriber (one HTTP hop): the baseline for latency.
#   deliver --rate events/s into a broker whose trigger delivers to that subscriber; latency = when the
#           subscriber got it − ce-knativearrivaltime (stamped by the ingress before the commit).
#   drain   --burst events stored at once, timed until all are delivered: delivery at saturation.
# Goals (issue 4; reported, never asserted): ingest ≥ 10,000 events/s durable; delivery ≥ 3,000
# events/s with p99 ≤ 20 ms at a moderate rate.
#
# BENCH_CACHE (default ~/.cache/kinlet-bench) holds the builds; one benchmark at a time (its lock).
# Talks only to 127.0.0.1. Cleans up (kinletd, the temp dir) on every exit. Exits non-zero when
# something breaks (build, an unexpected status, events not delivered within the bound).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd -P)"
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"
# shellcheck source=bench/lib/bench.sh
source "$BENCH_DIR/lib/bench.sh"

SECONDS_PER_POINT=10
CONNECTIONS=32
BATCH=100
RATE=3000
BURST=30000
LABEL=""
BUILD=1
KEEP=""
KINLETD_ENV=()

while (($#)); do
    case "$1" in
    --seconds) need_value "$@"; SECONDS_PER_POINT="$2"; shift ;;
    --connections) need_value "$@"; CONNECTIONS="$2"; shift ;;
    --batch) need_value "$@"; BATCH="$2"; shift ;;
    --rate) need_value "$@"; RATE="$2"; shift ;;
    --burst) need_value "$@"; BURST="$2"; shift ;;
    --label) need_value "$@"; LABEL="$2"; shift ;;
    --no-build) BUILD="" ;;
    --keep) KEEP=1 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done
for v in SECONDS_PER_POINT CONNECTIONS BATCH RATE BURST; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "--${v,,} takes a positive number (got '${!v}')"
done
[[ -z "$LABEL" || "$LABEL" =~ ^[A-Za-z0-9._-]+$ ]] || die "--label takes letters, digits, . _ - (got '$LABEL')"

REPRO_CMD="bench/eventing.sh --seconds $SECONDS_PER_POINT --connections $CONNECTIONS --batch $BATCH --rate $RATE --burst $BURST"
[[ -n "$LABEL" ]] && REPRO_CMD+=" --label $LABEL"

bench_prepare "eventing${LABEL:+-$LABEL}"


if [[ -n "$BUILD" ]]; then
    bench_build
    bench_build_tool EventBench
else
    bench_use_last_build
fi
[[ -f "$BENCH_CACHE/eventbench/EventBench.dll" ]] || die "$BENCH_CACHE/eventbench/EventBench.dll is missing (run without --no-build)"

sleep 1
BUSY="$(machine_busy_pct 2)"
((BUSY <= 15)) || warn "the machine was ${BUSY}% busy before kinletd started: the figures will be noisy"

bench_start_kinletd
log "measuring: floor, single, batch ($CONNECTIONS connections, ${SECONDS_PER_POINT} s each), direct and deliver ($RATE/s), drain ($BURST events)"
if ! dotnet "$BENCH_CACHE/eventbench/EventBench.dll" --ingress-port "$INGRESS_PORT" --api-port "$API_PORT" \
    --token-file "$STATE_DIR/token" --seconds "$SECONDS_PER_POINT" --connections "$CONNECTIONS" \
    --batch "$BATCH" --rate "$RATE" --burst "$BURST" --out "$RAW" >"$RAW/eventbench.txt" 2>"$RAW/eventbench.err"; then
    tail -n 10 "$RAW/eventbench.err" | sed 's/^/    /' >&2
    die "EventBench failed (raw: $RAW)"
fi
sed 's/^/    /' "$RAW/eventbench.err" >&2
RSS_KB="$(proc_rss_kb "$KINLETD_PID")"
HWM_KB="$(proc_rss_kb "$KINLETD_PID" VmHWM)"
DB_BYTES="$(du -b "$STATE_DIR/events.db" | cut -f1)"

GIT_REV="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -n "$(git -C "$REPO_ROOT" status --porcelain -- src 2>/dev/null)" ]] && GIT_REV+=" + uncommitted changes in src/"
CPU_MODEL="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
ASPNET_VERSION="$(dotnet --list-runtimes | awk '$1 == "Microsoft.AspNetCore.App" { v = $2 } END { print v }')"

r="$RAW/eventbench.txt"
val() { awk -F= -v k="$1" '$1 == k { print $2 }' "$r"; }
{
    printf '# Kinlet broker benchmark: %s\n\n' "$RUN_STAMP"
    printf 'Machine: %s × %s, Linux %s; EventBench (client and subscriber), kinletd and its LiteDB share it (%s%% busy before kinletd started). ' \
        "$(nproc)" "${CPU_MODEL:-unknown CPU}" "$(uname -r)" "$BUSY"
    printf 'kinletd: Release build of %s on ASP.NET Core %s, defaults (durable broker, group commit into `events.db`). Command: `%s`.\n\n' \
        "$GIT_REV" "$ASPNET_VERSION" "$REPRO_CMD"
    awk -v floor="$(val floor_rps)" -v single="$(val single_events_per_s)" -v batch="$(val batch_events_per_s)" \
        -v sp50="$(val single_p50_ms)" -v sp99="$(val single_p99_ms)" -v fp50="$(val floor_p50_ms)" -v bp50="$(val batch_p50_ms)" \
        -v conns="$CONNECTIONS" -v bsize="$BATCH" -v breq="$(val batch_requests_per_s)" '
        function yes(ok) { return ok ? "**yes**" : "no" }
        BEGIN {
            print "## Durable ingest (closed loop, " conns " connections)\n"
            print "| point | events/s (202 after the commit) | baseline: HTTP floor (404, nothing stored) req/s | ÷ floor | p50 | goal | met? |"
            print "| --- | ---: | ---: | ---: | ---: | --- | --- |"
            printf "| single (binary mode, 1 event per request) | %.0f | %.0f | %.2f× | %.2f ms (floor %.2f ms), p99 %.1f ms | ≥ 10,000/s | %s |\n", single, floor, single / floor, sp50, fp50, sp99, yes(single >= 10000)
            printf "| batch (%d events per request, %.0f requests/s) | %.0f | %.0f | %.2f× | %.1f ms per batch | ≥ 10,000/s | %s |\n", bsize, breq, batch, floor, batch / floor, bp50, yes(batch >= 10000)
        }'
    printf '\n'
    awk -v rate="$RATE" -v dp50="$(val direct_p50_ms)" -v dp99="$(val direct_p99_ms)" \
        -v sent="$(val deliver_sent)" -v got="$(val deliver_received)" -v eps="$(val deliver_events_per_s)" \
        -v lp50="$(val deliver_p50_ms)" -v lp99="$(val deliver_p99_ms)" -v lmax="$(val deliver_max_ms)" \
        -v ip50="$(val ingest_p50_ms_during_deliver)" -v ip99="$(val ingest_p99_ms_during_deliver)" \
        -v ia50="$(val ingest_alone_p50_ms)" -v ia99="$(val ingest_alone_p99_ms)" \
        -v dn="$(val drain_events)" -v ds="$(val drain_store_s)" -v dt="$(val drain_total_s)" -v dr="$(val drain_events_per_s)" '
        function yes(ok) { return ok ? "**yes**" : "no" }
        BEGIN {
            print "## Delivery to a warm subscriber (one trigger, no filter, subscriber answers 202)\n"
            print "| point | figure | baseline | ratio | goal | met? |"
            print "| --- | ---: | ---: | ---: | --- | --- |"
            printf "| delivered/s at %d events/s offered (%d sent, %d delivered) | %.0f/s | offered %d/s | %.2f× | keeps up with ≥ 3,000/s | %s |\n", rate, sent, got, eps, rate, eps / rate, yes(rate >= 3000 && got == sent && eps >= 0.98 * rate)
            printf "| latency p50, arrival → subscriber | %.2f ms | direct HTTP p50 %.2f ms | +%.2f ms | — | — |\n", lp50, dp50, lp50 - dp50
            printf "| latency p99, arrival → subscriber (max %.0f ms) | %.1f ms | direct HTTP p99 %.1f ms | +%.1f ms | ≤ 20 ms | %s |\n", lmax, lp99, dp99, lp99 - dp99, yes(lp99 <= 20)
            printf "| ingest answer p50 / p99 while delivering | %.2f / %.1f ms | ingest alone at the same rate %.2f / %.1f ms | — | — | — |\n", ip50, ip99, ia50, ia99
            printf "| drain: %d events stored (in %.1f s), all delivered after | %.1f s → %.0f events/s | — | — | ≥ 3,000/s | %s |\n", dn, ds, dt, dr, yes(dr >= 3000)
        }'
    printf '\nkinletd RSS after the run: %s MiB (peak %s MiB); events.db: %s MiB for every event of the run.\n' \
        "$((RSS_KB / 1024))" "$((HWM_KB / 1024))" "$((DB_BYTES / 1024 / 1024))"
} >"$RAW/report.md"

mkdir -p "$RESULTS_DIR"
cp "$RAW/report.md" "$RESULTS_DIR/$DAY-$SUFFIX.md"
echo
cat "$RAW/report.md"
echo
log "written: bench/results/$DAY-$SUFFIX.md (raw: ${RAW#"$REPO_ROOT"/}) in $(elapsed "$total_start")"
