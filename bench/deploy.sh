#!/usr/bin/env bash
# Kinlet's deploy benchmark (never part of the test run): how long `kinlet deploy` takes for the C#
# hello function of `kinlet init NAME --language dotnet`, against the engine doing the same build alone.
# Builds kinletd and kinlet (Release), starts a private kinletd on free ports with a temp state dir,
# prints one markdown report and writes it to bench/results/<YYYY-MM-DD>-deploy.md.
#
#   bench/deploy.sh [--rounds N] [--label NAME] [--no-build] [--keep]
#
#   --rounds N    functions to measure, each through the three points (default 3; medians reported)
#   --label NAME  write bench/results/<date>-deploy-NAME.md instead
#   --no-build    reuse the last build in the bench cache
#   --keep        keep the temp dir
#
# Points, per round (a fresh function name each round, so the first build is a real one):
#   first       kinlet init + kinlet deploy: build (restore, publish), create the service, wait for Ready.
#               Baseline: `docker build` of the same context (what kinlet sends) under another tag,
#               with the engine's layer cache as warm as for kinlet (base images present).
#   unchanged   kinlet deploy again with nothing changed: hash the folder, ask for the image, compare
#               the service; no build, no revision. Baseline: `kinlet service describe NAME` (CLI start,
#               reading the service).
#               Goal (issue 5): well under a second.
#   one-line    Handler.cs gets one changed line, then kinlet deploy: rebuild from the restore layer,
#               a new revision, Ready. Baseline: `docker build` of the same changed context.
#
# BENCH_CACHE (default ~/.cache/kinlet-bench) holds the builds; one benchmark at a time (its lock).
# Talks only to 127.0.0.1. Removes its services, images and temp dir on every exit.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd -P)"
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"
# shellcheck source=bench/lib/bench.sh
source "$BENCH_DIR/lib/bench.sh"

ROUNDS=3
LABEL=""
BUILD=1
KEEP=""
KINLETD_ENV=()

while (($#)); do
    case "$1" in
    --rounds) (($# >= 2)) || die "--rounds needs a value"; ROUNDS="$2"; shift ;;
    --label) (($# >= 2)) || die "--label needs a value"; LABEL="$2"; shift ;;
    --no-build) BUILD="" ;;
    --keep) KEEP=1 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done
[[ "$ROUNDS" =~ ^[1-9][0-9]?$ ]] || die "--rounds takes 1 to 99 (got '$ROUNDS')"
[[ -z "$LABEL" || "$LABEL" =~ ^[A-Za-z0-9._-]+$ ]] || die "--label takes letters, digits, . _ - (got '$LABEL')"
REPRO_CMD="bench/deploy.sh --rounds $ROUNDS${LABEL:+ --label $LABEL}"

# The function images the rounds built go with the run.
IMAGES=()
bench_cleanup() {
    local img
    for img in "${IMAGES[@]}"; do
        docker images --format '{{.Repository}}:{{.Tag}}' "$img" | xargs -r docker rmi -f >/dev/null 2>&1 || true
    done
}
bench_prepare "deploy${LABEL:+-$LABEL}"

if [[ -n "$BUILD" ]]; then bench_build; else bench_use_last_build; fi
bench_images --test
bench_start_kinletd

# seconds CMD...: runs CMD (output to the raw log), prints its wall time in seconds.
seconds() {
    local start
    start="$(now_s)"
    "$@" >>"$RAW/steps.log" 2>&1 || die "failed: $* (log: $RAW/steps.log)"
    awk -v a="$start" -v b="$(now_s)" 'BEGIN { printf "%.3f", b - a }'
}

# dockerfile NAME: the Dockerfile `kinlet deploy` generates for a dotnet http function (src/Kinlet.Cli/Functions/FunctionLanguages.cs).
dockerfile() {
    cat <<DOCKERFILE
FROM kinlet.local/dotnet-sdk:10.0 AS build
WORKDIR /src
COPY *.csproj ./
RUN dotnet restore
COPY . ./
RUN dotnet publish -c Release -o /out --no-restore

FROM kinlet.local/dotnet-runtime:10.0
WORKDIR /app
COPY --from=build /out ./
ENV PORT=8080 FUNCTION_TEMPLATE=http
USER app
ENTRYPOINT ["dotnet", "$1.dll"]
DOCKERFILE
}

printf 'round\tfirst\tfirst_docker\tunchanged\tversion\toneline\toneline_docker\n' >"$RAW/points.tsv"
for ((i = 1; i <= ROUNDS; i++)); do
    name="bench-fn-$(date +%s)-$i"
    IMAGES+=("kinlet.local/$name")
    (cd "$TMP" && bench_cli init "$name" --language dotnet >>"$RAW/steps.log" 2>&1)
    dir="$TMP/$name"
    # The baseline: a twin function under another name (so neither build reuses the other's restore
    # layer), the same Dockerfile, built by the engine alone.
    twin="twin-$name"
    IMAGES+=("bench-docker/$twin")
    (cd "$TMP" && bench_cli init "$twin" --language dotnet >>"$RAW/steps.log" 2>&1)
    rm -f "$TMP/$twin/kinlet.yaml"
    dockerfile "$twin" >"$TMP/$twin/Dockerfile"
    twin="$TMP/$twin"
    first_docker="$(DOCKER_BUILDKIT=0 seconds docker build -q -t "bench-docker/twin-$name:first" "$twin")"
    first="$(seconds bench_cli deploy "$dir")"
    unchanged="$(seconds bench_cli deploy "$dir")"
    version="$(seconds bench_cli service describe "$name")"
    sed -i 's/Hello, /Hi, /' "$dir/Handler.cs" "$twin/Handler.cs"
    oneline_docker="$(DOCKER_BUILDKIT=0 seconds docker build -q -t "bench-docker/twin-$name:oneline" "$twin")"
    oneline="$(seconds bench_cli deploy "$dir")"
    printf '%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$i" "$first" "$first_docker" "$unchanged" "$version" "$oneline" "$oneline_docker" >>"$RAW/points.tsv"
    log "round $i: first ${first}s (docker build ${first_docker}s), unchanged ${unchanged}s (kinlet service describe ${version}s), one line ${oneline}s (docker build ${oneline_docker}s)"
    bench_cli service delete "$name" >>"$RAW/steps.log" 2>&1 || true
done

# median COLUMN: the median of one column of points.tsv.
median() {
    tail -n +2 "$RAW/points.tsv" | cut -f "$1" | sort -g |
        awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

GIT_REV="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -n "$(git -C "$REPO_ROOT" status --porcelain -- src 2>/dev/null)" ]] && GIT_REV+=" + uncommitted changes in src/"
CPU_MODEL="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
{
    printf '# Kinlet deploy benchmark: %s\n\n' "$RUN_STAMP"
    printf 'Machine: %s × %s, Linux %s. kinletd and kinlet: Release build of %s. %d rounds, each with a fresh `kinlet init NAME --language dotnet` (C# hello, ASP.NET Core minimal API); medians. Command: `%s`.\n\n' \
        "$(nproc)" "${CPU_MODEL:-unknown CPU}" "$(uname -r)" "$GIT_REV" "$ROUNDS" "$REPRO_CMD"
    f="$(median 2)" fd="$(median 3)" u="$(median 4)" ve="$(median 5)" o="$(median 6)" od="$(median 7)"
    awk -v f="$f" -v fd="$fd" -v u="$u" -v ve="$ve" -v o="$o" -v od="$od" 'BEGIN {
        print "| point | kinlet deploy | baseline, same run | ratio | goal |"
        print "| --- | ---: | ---: | ---: | --- |"
        printf "| first deploy (build, create, Ready) | %.1f s | `docker build` of the same context %.1f s | %.2f× | — |\n", f, fd, f / fd
        printf "| unchanged redeploy (no build, no revision) | %.2f s | `kinlet service describe` %.2f s | %.2f× | well under 1 s: %s |\n", u, ve, u / ve, (u < 1 ? "**met**" : "not met")
        printf "| one-line change (rebuild, new revision, Ready) | %.1f s | `docker build` of the changed context %.1f s | %.2f× | — |\n", o, od, o / od
    }'
} >"$RAW/report.md"
mkdir -p "$RESULTS_DIR"
cp "$RAW/report.md" "$RESULTS_DIR/$DAY-$SUFFIX.md"
echo
cat "$RAW/report.md"
echo
log "written: bench/results/$DAY-$SUFFIX.md (raw: ${RAW#"$REPO_ROOT"/}) in $(elapsed "$total_start")"
