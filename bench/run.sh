#!/usr/bin/env bash
# Kinlet's benchmark suite (never part of the test run): runs every suite, one after the other, and
# prints one table with each figure beside its baseline from the same run, the ratio and the goal;
# writes it to bench/results/<YYYY-MM-DD>.md and puts it in the README's Performance section.
#
#   bench/run.sh [--no-build] [--skip SUITE]... [--no-readme]
#   bench/run.sh --readme-only        the README's summary from the latest bench/results/<date>.md
#
#   --no-build      reuse the last Release build (kinletd, kinlet, bench tools) in the bench cache
#   --skip SUITE    leave out warm, scale, eventing, deploy or alloc (repeatable)
#   --no-readme     do not touch README.md
#
# Suites (each a script of its own, with its own report in bench/results/, see their --help):
#   warm      bench/warm.sh --duration 10 --warmup 2 --prewarm 20 --connections '1 32 256' (and 32 paced to 1,000/s)
#             hello through kinletd vs straight to its container (wrk), RSS, CPU per 1,000 requests
#   scale     bench/scale.sh --rounds 10 --clients 50 --clients2 200 --step-seconds 20
#             cold start vs the engine floor, wake from frozen standby vs the engine's unpause, step load
#   eventing  bench/eventing.sh --seconds 10 --rate 3000
#             durable ingest vs the ingress's HTTP floor, delivery and its latency vs direct HTTP
#   deploy    bench/deploy.sh --rounds 3
#             kinlet deploy (first, unchanged, one-line change) vs docker build / service describe
#   alloc     bench/alloc.sh --requests 20000 --warmup 5000 --connections 32 --rounds 5 --baseline 062a664
#             allocated bytes per forwarded request (and through the activator) vs a bare YARP hop, and
#             vs the same bench built against 062a664 (before the hot path's pooling), in-process
# About 15 minutes on 2 cores. Goals are the issues'; they are reported, never asserted. Exits non-zero
# when a suite fails (its own output says why; its raw folder is kept).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd -P)"
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"
# shellcheck source=bench/lib/bench.sh
source "$BENCH_DIR/lib/bench.sh"

RESULTS="$BENCH_DIR/results"
BUILD=1
README_UPDATE=1
README_ONLY=""
SKIP=" "
while (($#)); do
    case "$1" in
    --no-build) BUILD="" ;;
    --skip)
        (($# >= 2)) || die "--skip needs a suite"
        [[ "$2" =~ ^(warm|scale|eventing|deploy|alloc)$ ]] || die "--skip takes warm, scale, eventing, deploy or alloc (got '$2')"
        SKIP+="$2 "
        shift
        ;;
    --no-readme) README_UPDATE="" ;;
    --readme-only) README_ONLY=1 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done

# update_readme FILE: the summary table of FILE goes between the README's bench-summary markers.
update_readme() {
    local file="$1" readme="$REPO_ROOT/README.md" tmp
    grep -q '^<!-- bench-summary:start -->$' "$readme" || die "README.md has no <!-- bench-summary:start --> marker"
    tmp="$(mktemp)"
    awk -v src="$file" -v name="${file#"$REPO_ROOT"/}" '
        /^<!-- bench-summary:start -->$/ {
            print
            printf "Summary of `bench/run.sh` (from `%s`; the sections below give each suite in detail):\n\n", name
            while ((getline l < src) > 0) if (l ~ /^\|/) print l
            print ""
            skip = 1; next
        }
        /^<!-- bench-summary:end -->$/ { skip = 0 }
        !skip { print }' "$readme" >"$tmp"
    mv "$tmp" "$readme"
    log "README.md: Performance summary from ${file#"$REPO_ROOT"/}"
}

if [[ -n "$README_ONLY" ]]; then
    latest="$(find "$RESULTS" -maxdepth 1 -name '20[0-9][0-9]-[0-9][0-9]-[0-9][0-9].md' | sort | tail -n1)"
    [[ -n "$latest" ]] || die "no bench/results/<date>.md yet: run bench/run.sh"
    update_readme "$latest"
    exit 0
fi

# newest_raw SUFFIX: the newest raw folder a suite wrote (bench/results/raw/<time>-SUFFIX); nothing when
# none is there yet (a fresh clone has no bench/results/raw/: find's failure must not end the run).
newest_raw() {
    [[ -d "$RESULTS/raw" ]] || return 0
    find "$RESULTS/raw" -maxdepth 1 -type d -name "*-$1" | sort | tail -n1
}

total_start="$(now_s)"
LOG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/kinlet-bench-run.XXXXXX")"
declare -A RAWS=() CMDS=()
# One build for every suite: kinletd, kinlet and the bench tools (Release, in the bench cache); the suites
# then run with --no-build. No lock here: each suite takes the bench lock itself.
if [[ -n "$BUILD" ]]; then
    ensure_dotnet
    BENCH_CACHE="${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kinlet-bench}"
    RAW="$LOG_DIR"
    mkdir -p "$BENCH_CACHE"
    bench_build
    bench_build_tool ScaleBench
    bench_build_tool EventBench
    bench_build_tool ForwardBench
fi
BUILD_FLAG=(--no-build)

# run_suite NAME SUFFIX SCRIPT ARGS...: runs one suite script, remembers its raw folder and command.
run_suite() {
    local name="$1" suffix="$2" script="$3" before after start
    shift 3
    if [[ "$SKIP" == *" $name "* ]]; then
        log "$name: skipped"
        return 0
    fi
    before="$(newest_raw "$suffix")"
    start="$(now_s)"
    log "$name: bench/$script $* ${BUILD_FLAG[*]}"
    if ! "$BENCH_DIR/$script" "$@" "${BUILD_FLAG[@]}" >"$LOG_DIR/$name.log" 2>&1; then
        tail -n 15 "$LOG_DIR/$name.log" | sed 's/^/    /' >&2
        die "$name failed (its output: $LOG_DIR/$name.log)"
    fi
    after="$(newest_raw "$suffix")"
    [[ -n "$after" && "$after" != "$before" ]] || die "$name wrote no raw folder"
    RAWS[$name]="$after"
    CMDS[$name]="bench/$script $*"
    log "$name: done in $(elapsed "$start") (raw: ${after#"$REPO_ROOT"/})"
}

# Label "run": the suites' own reports are bench/results/<date>-<suite>-run.md, beside (not over) the
# reports of suites run by hand.
run_suite warm warm-run warm.sh --duration 10 --warmup 2 --prewarm 20 --connections "1 32 256" --label run
run_suite scale scale-run scale.sh --rounds 10 --clients 50 --clients2 200 --step-seconds 20 --label run
run_suite eventing eventing-run eventing.sh --seconds 10 --rate 3000 --label run
run_suite deploy deploy-run deploy.sh --rounds 3 --label run
ALLOC_BASELINE=062a664
run_suite alloc alloc-run alloc.sh --requests 20000 --warmup 5000 --connections 32 --rounds 5 --baseline "$ALLOC_BASELINE" --label run

# kv FILE KEY: the value of KEY=value in FILE.
kv() { [[ -f "$1" ]] && sed -nE "s/(^|.* )$2=([^ ]*).*/\2/p" "$1" | head -n1 || true; }

DAY="$(date +%F)"
OUT="$RESULTS/$DAY.md"
CPU_MODEL="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
GIT_REV="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -n "$(git -C "$REPO_ROOT" status --porcelain -- src 2>/dev/null)" ]] && GIT_REV+=" + uncommitted changes in src/"
{
    printf '# Kinlet benchmarks: %s\n\n' "$(date '+%F %H:%M %Z')"
    printf 'Machine: %s × %s, Linux %s, Docker Engine %s; every client, kinletd and the containers share it. ' \
        "$(nproc)" "${CPU_MODEL:-unknown CPU}" "$(uname -r)" "$(docker version -f '{{.Server.Version}}' 2>/dev/null || echo '?')"
    printf 'Release build of %s. Command: `bench/run.sh` (%s in all). Each figure is beside its baseline from the same run; goals are the issues'"'"'.\n\n' \
        "$GIT_REV" "$(elapsed "$total_start")"
    printf '| figure | Kinlet | baseline (same run) | ratio | goal | met? |\n| --- | ---: | ---: | ---: | --- | --- |\n'

    if [[ -n "${RAWS[warm]:-}" ]]; then
        awk -F'\t' -v res="${RAWS[warm]}/resources.env" '
            function commas(n,    s, r) { s = sprintf("%.0f", n); r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }; return s r }
            function yn(ok) { return ok ? "**yes**" : "no" }
            BEGIN { while ((getline l < res) > 0) { split(l, kv, "="); r[kv[1]] = kv[2] } }
            { k = $1 SUBSEP $2; rps[k] = $6; p50[k] = $7; req[k] = $4; kt[k] = $14; ht[k] = $15; err[k] = $11 + $12 + $13; conns[$2] = 1 }
            END {
                n = 0; for (c in conns) cs[++n] = c + 0
                for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (cs[j] < cs[i]) { t = cs[i]; cs[i] = cs[j]; cs[j] = t }
                for (i = 1; i <= n; i++) {
                    c = cs[i]; K = "kinletd" SUBSEP c; D = "direct" SUBSEP c
                    ratio = rps[D] > 0 ? rps[K] / rps[D] : 0; add = (p50[K] - p50[D]) / 1000
                    goal1 = c == 32 ? "≥ 0.8×" : "—"; met1 = c == 32 ? yn(ratio >= 0.8) : "—"
                    goal2 = c == 32 ? "≤ +0.3 ms" : "—"; met2 = c == 32 ? yn(add <= 0.3) : "—"
                    printf "| warm requests/s, %d connections (wrk, hello) | %s | direct to the container %s | %.2f× | %s | %s |\n", c, commas(rps[K]), commas(rps[D]), ratio, goal1, met1
                    printf "| warm latency p50, %d connections | %.3f ms | %.3f ms | +%.3f ms | %s | %s |\n", c, p50[K] / 1000, p50[D] / 1000, add, goal2, met2
                    ek += err[K]; nk += req[K]
                }
                P = "kinletd-paced" SUBSEP 32; Q = "direct-paced" SUBSEP 32
                if (req[P] > 0) {
                    add = (p50[P] - p50[Q]) / 1000
                    printf "| warm latency p50, 32 connections paced to %s requests/s (nothing queues) | %.3f ms | %.3f ms | %+.3f ms | ≤ +0.3 ms | %s |\n", commas(rps[P]), p50[P] / 1000, p50[Q] / 1000, add, yn(add <= 0.3)
                    ek += err[P]; nk += req[P]
                }
                K = "kinletd" SUBSEP 32; D = "direct" SUBSEP 32
                if (req[K] > 0 && r["clk_tck"] > 0)
                    printf "| kinletd CPU per 1,000 requests (32 connections) | %.3f s | the hello function, direct: %.3f s | %.2f× | — | — |\n", kt[K] / r["clk_tck"] / req[K] * 1000, ht[D] / r["clk_tck"] / req[D] * 1000, (ht[D] > 0 ? (kt[K] / req[K]) / (ht[D] / req[D]) : 0)
                printf "| kinletd RSS idle / after the warm load | %.0f / %.0f MiB | hello: %.0f / %.0f MiB | — | — | — |\n", r["kinletd_rss_idle_kb"] / 1024, r["kinletd_rss_after_kb"] / 1024, r["hello_rss_idle_kb"] / 1024, r["hello_rss_after_kb"] / 1024
                printf "| warm failed requests | %s of %s | — | — | 0 | %s |\n", commas(ek), commas(nk), yn(ek == 0)
            }' "${RAWS[warm]}/points.tsv"
    fi

    if [[ -n "${RAWS[scale]:-}" ]]; then
        c="${RAWS[scale]}/coldstart.txt" w="${RAWS[scale]}/wake.txt" s="${RAWS[scale]}/step.txt"
        awk -v fp50="$(kv "$c" floor_p50)" -v fp95="$(kv "$c" floor_p95)" -v kp50="$(kv "$c" kinlet_p50)" -v kp95="$(kv "$c" kinlet_p95)" \
            -v wf50="$(kv "$w" wake_floor_p50)" -v wf95="$(kv "$w" wake_floor_p95)" -v w50="$(kv "$w" wake_p50)" -v w95="$(kv "$w" wake_p95)" \
            -v mem="$(kv "$w" frozen_memory_mib)" -v reached="$(kv "$s" reached_ms)" -v steady="$(kv "$s" steady_desired)" \
            -v peak="$(kv "$s" peak_containers)" -v expect="$(kv "$s" expect)" -v err="$(kv "$s" errors)" -v req="$(kv "$s" requests)" \
            -v c2="$(kv "$s" clients2)" -v reached2="$(kv "$s" reached2_ms)" -v steady2="$(kv "$s" steady2_desired)" \
            -v peak2="$(kv "$s" peak2_containers)" -v expect2="$(kv "$s" expect2)" -v err2="$(kv "$s" errors2)" -v req2="$(kv "$s" requests2)" '
            function yn(ok) { return ok ? "**yes**" : "no" }
            BEGIN {
                printf "| cold start p50 (hello, at zero → 200) | %.0f ms | Engine API create + start + first 200: %.0f ms | %.2f× | ≤ 1.15× | %s |\n", kp50, fp50, kp50 / fp50, yn(kp50 / fp50 <= 1.15)
                printf "| cold start p95 | %.0f ms | %.0f ms | %.2f× | ≤ 1.15× | %s |\n", kp95, fp95, kp95 / fp95, yn(kp95 / fp95 <= 1.15)
                if (w50 != "") {
                    printf "| wake from frozen standby p50 | %.1f ms | Engine API unpause + first 200: %.1f ms | %.2f× | ≤ 25 ms | %s |\n", w50, wf50, w50 / wf50, yn(w50 <= 25)
                    printf "| wake from frozen standby p95 | %.1f ms | %.1f ms | %.2f× | — | — |\n", w95, wf95, w95 / wf95
                    printf "| memory a frozen hello instance keeps | %.1f MiB | — | — | — | — |\n", mem
                }
                if (reached == "never") printf "| step load 0 → 50 clients: ready = desired after | never | — | — | ≤ 4 s | no |\n"
                else printf "| step load 0 → 50 clients: ready = desired (%s) after | %.2f s | — | — | ≤ 4 s | %s |\n", steady, reached / 1000, yn(reached <= 4000)
                printf "| step load: peak instances / needed | %s / %s | — | %.2f× | — | — |\n", peak, expect, (expect > 0 ? peak / expect : 0)
                printf "| step load errors | %s of %s | — | — | 0 | %s |\n", err, req, yn(err + 0 == 0)
                if (c2 != "") {
                    if (reached2 == "never") printf "| step load 50 → %s clients: ready = desired after | never | — | — | — | — |\n", c2
                    else printf "| step load 50 → %s clients: ready = desired (%s) after | %.2f s | — | — | — | — |\n", c2, steady2, reached2 / 1000
                    printf "| step load 50 → %s: peak instances / needed | %s / %s | — | %.2f× | — | — |\n", c2, peak2, expect2, (expect2 > 0 ? peak2 / expect2 : 0)
                    printf "| step load 50 → %s errors | %s of %s | — | — | 0 | %s |\n", c2, err2, req2, yn(err2 + 0 == 0)
                }
            }'
    fi

    if [[ -n "${RAWS[eventing]:-}" ]]; then
        e="${RAWS[eventing]}/eventbench.txt"
        val() { awk -F= -v k="$1" '$1 == k { print $2 }' "$e"; }
        awk -v floor="$(val floor_rps)" -v single="$(val single_events_per_s)" -v batch="$(val batch_events_per_s)" \
            -v rate="$(val rate)" -v sent="$(val deliver_sent)" -v got="$(val deliver_received)" -v eps="$(val deliver_events_per_s)" \
            -v lp99="$(val deliver_p99_ms)" -v dp99="$(val direct_p99_ms)" -v lp50="$(val deliver_p50_ms)" -v dp50="$(val direct_p50_ms)" '
            function yn(ok) { return ok ? "**yes**" : "no" }
            BEGIN {
                printf "| broker durable ingest, 1 event per request (32 connections) | %.0f events/s | ingress HTTP floor (404, nothing stored) %.0f req/s | %.2f× | ≥ 10,000/s | %s |\n", single, floor, single / floor, yn(single >= 10000)
                printf "| broker durable ingest, batches of 100 | %.0f events/s | %.0f req/s | %.2f× | ≥ 10,000/s | %s |\n", batch, floor, batch / floor, yn(batch >= 10000)
                printf "| broker delivery at %d events/s offered | %.0f/s (%d of %d) | offered %d/s | %.2f× | keeps up | %s |\n", rate, eps, got, sent, rate, eps / rate, yn(got == sent && eps >= 0.98 * rate)
                printf "| delivery latency p50 / p99, arrival → subscriber | %.1f / %.1f ms | direct HTTP %.1f / %.1f ms | — | p99 ≤ 20 ms | %s |\n", lp50, lp99, dp50, dp99, yn(lp99 <= 20)
            }'
    fi

    if [[ -n "${RAWS[deploy]:-}" ]]; then
        d="${RAWS[deploy]}/points.tsv"
        median() { tail -n +2 "$d" | cut -f "$1" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
        awk -v f="$(median 2)" -v fd="$(median 3)" -v u="$(median 4)" -v ve="$(median 5)" -v o="$(median 6)" -v od="$(median 7)" '
            function yn(ok) { return ok ? "**yes**" : "no" }
            BEGIN {
                printf "| kinlet deploy, C# hello, first (build, create, Ready) | %.1f s | docker build of the same context %.1f s | %.2f× | — | — |\n", f, fd, f / fd
                printf "| kinlet deploy, unchanged | %.2f s | kinlet service describe %.2f s | %.2f× | < 1 s | %s |\n", u, ve, u / ve, yn(u < 1)
                printf "| kinlet deploy, one-line change | %.1f s | docker build of the changed context %.1f s | %.2f× | — | — |\n", o, od, o / od
            }'
    fi

    if [[ -n "${RAWS[alloc]:-}" ]]; then
        cur="${RAWS[alloc]}/current.txt" base="${RAWS[alloc]}/base.txt"
        # skv FILE KEY: KEY's value on ForwardBench's summary line (medians over the rounds).
        skv() { [[ -f "$1" ]] && sed -nE "s/^summary .* $2=([^ ]*).*/\1/p" "$1" | head -n1 || true; }
        awk -v rev="$ALLOC_BASELINE" -v k="$(skv "$cur" kinlet_bytes_per_request)" -v kb="$(skv "$base" kinlet_bytes_per_request)" \
            -v o="$(skv "$cur" own_bytes_per_request)" -v ob="$(skv "$base" own_bytes_per_request)" \
            -v b="$(skv "$cur" bare_bytes_per_request)" -v bb="$(skv "$base" bare_bytes_per_request)" \
            -v a="$(skv "$cur" activator_bytes_per_request)" -v ab="$(skv "$base" activator_bytes_per_request)" '
            function commas(n,    s, r) { s = sprintf("%.0f", n); r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }; return s r }
            function yn(ok) { return ok ? "**yes**" : "no" }
            function ratio(x, y) { return y > 0 ? sprintf("%.2f×", x / y) : "—" }
            BEGIN {
                printf "| allocated bytes per forwarded request, whole process (ForwardBench, 32 connections) | %s B | before (%s): %s B | %s | ≤ before | %s |\n", commas(k), rev, commas(kb), ratio(k, kb), yn(k <= kb)
                printf "| Kinlet'"'"'s own bytes per forwarded request (ingress − bare YARP hop) | %s B | before (%s): %s B | %s | ≤ before | %s |\n", commas(o), rev, commas(ob), ratio(o, ob), yn(o <= ob)
                printf "| bare YARP forwarder hop, bytes per request (whole process) | %s B | before (%s): %s B | %s | — | — |\n", commas(b), rev, commas(bb), ratio(b, bb)
                printf "| allocated bytes per request through the activator (at zero, then ready) | %s B | before (%s): %s B | %s | — | — |\n", commas(a), rev, commas(ab), ratio(a, ab)
            }'
    fi

    printf '\nEach suite reproduces on its own:\n\n'
    for name in warm scale eventing deploy alloc; do
        [[ -n "${RAWS[$name]:-}" ]] || continue
        printf -- '- %s: `%s` (report: `bench/results/%s-%s-run.md`; raw: `%s/`, not in git)\n' \
            "$name" "${CMDS[$name]}" "$DAY" "$name" "${RAWS[$name]#"$REPO_ROOT"/}"
    done
} >"$OUT"

rm -rf "$LOG_DIR"
echo
cat "$OUT"
echo
log "written: ${OUT#"$REPO_ROOT"/} in $(elapsed "$total_start")"
[[ -n "$README_UPDATE" ]] && update_readme "$OUT"
exit 0
