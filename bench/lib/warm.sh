# shellcheck shell=bash
# bench/lib/warm.sh: the warm suite. hello through kinletd's ingress vs straight to the same
# container's published port, at each connection count; kinletd's RSS and CPU per 1,000 requests.
#
#   suite_warm             runs it (needs a started kinletd and bench_deploy_hello)
#   render_warm OUT.md     the markdown report from $RAW/points.tsv and $RAW/resources.env
#
# Goals (reported, never asserted): issue 2 (now) and issue 6 (later), at GOAL_CONNS connections.
GOAL_CONNS=32
GOAL2_RATIO=0.7
GOAL2_P50_MS=1
GOAL6_RATIO=0.8
GOAL6_P50_MS=0.3

suite_warm() {
    local c
    : >"$RAW/points.tsv"
    {
        echo "clk_tck=$(getconf CLK_TCK)"
        echo "goal_conns=$GOAL_CONNS"
        echo "pace_ms=$((PACED_RPS > 0 ? GOAL_CONNS * 1000 / PACED_RPS : 0))"
        echo "kinletd_rss_idle_kb=$(proc_rss_kb "$KINLETD_PID")"
        echo "hello_rss_idle_kb=$(proc_rss_kb "$HELLO_PID")"
    } >"$RAW/resources.env"
    # kinletd's code is JIT-compiled and re-compiled (tiered, with PGO) while it runs: on 2 busy
    # cores that takes tens of seconds. Load it first, and keep the curve: it is a figure too.
    if ((PREWARM > 0)); then
        log "pre-warm: ${PREWARM}s through kinletd at $GOAL_CONNS connections"
        echo "prewarm_rps=$(wrk_slices prewarm "$GOAL_CONNS" "$PREWARM" "http://127.0.0.1:$INGRESS_PORT/" \
            "hello.localhost:$INGRESS_PORT" | tr ' ' ',')" >>"$RAW/resources.env"
    fi
    # Each connection count: the baseline first, then kinletd, back to back, so drift on the
    # machine hits both sides of a ratio alike.
    for c in $CONNECTIONS; do
        wrk_point direct "$c" "http://127.0.0.1:$HELLO_PORT/"
        wrk_point kinletd "$c" "http://127.0.0.1:$INGRESS_PORT/" "hello.localhost:$INGRESS_PORT"
    done
    # Paced: the same connections, each pausing between requests, so about PACED_RPS requests/s arrive
    # and nothing queues: the latency the hop itself adds at that concurrency (Knative's own data-plane
    # benchmark measures at a fixed rate too).
    if ((PACED_RPS > 0)); then
        export KINLET_BENCH_DIR="$BENCH_DIR" KINLET_PACE_MS=$((GOAL_CONNS * 1000 / PACED_RPS))
        WRK_SCRIPT="$BENCH_DIR/wrk/paced.lua" wrk_point direct-paced "$GOAL_CONNS" "http://127.0.0.1:$HELLO_PORT/"
        WRK_SCRIPT="$BENCH_DIR/wrk/paced.lua" wrk_point kinletd-paced "$GOAL_CONNS" "http://127.0.0.1:$INGRESS_PORT/" "hello.localhost:$INGRESS_PORT"
    fi
    {
        echo "kinletd_rss_after_kb=$(proc_rss_kb "$KINLETD_PID")"
        echo "kinletd_hwm_kb=$(proc_rss_kb "$KINLETD_PID" VmHWM)"
        echo "hello_rss_after_kb=$(proc_rss_kb "$HELLO_PID")"
        echo "hello_hwm_kb=$(proc_rss_kb "$HELLO_PID" VmHWM)"
    } >>"$RAW/resources.env"
}

# render_warm OUT.md: writes the report (markdown) to OUT.md.
render_warm() {
    local out="$1"
    {
        printf '# Kinlet warm benchmark: %s\n\n' "$RUN_STAMP"
        printf '%s\n\n' "$SETUP_LINE"
        awk -F'\t' -v res="$RAW/resources.env" -v conns="$CONNECTIONS" \
            -v g2r="$GOAL2_RATIO" -v g2p="$GOAL2_P50_MS" -v g6r="$GOAL6_RATIO" -v g6p="$GOAL6_P50_MS" '
            function commas(n,    s, r) {
                s = sprintf("%.0f", n); r = ""
                while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
                return s r
            }
            function ms(us) { return sprintf("%.3f ms", us / 1000) }
            function added(k, d,    x) { x = (k - d) / 1000; return sprintf("%s%.3f ms", x >= 0 ? "+" : "", x) }
            function mib(kb) { return sprintf("%.1f MiB", kb / 1024) }
            function yn(ok) { return ok ? "**yes**" : "no" }
            function row(a, b, c, d, e, f, g) { printf "| %s | %s | %s | %s | %s | %s | %s |\n", a, b, c, d, e, f, g }
            BEGIN {
                while ((getline l < res) > 0) { split(l, kv, "="); r[kv[1]] = kv[2] }
            }
            {
                key = $1 SUBSEP $2
                req[key] = $4; rps[key] = $6; p50[key] = $7; p99[key] = $9
                err[key] = $11 + $12 + $13; kt[key] = $14; ht[key] = $15; al[key] = $16
                wt[key] = $17; pt[key] = $18; mb[key] = $19; mt[key] = $20
                if ($21 > maxother) { maxother = $21; maxotherat = $1 ", " $2 " connection" ($2 == 1 ? "" : "s") }
            }
            END {
                print "| figure | conns | through kinletd | direct (baseline) | kinletd vs direct | goal, issue 2 (now) | goal, issue 6 (later) |"
                print "| --- | ---: | ---: | ---: | ---: | --- | --- |"
                n = split(conns, cs, " ")
                for (i = 1; i <= n; i++) {
                    c = cs[i]; k = "kinletd" SUBSEP c; d = "direct" SUBSEP c
                    ratio = rps[d] > 0 ? rps[k] / rps[d] : 0
                    addp = (p50[k] - p50[d]) / 1000
                    row("requests/s", c, commas(rps[k]), commas(rps[d]), sprintf("%.2f×", ratio),
                        "≥ " g2r "×: " yn(ratio >= g2r), "≥ " g6r "×: " yn(ratio >= g6r))
                    row("latency p50", c, ms(p50[k]), ms(p50[d]), added(p50[k], p50[d]),
                        "≤ +" g2p " ms: " yn(addp <= g2p), "≤ +" g6p " ms: " yn(addp <= g6p))
                    row("latency p99", c, ms(p99[k]), ms(p99[d]), added(p99[k], p99[d]), "—", "—")
                    ek += err[k]; ed += err[d]; nk += req[k]; nd += req[d]
                    if (c == r["goal_conns"]) {
                        gc = c; gratio = ratio; gadd = addp
                        cpuk = req[k] > 0 ? kt[k] / r["clk_tck"] / req[k] * 1000 : 0
                        cpud = req[d] > 0 ? ht[d] / r["clk_tck"] / req[d] * 1000 : 0
                        cpuh = req[k] > 0 ? ht[k] / r["clk_tck"] / req[k] * 1000 : 0
                        # CPU per request of the whole machine (every process, softirqs included).
                        mk = req[k] > 0 ? mb[k] / r["clk_tck"] / req[k] * 1e6 : 0
                        md = req[d] > 0 ? mb[d] / r["clk_tck"] / req[d] * 1e6 : 0
                        parts = sprintf("kinletd %.0f, hello %.0f, docker-proxy %.0f, wrk %.0f µs on the kinletd path; hello %.0f, docker-proxy %.0f, wrk %.0f µs direct",
                            kt[k] / r["clk_tck"] / req[k] * 1e6, ht[k] / r["clk_tck"] / req[k] * 1e6,
                            pt[k] / r["clk_tck"] / req[k] * 1e6, wt[k] / r["clk_tck"] / req[k] * 1e6,
                            ht[d] / r["clk_tck"] / req[d] * 1e6, pt[d] / r["clk_tck"] / req[d] * 1e6, wt[d] / r["clk_tck"] / req[d] * 1e6)
                        busyk = mt[k] > 0 ? 100 * mb[k] / mt[k] : 0; busyd = mt[d] > 0 ? 100 * mb[d] / mt[d] : 0
                    }
                    alnote = alnote sprintf("%s %s conns: %s lines for %s requests", alnote == "" ? "" : ";", c, commas(al[k]), commas(req[k]))
                }
                pk = "kinletd-paced" SUBSEP r["goal_conns"]; pd = "direct-paced" SUBSEP r["goal_conns"]
                if (req[pk] > 0) {
                    paddp = (p50[pk] - p50[pd]) / 1000
                    row(sprintf("paced: requests/s offered by %d connections pausing %d ms", r["goal_conns"], r["pace_ms"]),
                        r["goal_conns"], commas(rps[pk]), commas(rps[pd]), sprintf("%.2f×", rps[pd] > 0 ? rps[pk] / rps[pd] : 0), "—", "—")
                    row("paced: latency p50 (nothing queues)", r["goal_conns"], ms(p50[pk]), ms(p50[pd]), added(p50[pk], p50[pd]),
                        "—", "≤ +" g6p " ms: " yn(paddp <= g6p))
                    row("paced: latency p99", r["goal_conns"], ms(p99[pk]), ms(p99[pd]), added(p99[pk], p99[pd]), "—", "—")
                    ek += err[pk]; ed += err[pd]; nk += req[pk]; nd += req[pd]
                }
                row("failed requests (socket errors, non-2xx, timeouts), all points", "all",
                    commas(ek) " of " commas(nk), commas(ed) " of " commas(nd), "—", "—", "—")
                row("kinletd RSS, idle (hello deployed, before load)", "—", mib(r["kinletd_rss_idle_kb"]),
                    "hello: " mib(r["hello_rss_idle_kb"]), sprintf("%.2f×", r["kinletd_rss_idle_kb"] / r["hello_rss_idle_kb"]), "—", "—")
                row("kinletd RSS, right after the load (peak)", "—",
                    mib(r["kinletd_rss_after_kb"]) " (" mib(r["kinletd_hwm_kb"]) ")",
                    "hello: " mib(r["hello_rss_after_kb"]) " (" mib(r["hello_hwm_kb"]) ")",
                    sprintf("%.2f×", r["kinletd_rss_after_kb"] / r["hello_rss_after_kb"]), "—", "—")
                if (gc != "") {
                    row("kinletd CPU seconds per 1,000 requests", gc, sprintf("%.3f s", cpuk),
                        sprintf("hello, direct run: %.3f s", cpud), sprintf("%.2f×", cpud > 0 ? cpuk / cpud : 0), "—", "—")
                    row("machine CPU per request, all processes (CPUs busy)", gc, sprintf("%.0f µs (%.0f%%)", mk, busyk),
                        sprintf("%.0f µs (%.0f%%)", md, busyd), sprintf("%.2f×", md > 0 ? mk / md : 0), "—", "—")
                    printf "\n**At %d connections:** throughput %.2f× direct (goal ≥ %s×: %s; later ≥ %s×: %s), " \
                        "p50 added %+.3f ms (goal ≤ %s ms: %s; later ≤ %s ms: %s).\n",
                        gc, gratio, g2r, (gratio >= g2r ? "met" : "NOT met"), g6r, (gratio >= g6r ? "met" : "not met"),
                        gadd, g2p, (gadd <= g2p ? "met" : "NOT met"), g6p, (gadd <= g6p ? "met" : "not met")
                    printf "The hello process itself used %.3f s per 1,000 requests during the kinletd run " \
                        "(%.3f s in the direct run).\n", cpuh, cpud
                    printf "\nCPU per request at %d connections: %s. ", gc, parts
                    if (busyk >= 90 && busyd >= 90)
                        printf "Both runs kept the CPUs ≥ 90%% busy: wrk saturates the machine, so the throughput ratio is " \
                            "about the inverse of the CPU-per-request ratio, and p50 ≈ connections ÷ requests/s (queueing). " \
                            "The 1-connection p50 is the latency kinletd adds to a request that does not queue.\n"
                    else printf "\n"
                }
                if (r["prewarm_rps"] != "") {
                    np = split(r["prewarm_rps"], pw, ",")
                    printf "\nPre-warm through kinletd at %d connections before the points, requests/s per 5 s:", r["goal_conns"]
                    for (i = 1; i <= np; i++) printf " %s%s", commas(pw[i]), i < np ? "," : ""
                    printf " (the JIT still compiling: numbers from a freshly started kinletd are lower).\n"
                }
                printf "\nOther work on the machine (CPU used by none of wrk, kinletd, hello and its docker-proxy): " \
                    "at most %.0f%% of the machine during a point (%s)%s.\n", maxother, maxotherat,
                    (maxother > 10 ? "; **the figures are noisy: run again on a quiet machine**" : "")
                printf "\nkinletd access log (one line per request unless the async sink drops or it is off):%s.\n", alnote
            }' "$RAW/points.tsv"
        printf '\n**Reproduce:** `%s`\n\n' "$REPRO_CMD"
        printf 'Each point is `wrk --latency -t %s -c <conns> -d %ss -s bench/wrk/report.lua [-H '\''Host: hello.localhost:<ingress>'\''] http://127.0.0.1:<port>/` ' \
            "$THREADS" "$DURATION"
        printf 'after a %ss warm-up with the same command; 1 connection runs 1 thread. ' "$WARMUP"
        printf 'RSS is VmRSS (peak: VmHWM) from /proc/<pid>/status; CPU is utime+stime from /proc/<pid>/stat over the measured run. '
        printf 'See bench/README.md for what each figure means and its caveats.\n\n'
        printf '%s\n' "${NOTES[@]}"
    } >"$out"
}
