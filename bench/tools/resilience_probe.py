#!/usr/bin/env python3
"""bench/tools/resilience_probe.py: sequential keep-alive requests through kinletd for bench/resilience.sh.

  resilience_probe.py PORT HOST PATH COUNT [--kill-after N --kill CMD]

Prints one line: count, status histogram, aborted share, p50/p90 latency (ms) of all and of the slow share
(requests above the median of the fast ones + half the expected delay, when --delay-ms is given).
"""
import http.client
import subprocess
import sys
import time


def main():
    port, host, path, count = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    args = sys.argv[5:]
    delay_ms = float(args[args.index("--delay-ms") + 1]) if "--delay-ms" in args else 0
    kill_after = int(args[args.index("--kill-after") + 1]) if "--kill-after" in args else -1
    kill_cmd = args[args.index("--kill") + 1] if "--kill" in args else None
    method = args[args.index("--method") + 1] if "--method" in args else "GET"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    statuses, latencies, errors = {}, [], 0
    for i in range(count):
        if i == kill_after and kill_cmd:
            subprocess.run(kill_cmd, shell=True, check=False, stdout=subprocess.DEVNULL)
        start = time.perf_counter()
        try:
            conn.request(method, path, body=b"{}" if method == "POST" else None,
                         headers={"Host": host, "ce-id": f"b-{i}"})
            r = conn.getresponse()
            r.read()
            statuses[r.status] = statuses.get(r.status, 0) + 1
        except Exception:  # noqa: BLE001 - a broken connection is an error to count, then reconnect
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append((time.perf_counter() - start) * 1000)
    latencies.sort()

    def pct(values, p):
        return values[min(len(values) - 1, int(len(values) * p))] if values else float("nan")

    line = f"requests {count} statuses {dict(sorted(statuses.items()))} errors {errors}"
    non200 = count - statuses.get(200, 0) - statuses.get(202, 0)
    line += f" non-2xx {non200} ({100.0 * non200 / count:.2f} %) p50 {pct(latencies, 0.5):.2f} ms p90 {pct(latencies, 0.9):.2f} ms"
    if delay_ms > 0:
        fast = [x for x in latencies if x < delay_ms / 2]
        slow = [x for x in latencies if x >= delay_ms / 2]
        line += (f" delayed {len(slow)} ({100.0 * len(slow) / max(1, len(latencies)):.2f} %)"
                 f" p50 fast {pct(fast, 0.5):.2f} ms p50 delayed {pct(slow, 0.5):.2f} ms"
                 f" added at p50 {pct(slow, 0.5) - pct(fast, 0.5):.2f} ms")
    print(line)


if __name__ == "__main__":
    main()
