#!/usr/bin/env bash
# gRPC through kinletd (never part of the test run): builds kinletd, kinlet and bench/tools/GrpcBench (Release),
# starts a private kinletd on free ports, deploys tests/images/grpcfn with its port named h2c, and measures
#   - unary helloworld.Greeter/SayHello calls, one at a time on one HTTP/2 connection: calls/s and p50/p99,
#     through kinletd's h2c ingress and straight to the container's published port, in the same run;
#   - the first call's time from zero: the gRPC function vs the HTTP test function (kinlet.local/testfn).
# Prints one markdown table and writes it to bench/results/<YYYY-MM-DD>-grpc.md (raw: bench/results/raw/).
#
#   bench/grpc.sh [--duration S] [--no-build] [--keep]
#
#   --duration S   seconds per measured unary point (default 10; a 2 s warm-up of the same kind runs first)
#   --no-build     reuse the last build in the bench cache
#   --keep         keep the temp dir (kinletd's state dir)
#
# Talks only to 127.0.0.1. Cleans up (kinletd, its containers, the temp dir) on every exit. Slow numbers
# never fail it: they are reported, not asserted.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$BENCH_DIR/.." && pwd -P)"
# shellcheck source=scripts/lib/common.sh
source "$REPO_ROOT/scripts/lib/common.sh"
# shellcheck source=bench/lib/bench.sh
source "$BENCH_DIR/lib/bench.sh"

DURATION=10
WARMUP=2
THREADS=1
BUILD=1
KEEP=""
while (($#)); do
    case "$1" in
    --duration) need_value "$@"; DURATION="$2"; shift ;;
    --no-build) BUILD="" ;;
    --keep) KEEP=1 ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
    esac
    shift
done
[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "--duration takes whole seconds (got '$DURATION')"
REPRO_CMD="bench/grpc.sh --duration $DURATION"

CLK_TCK="$(getconf CLK_TCK)"
bench_prepare grpc

if [[ -n "$BUILD" ]]; then
    bench_build
else
    bench_use_last_build
fi
bench_build_tool GrpcBench
GRPCBENCH="$BENCH_CACHE/grpcbench/GrpcBench.dll"
bench_images --test

# Scale to zero within seconds, so the cold starts below need no long wait.
bench_start_kinletd --Kinlet:Autoscaler:StableWindow 00:00:06 --Kinlet:Autoscaler:ScaleToZeroGracePeriod 00:00:00 \
    --Kinlet:Autoscaler:TickInterval 00:00:01

# service NAME IMAGE PORT_NAME [MIN_SCALE]: a manifest on stdin for kinlet apply.
service() {
    cat <<YAML
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: $1
spec:
  template:
    metadata:
      annotations:
        autoscaling.knative.dev/min-scale: "${4:-0}"
    spec:
      containers:
        - image: $2
          ports:
            - name: $3
              containerPort: 8080
YAML
}
apply() { service "$@" | bench_cli apply -f - --wait-timeout 120 >>"$RAW/deploy.log" 2>&1 || die "kinlet apply of $1 failed (log: $RAW/deploy.log)"; }
running() { docker ps -q --filter "label=dev.kinlet.daemon=$DAEMON_ID" --filter "label=dev.kinlet.service=$1" | wc -l; }

apply greeter kinlet.local/grpcfn:latest h2c 1
row="$(docker ps --filter "label=dev.kinlet.daemon=$DAEMON_ID" --filter label=dev.kinlet.service=greeter --format '{{.Ports}}' | head -n1)"
DIRECT_PORT="$(sed -nE 's/.*127\.0\.0\.1:([0-9]+)->.*/\1/p' <<<"$row")"
[[ -n "$DIRECT_PORT" ]] || die "the greeter container publishes no port on 127.0.0.1: $row"

sleep 1
BUSY="$(machine_busy_pct 2)"
((BUSY <= 15)) || warn "the machine was ${BUSY}% busy before the load (kinletd idle): the figures will be noisy"

# unary NAME URL [AUTHORITY]: warm-up, then the measured point; one line "calls N rps R p50_us P p99_us Q errors E".
unary() {
    dotnet "$GRPCBENCH" unary "$2" "$WARMUP" ${3:+"$3"} >"$RAW/$1-warmup.txt"
    dotnet "$GRPCBENCH" unary "$2" "$DURATION" ${3:+"$3"} | tee "$RAW/$1.txt"
}
log "unary: 2 targets × (${WARMUP}s warm-up + ${DURATION}s)"
THROUGH="$(unary through "http://127.0.0.1:$H2C_PORT" "greeter.localhost:$H2C_PORT")"
DIRECT="$(unary direct "http://127.0.0.1:$DIRECT_PORT")"
field() { awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' <<<"$1"; }

# Cold starts: each function at zero, then one request; the time until its answer.
apply coldgrpc kinlet.local/grpcfn:latest h2c
apply coldhttp kinlet.local/testfn:latest http1
for s in coldgrpc coldhttp; do
    deadline=$((SECONDS + 120))
    until (($(running "$s") == 0)); do
        ((SECONDS < deadline)) || die "$s did not scale to zero within 120 s"
        sleep 0.5
    done
done
COLD_GRPC="$(dotnet "$GRPCBENCH" first "http://127.0.0.1:$H2C_PORT" "coldgrpc.localhost:$H2C_PORT" | awk '{ print $2 }')"
COLD_HTTP="$(curl -sS -o /dev/null --max-time 120 -w '%{time_total}' -H "Host: coldhttp.localhost:$INGRESS_PORT" "http://127.0.0.1:$INGRESS_PORT/" |
    awk '{ printf "%.1f", $1 * 1000 }')"

GIT_REV="$(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
bench_stop_kinletd || die "could not remove the bench daemon's containers"

report="$RAW/report.md"
{
    echo "# gRPC through kinletd — $RUN_STAMP"
    echo
    echo "Machine: $(nproc) cores, Linux $(uname -r), ${BUSY}% busy before the load; client, kinletd and the container share it."
    echo "kinletd: Release build of $GIT_REV. Function: \`kinlet.local/grpcfn:latest\` (port named h2c), one instance."
    echo "Command: \`$REPRO_CMD\`. Unary calls one at a time on one HTTP/2 connection (bench/tools/GrpcBench)."
    echo
    echo "| | calls/s | p50 | p99 | errors |"
    echo "| --- | ---: | ---: | ---: | ---: |"
    echo "| direct (container port 127.0.0.1:$DIRECT_PORT) | $(field "$DIRECT" rps) | $(field "$DIRECT" p50_us) µs | $(field "$DIRECT" p99_us) µs | $(field "$DIRECT" errors) |"
    echo "| through kinletd (h2c ingress :$H2C_PORT) | $(field "$THROUGH" rps) | $(field "$THROUGH" p50_us) µs | $(field "$THROUGH" p99_us) µs | $(field "$THROUGH" errors) |"
    echo
    echo "p50 added by kinletd: $(($(field "$THROUGH" p50_us) - $(field "$DIRECT" p50_us))) µs."
    echo
    echo "| cold start (first request from zero, through kinletd) | time |"
    echo "| --- | ---: |"
    echo "| gRPC function (grpcfn, unary SayHello) | $COLD_GRPC ms |"
    echo "| HTTP function (testfn, GET /) | $COLD_HTTP ms |"
} >"$report"
mkdir -p "$RESULTS_DIR"
cp "$report" "$RESULTS_DIR/$DAY-grpc.md"
echo
cat "$report"
log "written: bench/results/$DAY-grpc.md (raw: ${RAW#"$REPO_ROOT"/}) in $(elapsed "$total_start")"
