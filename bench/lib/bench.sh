# shellcheck shell=bash
# bench/lib/bench.sh: what every benchmark suite needs. Sourced by each suite script (bench/warm.sh, scale.sh, eventing.sh, deploy.sh) after
# scripts/lib/common.sh (log, warn, die, ensure_*).
#
#   bench_build                 publishes kinletd and kinlet (Release) into the bench cache
#   bench_build_tool NAME       builds bench/tools/NAME (Release) into the bench cache
#   bench_start_kinletd ARGS... starts a private kinletd (temp state dir, free ports, extra ARGS)
#   bench_stop_kinletd          stops it and removes every container it created (its daemon label)
#   bench_cli ARGS...           the kinlet CLI against that daemon
#   bench_deploy_hello          applies samples/hello, waits until it answers on both paths
#   proc_cpu_ticks PID          utime+stime of PID in clock ticks
#   proc_rss_kb PID [FIELD]     VmRSS (or VmHWM, ...) of PID in kB
#   wrk_point NAME CONNS URL [HOST]   one warm-up + one measured wrk run; appends to $RAW/points.tsv
#   wrk_slices NAME CONNS S URL [HOST] S seconds of load in 5 s slices; prints each slice's req/s
#
# Globals it sets: KINLETD_BIN KINLET_BIN KINLETD_PID STATE_DIR API_PORT INGRESS_PORT DAEMON_ID
# HELLO_CONTAINER HELLO_PORT HELLO_PID PROXY_PID. Globals it reads: REPO_ROOT BENCH_DIR BENCH_CACHE RAW TMP
# DURATION WARMUP THREADS CLK_TCK.

# usage: the calling script's header comment (lines 2 up to `set -euo`), for --help.
usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }
# need_value OPTION [VALUE...]: dies unless the option was given a value.
need_value() { (($# >= 2)) || die "$1 needs a value (try --help)"; }

# ---------------------------------------------------------------------------------------------
# One run: prerequisites, lock, folders, clean-up
# ---------------------------------------------------------------------------------------------

# bench_prepare SUFFIX [--no-engine]: what every benchmark run starts with: the tools, the engine (not
# with --no-engine: bench/alloc.sh runs no container) and .NET; the
# bench cache and its lock (one benchmark at a time: two would share 2 cores and measure each other);
# the raw folder bench/results/raw/<time>-SUFFIX and a temp dir; then the traps that clean up on every
# exit (bench_on_exit). Sets total_start BENCH_CACHE DAY RUN_STAMP SUFFIX RESULTS_DIR RUN_ID RAW TMP.
bench_prepare() {
    SUFFIX="$1"
    total_start="$(now_s)"
    # shellcheck disable=SC2119 # no arguments: every tool the scripts use
    ensure_tools
    [[ "${2:-}" == --no-engine ]] || ensure_engine
    ensure_dotnet
    command -v ss >/dev/null 2>&1 || apt_install iproute2 >/dev/null
    BENCH_CACHE="${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kinlet-bench}"
    mkdir -p "$BENCH_CACHE"
    exec 8>"$BENCH_CACHE/.lock"
    flock -n 8 || die "another benchmark (bench/warm.sh, scale.sh, eventing.sh, deploy.sh or alloc.sh) is running (lock: $BENCH_CACHE/.lock)"
    DAY="$(date +%F)"
    RUN_STAMP="$(date '+%F %H:%M %Z')"
    RESULTS_DIR="$BENCH_DIR/results"
    RUN_ID="$(date +%Y%m%dT%H%M%S)-$SUFFIX"
    RAW="$RESULTS_DIR/raw/$RUN_ID"
    mkdir -p "$RAW"
    TMP="$(mktemp -d "${TMPDIR:-/tmp}/kinlet-bench.XXXXXX")"
    trap bench_on_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# bench_on_exit: the EXIT trap: the script's own bench_cleanup first, when it defines one (its failure
# fails the run), then bench_finish.
bench_on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    if declare -F bench_cleanup >/dev/null; then bench_cleanup || rc=1; fi
    bench_finish "$rc"
}

# bench_finish RC: the common end of a run's EXIT trap: stops kinletd and removes its containers,
# compresses its log, removes the temp dir (unless KEEP), says where the raw output is on failure,
# and exits with RC (1 when the clean-up itself failed).
bench_finish() {
    local rc=$1
    bench_stop_kinletd || rc=1
    [[ -f "$RAW/kinletd.log" ]] && gzip -f "$RAW/kinletd.log" 2>/dev/null
    if [[ -n "${KEEP:-}" ]]; then
        log "kept $TMP"
    else
        rm -rf "$TMP"
    fi
    ((rc == 0)) || log "failed (exit $rc); raw output and logs: $RAW"
    exit "$rc"
}

# ---------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------

# bench_images FLAG...: scripts/images.sh FLAG... (the images the suite runs), its output in
# $RAW/images.log and, indented, on stderr; on failure the log's tail and a non-zero exit.
bench_images() {
    if ! "$REPO_ROOT/scripts/images.sh" "$@" >"$RAW/images.log" 2>&1; then
        tail -n 15 "$RAW/images.log" | sed 's/^/    /' >&2
        die "scripts/images.sh $* failed (log: $RAW/images.log)"
    fi
    sed 's/^/    /' "$RAW/images.log" >&2
}

# bench_build: `dotnet publish -c Release` of the daemon and the CLI. The intermediate files go to
# an artifacts folder in the bench cache, never to src/*/obj: the bench neither disturbs nor waits
# on a build running in the checkout, and a second run is incremental.
bench_build() {
    local proj out logf start
    for proj in Kinlet.Daemon Kinlet.Cli; do
        start="$(now_s)"
        out="$BENCH_CACHE/publish/$proj"
        logf="$RAW/build-$proj.log"
        if ! dotnet publish "$REPO_ROOT/src/$proj" -c Release --nologo \
            --artifacts-path "$BENCH_CACHE/artifacts" -o "$out" >"$logf" 2>&1; then
            grep -E 'error|Error' "$logf" | tail -n 15 | sed 's/^/    /' >&2
            die "dotnet publish src/$proj failed (log: $logf)"
        fi
        log "published $proj (Release) in $(elapsed "$start")"
    done
    KINLETD_BIN="$BENCH_CACHE/publish/Kinlet.Daemon/kinletd"
    KINLET_BIN="$BENCH_CACHE/publish/Kinlet.Cli/kinlet"
    [[ -x "$KINLETD_BIN" && -x "$KINLET_BIN" ]] || die "published binaries not found under $BENCH_CACHE/publish"
}

# bench_use_last_build: --no-build; the binaries of the last bench_build.
# bench_build_tool NAME: `dotnet build -c Release` of bench/tools/NAME, intermediate files in the bench
# cache's artifacts folder (never bench/tools/NAME/obj), output in $BENCH_CACHE/<name in lower case>.
bench_build_tool() {
    local name="$1" start logf="$RAW/build-${1,,}.log"
    start="$(now_s)"
    if ! dotnet build "$BENCH_DIR/tools/$name/$name.csproj" -c Release --nologo \
        --artifacts-path "$BENCH_CACHE/artifacts" -o "$BENCH_CACHE/${name,,}" >"$logf" 2>&1; then
        grep -E 'error|Error' "$logf" | tail -n 15 | sed 's/^/    /' >&2
        die "dotnet build bench/tools/$name failed (log: $logf)"
    fi
    log "built bench/tools/$name (Release) in $(elapsed "$start")"
}

bench_use_last_build() {
    KINLETD_BIN="$BENCH_CACHE/publish/Kinlet.Daemon/kinletd"
    KINLET_BIN="$BENCH_CACHE/publish/Kinlet.Cli/kinlet"
    [[ -x "$KINLETD_BIN" && -x "$KINLET_BIN" ]] || die "--no-build: no earlier build in $BENCH_CACHE/publish"
}

# ---------------------------------------------------------------------------------------------
# Ports and /proc
# ---------------------------------------------------------------------------------------------

# free_port [EXCEPT...]: a TCP port nobody listens on, below the kernel's ephemeral range (so the
# engine's own ephemeral publishing cannot take it between now and kinletd's start).
free_port() {
    local p i
    for ((i = 0; i < 200; i++)); do
        p=$((20000 + RANDOM % 12000))
        [[ " $* " == *" $p "* ]] && continue
        if [[ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]]; then
            printf '%s\n' "$p"
            return 0
        fi
    done
    die "no free TCP port found in 20000-31999"
}

# proc_cpu_ticks PID: utime + stime (fields 14 and 15 of /proc/PID/stat; the command name, which may
# hold spaces, is skipped by cutting at its closing parenthesis).
proc_cpu_ticks() {
    local rest
    rest="$(cat "/proc/$1/stat" 2>/dev/null)" || {
        echo 0
        return 0
    }
    rest="${rest##*) }"
    awk '{ print $12 + $13 }' <<<"$rest"
}

# proc_rss_kb PID [FIELD]: FIELD (VmRSS by default) from /proc/PID/status, in kB.
proc_rss_kb() {
    awk -v f="${2:-VmRSS}:" '$1 == f { print $2; found = 1 } END { if (!found) print 0 }' \
        "/proc/$1/status" 2>/dev/null || echo 0
}

# machine_busy_pct SECONDS: how busy all CPUs were over SECONDS (from /proc/stat), in percent.
machine_busy_pct() {
    local a b
    a="$(head -n1 /proc/stat)"
    sleep "$1"
    b="$(head -n1 /proc/stat)"
    awk -v a="$a" -v b="$b" 'BEGIN {
        n = split(a, x, " "); split(b, y, " ")
        for (i = 2; i <= n; i++) { d = y[i] - x[i]; t += d; if (i == 5 || i == 6) idle += d }
        printf "%.0f\n", (t > 0 ? 100 * (t - idle) / t : 0) }'
}

# machine_ticks: "busy total" clock ticks of all CPUs so far (from the first line of /proc/stat;
# busy is everything but idle and iowait).
machine_ticks() {
    awk 'NR == 1 { for (i = 2; i <= NF; i++) { t += $i; if (i != 5 && i != 6) b += $i } print b, t; exit }' /proc/stat
}

# children_ticks VAR: sets VAR to the user+sys clock ticks of this shell's finished children (bash's
# `times`), so the CPU a wrk run used is the difference around it. It sets a variable rather than
# printing: in a command substitution `times` would see the subshell's children, not ours.
children_ticks() {
    times >"$TMP/times"
    printf -v "$1" '%s' "$(awk -v hz="$CLK_TCK" 'END {
        s = 0
        for (i = 1; i <= 2; i++) { split($i, p, "m"); sub(/s$/, "", p[2]); s += p[1] * 60 + p[2] }
        printf "%.0f", s * hz }' "$TMP/times")"
}

# listener_pid PORT: the pid of the process listening on 127.0.0.1:PORT (the engine's docker-proxy
# for a published port), or nothing when the engine publishes without one.
listener_pid() {
    ss -Hltnp "sport = :$1" 2>/dev/null | sed -nE 's/.*pid=([0-9]+).*/\1/p' | head -n1
}

# ---------------------------------------------------------------------------------------------
# The daemon under test
# ---------------------------------------------------------------------------------------------

KINLETD_PID=""
DAEMON_ID=""

# bench_start_kinletd EXTRA_ARGS...: a kinletd of its own: temp state dir, free ports, its log in
# $RAW/kinletd.log, the variables in KINLETD_ENV (NAME=VALUE words) in its environment. Waits
# (60 s at most) for /readyz.
bench_start_kinletd() {
    STATE_DIR="$TMP/state"
    mkdir -p "$STATE_DIR"
    API_PORT="$(free_port)"
    INGRESS_PORT="$(free_port "$API_PORT")"
    # The h2c (gRPC) ingress on a free port too: a default 8081 could meet another daemon on the machine.
    H2C_PORT="$(free_port "$API_PORT" "$INGRESS_PORT")"
    printf '%q ' "${KINLETD_ENV[@]}" "$KINLETD_BIN" --state-dir "$STATE_DIR" --api-port "$API_PORT" \
        --ingress-port "$INGRESS_PORT" --ingress-h2c-port "$H2C_PORT" "$@" >"$RAW/kinletd.cmd"
    echo >>"$RAW/kinletd.cmd"
    # No KINLET_* from the caller's shell may change what is measured (flags win anyway).
    env -u KINLET_DOMAIN -u KINLET_API_ADDRESS -u KINLET_INGRESS_ADDRESS "${KINLETD_ENV[@]}" \
        "$KINLETD_BIN" --state-dir "$STATE_DIR" --api-port "$API_PORT" \
        --ingress-port "$INGRESS_PORT" --ingress-h2c-port "$H2C_PORT" "$@" >"$RAW/kinletd.log" 2>&1 </dev/null &
    KINLETD_PID=$!
    local deadline=$((SECONDS + 60))
    until curl -fsS --max-time 2 -o /dev/null "http://127.0.0.1:$API_PORT/readyz" 2>/dev/null; do
        if ! pid_alive "$KINLETD_PID"; then
            tail -n 20 "$RAW/kinletd.log" | sed 's/^/    /' >&2
            KINLETD_PID=""
            die "kinletd exited during startup (log: $RAW/kinletd.log)"
        fi
        ((SECONDS < deadline)) || die "kinletd did not answer /readyz within 60 s (log: $RAW/kinletd.log)"
        sleep 0.2
    done
    DAEMON_ID="$(tr -d '[:space:]' <"$STATE_DIR/daemon-id")"
    [[ -n "$DAEMON_ID" ]] || die "$STATE_DIR/daemon-id is empty"
    log "kinletd pid $KINLETD_PID: API 127.0.0.1:$API_PORT, ingress :$INGRESS_PORT, h2c ingress :$H2C_PORT, daemon id $DAEMON_ID"
}

# bench_daemon_containers: ids of every container (any state) this daemon created.
bench_daemon_containers() {
    [[ -n "$DAEMON_ID" ]] || return 0
    docker ps -aq --no-trunc --filter "label=dev.kinlet.daemon=$DAEMON_ID" 2>/dev/null || true
}

# bench_stop_kinletd: SIGTERM (10 s), then SIGKILL; then removes this daemon's containers. Safe to
# call twice and from a trap.
bench_stop_kinletd() {
    if [[ -n "$KINLETD_PID" ]]; then
        stop_process "$KINLETD_PID" 10 kinletd
        wait "$KINLETD_PID" 2>/dev/null || true
    fi
    KINLETD_PID=""
    local ids
    ids="$(bench_daemon_containers)"
    if [[ -n "$ids" ]]; then
        # shellcheck disable=SC2086 # one id per word
        docker rm -f $ids >/dev/null 2>&1 || warn "could not remove containers: $ids"
    fi
    if [[ -n "$(bench_daemon_containers)" ]]; then
        warn "containers of daemon $DAEMON_ID are left: docker rm -f \$(docker ps -aq --filter label=dev.kinlet.daemon=$DAEMON_ID)"
        return 1
    fi
}

# bench_cli ARGS...: the kinlet CLI against the bench daemon (it finds the token in the state dir).
bench_cli() {
    KINLET_API="http://127.0.0.1:$API_PORT" KINLET_STATE_DIR="$STATE_DIR" KINLET_TOKEN="" NO_COLOR=1 \
        timeout 300 "$KINLET_BIN" "$@"
}

# bench_deploy_hello: applies samples/hello/service.yaml, finds its one container and published port,
# and checks that both paths answer "Hello World!".
bench_deploy_hello() {
    local start out
    start="$(now_s)"
    if ! out="$(bench_cli apply -f "$REPO_ROOT/samples/hello/service.yaml" --wait-timeout 120 2>&1)"; then
        printf '%s\n' "$out" | tail -n 10 | sed 's/^/    /' >&2
        die "kinlet apply -f samples/hello/service.yaml failed"
    fi
    printf '%s\n' "$out" >"$RAW/deploy.log"
    local rows
    rows="$(docker ps --filter "label=dev.kinlet.daemon=$DAEMON_ID" --filter label=dev.kinlet.service=hello \
        --format '{{.ID}} {{.Ports}}')"
    [[ -n "$rows" ]] || die "hello is Ready but no running container carries dev.kinlet.daemon=$DAEMON_ID"
    (($(wc -l <<<"$rows") == 1)) || die "expected one hello container, found: $rows"
    HELLO_CONTAINER="${rows%% *}"
    HELLO_PORT="$(sed -nE 's/.*127\.0\.0\.1:([0-9]+)->.*/\1/p' <<<"$rows")"
    [[ -n "$HELLO_PORT" ]] || die "the hello container publishes no port on 127.0.0.1: $rows"
    HELLO_PID="$(docker inspect -f '{{.State.Pid}}' "$HELLO_CONTAINER")"
    PROXY_PID="$(listener_pid "$HELLO_PORT")"
    local deadline=$((SECONDS + 30)) a b
    while :; do
        a="$(curl -sS --max-time 5 "http://127.0.0.1:$HELLO_PORT/" 2>&1 || true)"
        b="$(curl -sS --max-time 5 -H "Host: hello.localhost:$INGRESS_PORT" "http://127.0.0.1:$INGRESS_PORT/" 2>&1 || true)"
        [[ "$a" == "Hello World!" && "$b" == "Hello World!" ]] && break
        ((SECONDS < deadline)) || die "hello does not answer 'Hello World!' (direct: '$a'; through kinletd: '$b')"
        sleep 0.2
    done
    log "hello deployed in $(elapsed "$start"): container ${HELLO_CONTAINER:0:12} (pid $HELLO_PID) on 127.0.0.1:$HELLO_PORT (docker-proxy pid ${PROXY_PID:-none})"
}

# access_log_lines: lines kinletd's access log wrote so far for hello.
access_log_lines() {
    grep -c -- '-> hello/' "$RAW/kinletd.log" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------
# wrk
# ---------------------------------------------------------------------------------------------

# wrk_point NAME CONNS URL [HOST]: a WARMUP-second run (output kept, not used), then a DURATION-second
# run with --latency. Appends one line to $RAW/points.tsv (columns in POINT_COLUMNS) and prints a
# one-line summary on stderr. "other" is the share of the machine's CPU that none of wrk, kinletd,
# the hello process and its docker-proxy used during the run: other work on the machine (noise).
# shellcheck disable=SC2034 # documents the columns for readers and later suites
POINT_COLUMNS="name conns threads requests duration_us rps p50_us p90_us p99_us max_us socket_errors non2xx timeouts kinletd_ticks hello_ticks access_log_lines wrk_ticks proxy_ticks machine_busy_ticks machine_total_ticks other_pct"
wrk_point() {
    local name="$1" conns="$2" url="$3" host="${4:-}"
    local threads=$((THREADS < conns ? THREADS : conns))
    # WRK_SCRIPT: another report script for this point (bench/wrk/paced.lua for the paced points).
    local args=(--latency -t "$threads" -c "$conns" -s "${WRK_SCRIPT:-$BENCH_DIR/wrk/report.lua}")
    [[ -n "$host" ]] && args+=(-H "Host: $host")
    local base="$RAW/wrk-$name-c$conns"
    if ((WARMUP > 0)); then
        timeout $((WARMUP + 30)) wrk "${args[@]}" -d "${WARMUP}s" "$url" >"$base-warmup.txt" 2>&1 ||
            die "wrk warm-up failed for $name at $conns connections: $(tail -n 3 "$base-warmup.txt")"
    fi
    # Lines of the warm-up may still sit in the async log sink: let them out before counting.
    sleep 0.5
    local k0 h0 p0 w0 m0 l0 k1 h1 p1 w1 m1 l1
    k0="$(proc_cpu_ticks "$KINLETD_PID")"
    h0="$(proc_cpu_ticks "$HELLO_PID")"
    p0="$(proc_cpu_ticks "${PROXY_PID:-0}")"
    l0="$(access_log_lines)"
    printf 'wrk %s -d %ss %s\n' "${args[*]}" "$DURATION" "$url" >"$base.txt"
    children_ticks w0
    m0="$(machine_ticks)"
    timeout $((DURATION + 30)) wrk "${args[@]}" -d "${DURATION}s" "$url" >>"$base.txt" 2>&1 ||
        die "wrk failed for $name at $conns connections: $(tail -n 3 "$base.txt")"
    m1="$(machine_ticks)"
    children_ticks w1
    k1="$(proc_cpu_ticks "$KINLETD_PID")"
    h1="$(proc_cpu_ticks "$HELLO_PID")"
    p1="$(proc_cpu_ticks "${PROXY_PID:-0}")"
    # The async sink may still be writing: give it a moment before counting lines.
    sleep 0.5
    l1="$(access_log_lines)"
    local line
    line="$(grep '^KINLET_BENCH ' "$base.txt" | tail -n1 || true)" # no line: the die below says so, not a silent exit
    [[ -n "$line" ]] || die "wrk printed no KINLET_BENCH line for $name at $conns connections (see $base.txt)"
    awk -v name="$name" -v conns="$conns" -v threads="$threads" \
        -v kt=$((k1 - k0)) -v ht=$((h1 - h0)) -v pt=$((p1 - p0)) -v wt=$((w1 - w0)) -v al=$((l1 - l0)) \
        -v m0="$m0" -v m1="$m1" '
        {
            for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
            rps = v["duration_us"] > 0 ? v["requests"] / (v["duration_us"] / 1e6) : 0
            split(m0, a, " "); split(m1, b, " ")
            busy = b[1] - a[1]; total = b[2] - a[2]
            other = total > 0 ? 100 * (busy - kt - ht - pt - wt) / total : 0
            if (other < 0) other = 0
            printf "%s\t%d\t%d\t%d\t%d\t%.1f\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f\n",
                name, conns, threads, v["requests"], v["duration_us"], rps, v["p50_us"], v["p90_us"],
                v["p99_us"], v["max_us"], v["connect"] + v["read"] + v["write"], v["status"],
                v["timeout"], kt, ht, al, wt, pt, busy, total, other
        }' <<<"$line" >>"$RAW/points.tsv"
    awk -F'\t' -v n="$name" -v c="$conns" '$1 == n && $2 == c {
        printf "kinlet: %-8s %3d conns: %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms  errors %d  (other load %.0f%%)\n",
            $1, $2, $6, $7 / 1000, $9 / 1000, $11 + $12, $21 }' "$RAW/points.tsv" | tail -n1 >&2
}

# wrk_slices NAME CONNS SECONDS URL [HOST]: SECONDS of load in 5-second slices (the last may be
# shorter); prints each slice's requests/s, space-separated (the warm-up curve).
wrk_slices() {
    local name="$1" conns="$2" seconds="$3" url="$4" host="${5:-}"
    local threads=$((THREADS < conns ? THREADS : conns))
    local args=(-t "$threads" -c "$conns")
    [[ -n "$host" ]] && args+=(-H "Host: $host")
    local left="$seconds" d i=0 rates=()
    while ((left > 0)); do
        d=$((left < 5 ? left : 5))
        i=$((i + 1))
        timeout $((d + 30)) wrk "${args[@]}" -d "${d}s" "$url" >"$RAW/wrk-$name-slice$i.txt" 2>&1 ||
            die "wrk failed during $name: $(tail -n 3 "$RAW/wrk-$name-slice$i.txt")"
        rates+=("$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$RAW/wrk-$name-slice$i.txt")")
        left=$((left - d))
    done
    printf '%s\n' "${rates[*]}"
}
