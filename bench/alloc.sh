#!/usr/bin/env bash
# Kinlet's allocation benchmark (never part of the test run): bytes allocated per forwarded request,
# now and at an older revision, in the same run. Builds bench/tools/ForwardBench (Release) against this
# checkout and, with --baseline, against REV in a temporary git worktree; runs both; prints one markdown
# report and writes it to bench/results/<YYYY-MM-DD>-alloc.md (raw output: bench/results/raw/, not in git).
#
#   bench/alloc.sh [options]
#
#   --requests N          requests per path and round (default 20000)
#   --warmup N            requests per path before the first round (default 5000)
#   --connections K       client connections, one loop each (default 32)
#   --rounds R            rounds; the report gives the medians (default 5)
#   --baseline REV        also build and run the same bench against REV (e.g. 062a664), for before/after
#   --label NAME          write bench/results/<date>-alloc-NAME.md instead
#   --no-build            reuse the last build of this checkout's ForwardBench (REV's is cached per commit)
#   --keep                keep the temp dir (REV's worktree)
#
# Paths (ForwardBench, in one process with a backend on Kestrel; see its header):
#   kinlet     GET through Kinlet's real ingress (AddKinletServing(), the daemon's ingress middleware) to a
#              ready instance: GC.GetTotalAllocatedBytes(precise) per request, whole process
#   bare       the same GET through YARP's IHttpForwarder alone (same client settings): the baseline
#   own        kinlet − bare: what Kinlet allocates on top of YARP's forwarder
#   activator  the revision held at zero while K requests queue in the activator, then one instance ready
# No engine, no kinletd: talks only to 127.0.0.1. Exits non-zero when something breaks (build, a request
# that does not answer 200).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd -P)"
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"
# shellcheck source=bench/lib/bench.sh
source "$BENCH_DIR/lib/bench.sh"

REQUESTS=20000
WARMUP=5000
CONNECTIONS=32
ROUNDS=5
BASELINE=""
LABEL=""
BUILD=1
KEEP=""

while (($#)); do
    case "$1" in
    --requests) need_value "$@"; REQUESTS="$2"; shift ;;
    --warmup) need_value "$@"; WARMUP="$2"; shift ;;
    --connections) need_value "$@"; CONNECTIONS="$2"; shift ;;
    --rounds) need_value "$@"; ROUNDS="$2"; shift ;;
    --baseline) need_value "$@"; BASELINE="$2"; shift ;;
    --label) need_value "$@"; LABEL="$2"; shift ;;
    --no-build) BUILD="" ;;
    --keep) KEEP=1 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done
for v in REQUESTS CONNECTIONS ROUNDS; do
    [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "--${v,,} takes a positive number (got '${!v}')"
done
[[ "$WARMUP" =~ ^[0-9]+$ ]] || die "--warmup takes a number (got '$WARMUP')"
[[ -z "$LABEL" || "$LABEL" =~ ^[A-Za-z0-9._-]+$ ]] || die "--label takes letters, digits, . _ - (got '$LABEL')"
BASE_SHA=""
if [[ -n "$BASELINE" ]]; then
    BASE_SHA="$(git -C "$REPO_ROOT" rev-parse --verify --quiet "$BASELINE^{commit}")" ||
        die "--baseline: '$BASELINE' is not a commit of this repository"
fi

REPRO_CMD="bench/alloc.sh --requests $REQUESTS --warmup $WARMUP --connections $CONNECTIONS --rounds $ROUNDS"
[[ -n "$BASELINE" ]] && REPRO_CMD+=" --baseline $BASELINE"
[[ -n "$LABEL" ]] && REPRO_CMD+=" --label $LABEL"

BASE_TREE=""
# bench_cleanup: the baseline's worktree goes (bench_on_exit calls it before the common clean-up).
bench_cleanup() {
    if [[ -n "$BASE_TREE" && -d "$BASE_TREE" ]]; then
        git -C "$REPO_ROOT" worktree remove --force "$BASE_TREE" >/dev/null 2>&1 || { rm -rf "$BASE_TREE"; git -C "$REPO_ROOT" worktree prune; }
    fi
}

bench_prepare "alloc${LABEL:+-$LABEL}" --no-engine

TOOL="$BENCH_CACHE/forwardbench/ForwardBench.dll"
if [[ -n "$BUILD" ]]; then
    bench_build_tool ForwardBench
else
    [[ -f "$TOOL" ]] || die "--no-build: no earlier build of ForwardBench in $BENCH_CACHE/forwardbench"
fi

BASE_TOOL=""
if [[ -n "$BASE_SHA" ]]; then
    # The same tool, built against REV's src/ in a worktree of its own (never this checkout's obj/).
    BASE_OUT="$BENCH_CACHE/forwardbench-base/${BASE_SHA:0:12}"
    BASE_TOOL="$BASE_OUT/ForwardBench.dll"
    if [[ -n "$BUILD" || ! -f "$BASE_TOOL" ]]; then
        start="$(now_s)"
        BASE_TREE="$TMP/baseline"
        git -C "$REPO_ROOT" worktree add --detach "$BASE_TREE" "$BASE_SHA" >"$RAW/baseline-worktree.log" 2>&1 ||
            die "git worktree add $BASELINE failed (log: $RAW/baseline-worktree.log)"
        rm -rf "$BASE_TREE/bench/tools/ForwardBench"
        mkdir -p "$BASE_TREE/bench/tools"
        cp -r "$BENCH_DIR/tools/ForwardBench" "$BASE_TREE/bench/tools/ForwardBench"
        rm -rf "$BASE_TREE/bench/tools/ForwardBench/bin" "$BASE_TREE/bench/tools/ForwardBench/obj"
        if ! dotnet build "$BASE_TREE/bench/tools/ForwardBench/ForwardBench.csproj" -c Release --nologo \
            --artifacts-path "$TMP/baseline-artifacts" -o "$BASE_OUT" >"$RAW/build-forwardbench-base.log" 2>&1; then
            grep -E 'error|Error' "$RAW/build-forwardbench-base.log" | tail -n 15 | sed 's/^/    /' >&2
            die "ForwardBench does not build against $BASELINE (log: $RAW/build-forwardbench-base.log)"
        fi
        log "built bench/tools/ForwardBench against $BASELINE (${BASE_SHA:0:7}) in $(elapsed "$start")"
    fi
fi

GIT_REV="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -n "$(git -C "$REPO_ROOT" status --porcelain -- src bench/tools/ForwardBench 2>/dev/null)" ]] && GIT_REV+=" + uncommitted changes"
TOOL_ARGS=(--requests "$REQUESTS" --warmup "$WARMUP" --connections "$CONNECTIONS" --rounds "$ROUNDS")
# run_tool DLL LABEL OUT: one ForwardBench process; its key=value lines in OUT, progress on stderr.
run_tool() {
    log "ForwardBench $2: ${TOOL_ARGS[*]}"
    if ! dotnet "$1" "${TOOL_ARGS[@]}" --label "$2" >"$3" 2>"$3.err"; then
        tail -n 15 "$3.err" | sed 's/^/    /' >&2
        die "ForwardBench ($2) failed (stderr: $3.err)"
    fi
    grep '^round=' "$3" | sed 's/^/    /' >&2
}
if [[ -n "$BASE_TOOL" ]]; then run_tool "$BASE_TOOL" "$BASELINE" "$RAW/base.txt"; fi
run_tool "$TOOL" "$GIT_REV" "$RAW/current.txt"
# The baseline ran first; run it again last, so a drift over the run shows as a spread, not as a change.
if [[ -n "$BASE_TOOL" ]]; then run_tool "$BASE_TOOL" "$BASELINE" "$RAW/base2.txt"; fi

# kv FILE KEY: KEY's value on FILE's summary line.
kv() { sed -nE "s/^summary .*(^| )$2=([^ ]*).*/\2/p" "$1" | head -n1; }

OUT="$RESULTS_DIR/$DAY-alloc${LABEL:+-$LABEL}.md"
{
    printf '# Allocated bytes per forwarded request: %s\n\n' "$RUN_STAMP"
    printf 'Machine: %s × %s, Linux %s. Release builds; ForwardBench hosts a backend, Kinlet'"'"'s ingress (AddKinletServing() and the daemon'"'"'s ingress middleware) and a bare YARP forwarder hop on Kestrel (127.0.0.1, port 0) in one process, and drives %s GET requests per path and round over %s connections (%s rounds, medians; %s warm-up requests first). Bytes are `GC.GetTotalAllocatedBytes(precise: true)` over the round divided by its requests: the whole process (client, proxy, backend).\n\n' \
        "$(nproc)" "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" "$(uname -r)" "$REQUESTS" "$CONNECTIONS" "$ROUNDS" "$WARMUP"
    printf 'Command: `%s`\n\n' "$REPRO_CMD"
    if [[ -n "$BASE_TOOL" ]]; then
        printf '| bytes per request | before: %s | after: %s | change |\n| --- | ---: | ---: | ---: |\n' "$BASELINE" "$GIT_REV"
        for key in kinlet own bare activator; do
            case "$key" in
            kinlet) name="through Kinlet's ingress (whole process)" ;;
            own) name="Kinlet's own (ingress − bare YARP hop)" ;;
            bare) name="bare YARP IHttpForwarder hop (whole process)" ;;
            activator) name="through the activator (at zero, then ready)" ;;
            esac
            b="$(kv "$RAW/base.txt" "${key}_bytes_per_request")" b2="$(kv "$RAW/base2.txt" "${key}_bytes_per_request")" a="$(kv "$RAW/current.txt" "${key}_bytes_per_request")"
            awk -v n="$name" -v b="$b" -v b2="$b2" -v a="$a" 'BEGIN {
                printf "| %s | %.0f (again at the end: %.0f) | %.0f | %+.0f (%+.0f%%) |\n", n, b, b2, a, a - b, (b != 0 ? (a - b) / b * 100 : 0) }'
        done
    else
        printf '| bytes per request | %s |\n| --- | ---: |\n' "$GIT_REV"
        for key in kinlet own bare activator; do
            printf '| %s | %s |\n' "$key" "$(kv "$RAW/current.txt" "${key}_bytes_per_request")"
        done
    fi
    printf '\nPer round (raw: `%s/`, not in git):\n\n```\n' "${RAW#"$REPO_ROOT"/}"
    for f in "$RAW/base.txt" "$RAW/current.txt" "$RAW/base2.txt"; do
        if [[ -f "$f" ]]; then grep "^round=" "$f"; fi
    done
    printf '```\n'
} >"$OUT"

echo
cat "$OUT"
echo
log "written: ${OUT#"$REPO_ROOT"/} in $(elapsed "$total_start")"
