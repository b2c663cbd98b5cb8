#!/usr/bin/env bash
# Memory under endless retries (never part of the test run): one dispatcher, wired as the daemon wires it, whose
# trigger's subscriber always answers 500, for N minutes; every S seconds RSS, GC heap (after a full GC), live
# timers and the cancellation registrations on the dispatcher's own token. Builds bench/tools/RetryBench
# (Release) against this checkout, or with --ref REV against REV in a temporary git worktree (the same tool,
# the same script: before/after). Prints a markdown table and writes it to
# bench/results/<YYYY-MM-DD>-retry-memory[-LABEL].md (raw output: bench/results/raw/, not in git).
#
#   bench/retry-memory.sh [options]
#
#   --minutes N      how long (default 10)
#   --sample S       seconds between samples (default 30)
#   --rate R         events per second into the broker (default 0.2: one event retrying at a time, the case
#                    where a wait on an empty retry queue used to be an infinite Task.Delay)
#   --retries K      spec.delivery.retry (default 10)
#   --backoff D      spec.delivery.backoffDelay, linear (default PT0.05S)
#   --ref REV        build and run the bench against REV (e.g. 062a664) instead of this checkout
#   --label NAME     write bench/results/<date>-retry-memory-NAME.md (default with --ref: ref-<short sha>)
#   --keep           keep the temp dir (REV's worktree)
#   --from-raw DIR   no build, no run: write the report again from an earlier run's DIR/samples.txt (give the
#                    same options as that run; the report's command stays the run's own)
#
# No engine, no kinletd: talks only to 127.0.0.1. Exits non-zero when something breaks.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd -P)"
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"
# shellcheck source=bench/lib/bench.sh
source "$BENCH_DIR/lib/bench.sh"

MINUTES=10
SAMPLE=30
RATE=0.2
RETRIES=10
BACKOFF=PT0.05S
REF=""
LABEL=""
KEEP=""
FROM_RAW=""

while (($#)); do
    case "$1" in
    --minutes) need_value "$@"; MINUTES="$2"; shift ;;
    --sample) need_value "$@"; SAMPLE="$2"; shift ;;
    --rate) need_value "$@"; RATE="$2"; shift ;;
    --retries) need_value "$@"; RETRIES="$2"; shift ;;
    --backoff) need_value "$@"; BACKOFF="$2"; shift ;;
    --ref) need_value "$@"; REF="$2"; shift ;;
    --label) need_value "$@"; LABEL="$2"; shift ;;
    --keep) KEEP=1 ;;
    --from-raw) need_value "$@"; FROM_RAW="$2"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done
for v in MINUTES SAMPLE RATE; do
    [[ "${!v}" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--${v,,} takes a number (got '${!v}')"
done
[[ "$RETRIES" =~ ^[0-9]+$ ]] || die "--retries takes a number (got '$RETRIES')"
[[ "$BACKOFF" =~ ^P[0-9A-Z.]+$ ]] || die "--backoff takes an ISO-8601 duration such as PT0.05S (got '$BACKOFF')"
[[ -z "$LABEL" || "$LABEL" =~ ^[A-Za-z0-9._-]+$ ]] || die "--label takes letters, digits, . _ - (got '$LABEL')"
REF_SHA=""
if [[ -n "$REF" ]]; then
    REF_SHA="$(git -C "$REPO_ROOT" rev-parse --verify --quiet "$REF^{commit}")" ||
        die "--ref: '$REF' is not a commit of this repository"
    [[ -n "$LABEL" ]] || LABEL="ref-${REF_SHA:0:7}"
fi

REPRO_CMD="bench/retry-memory.sh --minutes $MINUTES --sample $SAMPLE --rate $RATE --retries $RETRIES --backoff $BACKOFF"
[[ -n "$REF" ]] && REPRO_CMD+=" --ref $REF"
[[ -n "$LABEL" && ( -z "$REF" || "$LABEL" != "ref-${REF_SHA:0:7}" ) ]] && REPRO_CMD+=" --label $LABEL"

REF_TREE=""
# bench_cleanup: REV's worktree goes (bench_on_exit calls it before the common clean-up).
bench_cleanup() {
    if [[ -n "$REF_TREE" && -d "$REF_TREE" && -z "$KEEP" ]]; then
        git -C "$REPO_ROOT" worktree remove --force "$REF_TREE" >/dev/null 2>&1 || { rm -rf "$REF_TREE"; git -C "$REPO_ROOT" worktree prune; }
    fi
}

bench_prepare "retry-memory${LABEL:+-$LABEL}" --no-engine

SAMPLES="$RAW/samples.txt"
if [[ -n "$FROM_RAW" ]]; then
    [[ -f "$FROM_RAW/samples.txt" ]] || die "--from-raw: no samples.txt in '$FROM_RAW'"
    SAMPLES="$FROM_RAW/samples.txt"
    GIT_REV="${REF_SHA:0:7}"
    [[ -n "$GIT_REV" ]] || GIT_REV="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
elif [[ -z "$REF_SHA" ]]; then
    bench_build_tool RetryBench
    TOOL="$BENCH_CACHE/retrybench/RetryBench.dll"
    GIT_REV="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    [[ -n "$(git -C "$REPO_ROOT" status --porcelain -- src bench/tools/RetryBench 2>/dev/null)" ]] && GIT_REV+=" + uncommitted changes"
else
    # The same tool, built against REV's src/ in a worktree of its own (never this checkout's obj/).
    start="$(now_s)"
    REF_TREE="$TMP/ref"
    git -C "$REPO_ROOT" worktree add --detach "$REF_TREE" "$REF_SHA" >"$RAW/ref-worktree.log" 2>&1 ||
        die "git worktree add $REF failed (log: $RAW/ref-worktree.log)"
    rm -rf "$REF_TREE/bench/tools/RetryBench"
    mkdir -p "$REF_TREE/bench/tools"
    cp -r "$BENCH_DIR/tools/RetryBench" "$REF_TREE/bench/tools/RetryBench"
    rm -rf "$REF_TREE/bench/tools/RetryBench/bin" "$REF_TREE/bench/tools/RetryBench/obj"
    TOOL_OUT="$TMP/ref-out"
    if ! dotnet build "$REF_TREE/bench/tools/RetryBench/RetryBench.csproj" -c Release --nologo \
        --artifacts-path "$TMP/ref-artifacts" -o "$TOOL_OUT" >"$RAW/build-retrybench-ref.log" 2>&1; then
        grep -E 'error|Error' "$RAW/build-retrybench-ref.log" | tail -n 15 | sed 's/^/    /' >&2
        die "RetryBench does not build against $REF (log: $RAW/build-retrybench-ref.log)"
    fi
    log "built bench/tools/RetryBench against $REF (${REF_SHA:0:7}) in $(elapsed "$start")"
    TOOL="$TOOL_OUT/RetryBench.dll"
    GIT_REV="${REF_SHA:0:7}"
fi

if [[ -z "$FROM_RAW" ]]; then
log "RetryBench ($GIT_REV): $MINUTES min, a sample every $SAMPLE s"
if ! dotnet "$TOOL" --minutes "$MINUTES" --sample "$SAMPLE" --rate "$RATE" --retries "$RETRIES" --backoff "$BACKOFF" \
    >"$RAW/samples.txt" 2>"$RAW/samples.err"; then
    tail -n 15 "$RAW/samples.err" | sed 's/^/    /' >&2
    die "RetryBench failed (stderr: $RAW/samples.err)"
fi
fi

# kv LINE KEY: KEY's value on a key=value line.
kv() { sed -nE "s/^(.* )?$2=([^ ]*).*/\2/p" <<<"$1"; }

OUT="$RESULTS_DIR/$DAY-retry-memory${LABEL:+-$LABEL}.md"
{
    printf '# Memory under endless retries: %s, code at %s\n\n' "$RUN_STAMP" "$GIT_REV"
    printf 'Machine: %s × %s, Linux %s. RetryBench (Release, workstation GC) hosts AddKinletEventing() over a LiteDB store and event log, a broker and a trigger whose subscriber (Kestrel, 127.0.0.1) always answers 500; %s events/s for %s min, each tried 1 + %s times (linear from %s), then kept as failed. A sample every %s s after a full GC: RSS (VmRSS), GC heap (`GC.GetTotalMemory(true)`), live timers (`Timer.ActiveCount`) and the callbacks registered on the dispatcher'"'"'s CancellationTokenSources (reflection).\n\n' \
        "$(nproc)" "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" "$(uname -r)" "$RATE" "$MINUTES" "$RETRIES" "$BACKOFF" "$SAMPLE"
    printf 'Command: `%s`\n\n' "$REPRO_CMD"
    [[ -z "$FROM_RAW" ]] || printf 'Table written again from that run'"'"'s raw samples (`%s`) by the same command with `--from-raw %s`.\n\n' "${SAMPLES#"$REPO_ROOT"/}" "${FROM_RAW#"$REPO_ROOT"/}"
    printf '| t (s) | RSS (MB) | GC heap (MB) | timers | registrations | events in | attempts |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
    while read -r line; do
        printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$(kv "$line" t_s)" "$(kv "$line" rss_mb)" "$(kv "$line" gc_heap_mb)" \
            "$(kv "$line" timers)" "$(kv "$line" registrations)" "$(kv "$line" published)" "$(kv "$line" attempts)"
    done < <(grep '^sample ' "$SAMPLES")
    printf '\n`%s`\n' "$(grep '^summary ' "$SAMPLES" || echo 'summary missing')"
} >"$OUT"

echo
cat "$OUT"
echo
log "written: ${OUT#"$REPO_ROOT"/} in $(elapsed "$total_start")"
