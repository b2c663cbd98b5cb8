# shellcheck shell=bash
# shellcheck disable=SC2016 # backquotes in printf formats are markdown, not expansions
# bench/lib/scale.sh: the scale suite (cold start against the engine's floor, step load from zero).
# Sourced by bench/scale.sh after scripts/lib/common.sh and bench/lib/bench.sh.
#
#   scalebench_build            builds bench/tools/ScaleBench (Release) into the bench cache
#   scalebench MODE ARGS...     runs the tool against the bench daemon (MODE: coldstart or step)
#   suite_coldstart             deploys `cold` (hello, min-scale 0) and runs the cold-start rounds
#   suite_wake                  deploys `wake` (hello, kinlet.dev/standby: frozen) and runs the wake rounds
#   suite_step                  deploys `step` (testfn, containerConcurrency 10, 0..10) and the step load
#   render_scale OUT.md         the markdown report from $RAW/coldstart.txt, $RAW/step.txt, ...
#
# Globals it reads: REPO_ROOT BENCH_DIR BENCH_CACHE RAW TMP ROUNDS CLIENTS STEP_SECONDS RUN_LABEL
# plus those bench_start_kinletd sets. Goals (reported, never asserted):
GOAL_COLD_RATIO=1.15    # kinlet's cold start ≤ 1.15 × the engine floor (p50 and p95)
GOAL_WAKE_MS=25        # wake from frozen standby: p50 ≤ 25 ms
GOAL_STEP_MS=4000       # ready instances = desired (≥ the steady count) within 4 s of the step
STEP_CC=10              # the step service's containerConcurrency
STEP_MAX=30             # and its max-scale (room for the step to 200 clients: ceil(200 / 7) = 29)
STEP_SLEEP_MS=100       # each step request: GET /sleep?ms=100
HELLO_IMAGE=kinlet.local/hello:latest
TESTFN_IMAGE=kinlet.local/testfn:latest

# scalebench_build: `dotnet build -c Release` of the tool, intermediate files in the bench cache's
# artifacts folder (never bench/tools/ScaleBench/obj), output in $BENCH_CACHE/scalebench.
scalebench_build() { bench_build_tool ScaleBench; }

# scalebench MODE ARGS...: the tool with the daemon's coordinates. The token goes by file, not argv.
scalebench() {
    local mode="$1"
    shift
    [[ -f "$BENCH_CACHE/scalebench/ScaleBench.dll" ]] || die "$BENCH_CACHE/scalebench/ScaleBench.dll is missing (run without --no-build)"
    dotnet "$BENCH_CACHE/scalebench/ScaleBench.dll" "$mode" --docker-host "unix://$(engine_socket)" \
        --daemon-id "$DAEMON_ID" --ingress-port "$INGRESS_PORT" --api-port "$API_PORT" \
        --token-file "$STATE_DIR/token" --out "$RAW" "$@"
}

# scrape_metrics FILE: kinletd's GET /metrics (control port, Bearer token) into FILE; never fails.
scrape_metrics() {
    curl -sS --max-time 10 -H "Authorization: Bearer $(cat "$STATE_DIR/token")" \
        -o "$1" -w '%{http_code}\n' "http://127.0.0.1:$API_PORT/metrics" 2>/dev/null >"$1.status" || true
}

# deploy_service NAME LOGNAME ARGS...: `kinlet service create NAME ARGS...` (it waits for Ready).
deploy_service() {
    local name="$1" logf="$RAW/deploy-$1.log" start
    shift
    start="$(now_s)"
    if ! bench_cli service create "$name" "$@" --wait-timeout 120 >"$logf" 2>&1; then
        tail -n 10 "$logf" | sed 's/^/    /' >&2
        die "kinlet service create $name failed (log: $logf)"
    fi
    log "service $name ready in $(elapsed "$start")"
}

suite_coldstart() {
    deploy_service cold --image "$HELLO_IMAGE" --scale-min 0 --env TARGET=World
    log "cold start: $ROUNDS rounds, each: the floor, then (the revision at zero) one request through kinletd"
    if ! scalebench coldstart --revision cold-00001 --host "cold.localhost:$INGRESS_PORT" --image "$HELLO_IMAGE" \
        --rounds "$ROUNDS" --run-label "$RUN_LABEL" >"$RAW/coldstart.txt"; then
        die "the cold-start measurement failed (raw: $RAW)"
    fi
    # kinletd's own view of the same cold starts (the endpoint or the metric may not exist).
    scrape_metrics "$RAW/metrics-after-coldstart.txt"
    grep -E '^kinlet_cold_start_duration_seconds_(sum|count)\{[^}]*revision="cold-00001"' \
        "$RAW/metrics-after-coldstart.txt" >"$RAW/coldstart-metrics.txt" 2>/dev/null || true
    bench_cli service delete cold >"$RAW/delete-cold.log" 2>&1 || warn "kinlet service delete cold failed (log: $RAW/delete-cold.log)"
}

suite_wake() {
    deploy_service wake --image "$HELLO_IMAGE" --scale-min 0 --env TARGET=World --annotation kinlet.dev/standby=frozen
    log "wake from frozen standby: $ROUNDS rounds, each: unpause + first 200 of a paused container (floor), then one request to the frozen revision"
    if ! scalebench wake --revision wake-00001 --host "wake.localhost:$INGRESS_PORT" --image "$HELLO_IMAGE" \
        --rounds "$ROUNDS" --run-label "$RUN_LABEL" >"$RAW/wake.txt"; then
        die "the wake measurement failed (raw: $RAW)"
    fi
    bench_cli service delete wake >"$RAW/delete-wake.log" 2>&1 || warn "kinlet service delete wake failed (log: $RAW/delete-wake.log)"
}

suite_step() {
    STEP_EXPECT=$(((CLIENTS * 10 + STEP_CC * 7 - 1) / (STEP_CC * 7)))
    ((STEP_EXPECT > STEP_MAX)) && STEP_EXPECT=$STEP_MAX
    STEP_EXPECT2=$(((CLIENTS2 * 10 + STEP_CC * 7 - 1) / (STEP_CC * 7)))
    ((STEP_EXPECT2 > STEP_MAX)) && STEP_EXPECT2=$STEP_MAX
    local second=()
    ((CLIENTS2 > 0)) && second=(--clients2 "$CLIENTS2" --expect2 "$STEP_EXPECT2")
    deploy_service step --image "$TESTFN_IMAGE" --concurrency-limit "$STEP_CC" --scale-min 0 --scale-max "$STEP_MAX"
    log "step load: 0 → $CLIENTS clients for ${STEP_SECONDS}s once step-00001 is at zero (expect $STEP_EXPECT instances)" \
        "$( ((CLIENTS2 > 0)) && echo "then → $CLIENTS2 for ${STEP_SECONDS}s (expect $STEP_EXPECT2)")"
    local k0 k1
    k0="$(proc_cpu_ticks "$KINLETD_PID")"
    if ! scalebench step --revision step-00001 --host "step.localhost:$INGRESS_PORT" --clients "$CLIENTS" \
        --seconds "$STEP_SECONDS" --expect "$STEP_EXPECT" --path "/sleep?ms=$STEP_SLEEP_MS" "${second[@]}" >"$RAW/step.txt"; then
        die "the step-load measurement failed (raw: $RAW)"
    fi
    k1="$(proc_cpu_ticks "$KINLETD_PID")"
    echo "kinletd_ticks=$((k1 - k0)) clk_tck=$(getconf CLK_TCK)" >>"$RAW/step.txt"
    scrape_metrics "$RAW/metrics-after-step.txt"
    bench_cli service delete step >"$RAW/delete-step.log" 2>&1 || warn "kinlet service delete step failed (log: $RAW/delete-step.log)"
}

# kv FILE KEY: the value of KEY=value in FILE (the tool's summary lines).
kv() { sed -nE "s/(^|.* )$2=([^ ]*).*/\2/p" "$1" | head -n1; }

# render_scale OUT.md
render_scale() {
    local out="$1" c="$RAW/coldstart.txt" s="$RAW/step.txt"
    {
        printf '# Kinlet scale benchmark: %s\n\n' "$RUN_STAMP"
        printf '%s\n\n' "$SETUP_LINE"

        printf '## Cold start: %s rounds, `%s`\n\n' "$ROUNDS" "$HELLO_IMAGE"
        awk -v g="$GOAL_COLD_RATIO" \
            -v fp50="$(kv "$c" floor_p50)" -v fp95="$(kv "$c" floor_p95)" -v fmin="$(kv "$c" floor_min)" -v fmax="$(kv "$c" floor_max)" \
            -v kp50="$(kv "$c" kinlet_p50)" -v kp95="$(kv "$c" kinlet_p95)" -v kmin="$(kv "$c" kinlet_min)" -v kmax="$(kv "$c" kinlet_max)" '
            function ms(x) { return sprintf("%.0f ms", x) }
            function row(name, f, k, goal,    r) {
                r = f > 0 ? k / f : 0
                if (goal) printf "| %s | %s | %s | %.2f× | ≤ %s× | %s |\n", name, ms(f), ms(k), r, g, (r <= g ? "**yes**" : "no")
                else printf "| %s | %s | %s | %.2f× | — | — |\n", name, ms(f), ms(k), r
            }
            BEGIN {
                print "| figure | floor: Engine API create → first 200 | kinlet: request at zero → 200 | kinlet ÷ floor | goal | met? |"
                print "| --- | ---: | ---: | ---: | --- | --- |"
                row("p50", fp50, kp50, 1); row("p95", fp95, kp95, 1); row("min", fmin, kmin, 0); row("max", fmax, kmax, 0)
            }'
        printf '\n'
        awk -F'\t' 'NR > 1 { n++; c += $3; s += $4; i += $5; p += $6; z += $8 }
            END { if (n) printf "Floor, mean of the rounds: create %.0f ms, start %.0f ms, inspect %.0f ms, then %.0f polls (5 ms apart) until the 200. " \
                "Kinlet: each request was sent 1 s after the revision had no container left and the API reported 0 ready " \
                "(scale to zero took %.1f s on average after the floor round). ", c / n, s / n, i / n, p / n, z / n / 1000 }' \
            "$RAW/coldstart.tsv"
        if [[ -s "$RAW/coldstart-metrics.txt" ]]; then
            awk '/_sum\{/ { s = $NF } /_count\{/ { n = $NF }
                END { if (n > 0) printf "kinletd'\''s own `kinlet_cold_start_duration_seconds` (the wait in the activator): %d cold starts, mean %.0f ms.", n, 1000 * s / n }' \
                "$RAW/coldstart-metrics.txt"
        else
            printf 'kinletd'\''s `/metrics` had no `kinlet_cold_start_duration_seconds` for cold-00001 (HTTP %s).' \
                "$(cat "$RAW/metrics-after-coldstart.txt.status" 2>/dev/null || echo '?')"
        fi
        printf '\n\n'

        if [[ -s "$RAW/wake.txt" ]]; then
            local w="$RAW/wake.txt"
            printf '## Wake from frozen standby: %s rounds, `%s`, `kinlet.dev/standby: frozen`\n\n' "$ROUNDS" "$HELLO_IMAGE"
            awk -v g="$GOAL_WAKE_MS" -v coldp50="$(kv "$c" kinlet_p50)" \
                -v fp50="$(kv "$w" wake_floor_p50)" -v fp95="$(kv "$w" wake_floor_p95)" -v fmin="$(kv "$w" wake_floor_min)" -v fmax="$(kv "$w" wake_floor_max)" \
                -v kp50="$(kv "$w" wake_p50)" -v kp95="$(kv "$w" wake_p95)" -v kmin="$(kv "$w" wake_min)" -v kmax="$(kv "$w" wake_max)" '
                function row(name, f, k, goal,    target, met) {
                    target = "—"; met = "—"
                    if (goal) { target = "≤ " g " ms"; met = (k <= g) ? "**yes**" : "no" }
                    printf "| %s | %.1f ms | %.1f ms | %.2f× | %s | %s |\n", name, f, k, (f > 0) ? k / f : 0, target, met
                }
                BEGIN {
                    print "| figure | floor: Engine API unpause → first 200 | kinlet: request to the frozen revision → 200 | kinlet ÷ floor | goal | met? |"
                    print "| --- | ---: | ---: | ---: | --- | --- |"
                    row("p50", fp50, kp50, 1); row("p95", fp95, kp95, 0); row("min", fmin, kmin, 0); row("max", fmax, kmax, 0)
                    if (coldp50 > 0) printf "\nAgainst this run'\''s cold start from nothing (p50 %.0f ms): %.0f× faster.", coldp50, coldp50 / kp50
                }'
            printf ' The frozen container keeps its memory (here %s MiB, as `docker stats` counts it) and uses no CPU while paused.\n\n' \
                "$(kv "$w" frozen_memory_mib)"
        fi

        printf '## Step load: 0 → %s clients, `%s`\n\n' "$CLIENTS" "$TESTFN_IMAGE"
        printf 'containerConcurrency %s, min-scale 0, max-scale %s, at zero when the load starts; %s client loops ' "$STEP_CC" "$STEP_MAX" "$CLIENTS"
        printf 'call `GET /sleep?ms=%s` through the ingress for %s s. Expected steady instances: ceil(%s ÷ (%s × 0.7)) = %s.\n\n' \
            "$STEP_SLEEP_MS" "$STEP_SECONDS" "$CLIENTS" "$STEP_CC" "$STEP_EXPECT"
        awk -v g="$GOAL_STEP_MS" -v secs="$STEP_SECONDS" \
            -v reached="$(kv "$s" reached_ms)" -v steady="$(kv "$s" steady_desired)" -v final="$(kv "$s" final_desired)" -v expect="$(kv "$s" expect)" \
            -v rexp="$(kv "$s" reached_expect_ms)" -v fready="$(kv "$s" first_ready_ms)" -v fcont="$(kv "$s" first_container_ms)" \
            -v fans="$(kv "$s" first_answer_ms)" \
            -v pd="$(kv "$s" peak_desired)" -v pr="$(kv "$s" peak_ready)" -v pc="$(kv "$s" peak_containers)" \
            -v req="$(kv "$s" requests)" -v err="$(kv "$s" errors)" -v rps="$(kv "$s" rps)" \
            -v p50="$(kv "$s" p50_ms)" -v p95="$(kv "$s" p95_ms)" -v mx="$(kv "$s" max_ms)" \
            -v kt="$(kv "$s" kinletd_ticks)" -v hz="$(kv "$s" clk_tck)" '
            function t(x) { return x == "never" ? "never" : sprintf("%.2f s", x / 1000) }
            BEGIN {
                print "| figure | value | goal | met? |"
                print "| --- | ---: | --- | --- |"
                ok = reached != "never" && reached + 0 <= g
                printf "| ready instances = desired (≥ steady %s) after the load starts | %s | ≤ %.0f s | %s |\n", steady, t(reached), g / 1000, ok ? "**yes**" : "no"
                printf "| ready instances ≥ expected %s after | %s | — | — |\n", expect, t(rexp)
                printf "| first container running / first instance ready / first answer | %s / %s / %s | — | — |\n", t(fcont), t(fready), t(fans)
                printf "| desired: steady (median, 2nd half of the load) / at the end / peak; peak ready | %s / %s / %s; %s | — | — |\n", steady, final, pd, pr
                printf "| peak running containers | %s | — | — |\n", pc
                printf "| requests (requests/s) | %s (%.0f/s) | — | — |\n", req, rps
                printf "| errors (non-2xx or exceptions) | %s | 0 | %s |\n", err, err + 0 == 0 ? "**yes**" : "no"
                printf "| latency p50 / p95 / max (answered requests) | %.1f / %.1f / %.0f ms | — | — |\n", p50, p95, mx
                if (hz > 0) printf "| kinletd CPU during the load | %.2f s | — | — |\n", kt / hz
            }'
        if grep -q '^step2 ' "$s"; then
            printf '\n### Then %s → %s clients\n\n' "$CLIENTS" "$(kv "$s" clients2)"
            printf 'After %s s, %s more client loops join (the first %s keep going) for %s s more. Needed instances: ceil(%s ÷ (%s × 0.7)) = %s.\n\n' \
                "$STEP_SECONDS" "$(($(kv "$s" clients2) - CLIENTS))" "$CLIENTS" "$STEP_SECONDS" "$(kv "$s" clients2)" "$STEP_CC" "$(kv "$s" expect2)"
            awk -v reached="$(kv "$s" reached2_ms)" -v steady="$(kv "$s" steady2_desired)" -v expect="$(kv "$s" expect2)" \
                -v rexp="$(kv "$s" reached2_expect_ms)" -v final="$(kv "$s" final2_desired)" \
                -v pd="$(kv "$s" peak2_desired)" -v pr="$(kv "$s" peak2_ready)" -v pc="$(kv "$s" peak2_containers)" \
                -v req="$(kv "$s" requests2)" -v err="$(kv "$s" errors2)" -v rps="$(kv "$s" rps2)" \
                -v p50="$(kv "$s" p50_2_ms)" -v p95="$(kv "$s" p95_2_ms)" -v mx="$(kv "$s" max2_ms)" '
                function t(x) { return x == "never" ? "never" : sprintf("%.2f s", x / 1000) }
                BEGIN {
                    print "| figure | value | goal | met? |"
                    print "| --- | ---: | --- | --- |"
                    printf "| ready instances = desired (≥ steady %s) after the step | %s | — | — |\n", steady, t(reached)
                    printf "| ready instances ≥ needed %s after the step | %s | — | — |\n", expect, t(rexp)
                    printf "| desired: steady / at the end / peak; peak ready | %s / %s / %s; %s | — | — |\n", steady, final, pd, pr
                    printf "| over-provisioning: peak running containers / needed | %s / %s (%.2f×) | — | — |\n", pc, expect, (expect > 0 ? pc / expect : 0)
                    printf "| requests (requests/s) | %s (%.0f/s) | — | — |\n", req, rps
                    printf "| errors (non-2xx or exceptions) | %s | 0 | %s |\n", err, err + 0 == 0 ? "**yes**" : "no"
                    printf "| latency p50 / p95 / max (answered requests) | %.1f / %.1f / %.0f ms | — | — |\n", p50, p95, mx
                }'
        fi
        printf '\nThe timeline (every 100 ms: ready, desired, running containers, completed requests, errors, in flight) is `step.tsv` in the raw folder'
        [[ -s "$RAW/step-errors.txt" ]] && printf '; the errors by kind are in `step-errors.txt`'
        printf '.\n\n'

        printf '**Reproduce:** `%s`\n\n' "$REPRO_CMD"
        printf 'Timings come from `bench/tools/ScaleBench` (.NET, in-process Stopwatch), on the same machine. '
        printf 'p50 and p95 are nearest-rank'
        ((ROUNDS < 20)) && printf ' (with %s rounds p95 is the slowest round)' "$ROUNDS"
        printf '. See bench/README.md for what each figure means and its caveats. '
        printf 'Raw output, kinletd'\''s log and the build logs: `bench/results/raw/%s/` (not in git).\n' "$(basename "$RAW")"
    } >"$out"
}
