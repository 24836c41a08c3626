"""The load generator of bench/http_bench.py: one process, some threads, each thread on its own
keep-alive ``http.client`` connection sending GETs back to back (closed loop).

Run as ``python -P bench/loadgen.py CONFIG.json`` (``-P``: this folder must not come first on
sys.path, where bench/http_bench.py would stand in for the standard library's ``http``). Every
thread waits for ``start_at`` (``time.monotonic()``, the same clock in every process on
Linux), warms up until ``measure_at``, then sends until ``stop_at`` and finishes its last
request. Prints a JSON report on stdout: the latencies (ms) of the requests that succeeded
inside [measure_at, stop_at], the errors of the whole run, and the CPU time this process used inside the window.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from pathlib import Path


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    host, port, timeout = config["host"], config["port"], config["timeout"]
    paths: list[str] = config["paths"]
    threads, first, stride = config["threads"], config["first"], config["stride"]
    start_at, measure_at, stop_at = config["start_at"], config["measure_at"], config["stop_at"]
    headers = {"Accept": "application/sparql-results+json"}
    records: list[list[tuple[float, float, bool]]] = [[] for _ in range(threads)]
    errors: list[str] = []

    def client(slot: int) -> None:
        out = records[slot]
        index = first + slot
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        time.sleep(max(0.0, start_at - time.monotonic()))
        while (begin := time.monotonic()) < stop_at:
            path = paths[index % len(paths)]
            index += stride
            ok = False
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if not ok:
                    errors.append(f"HTTP {response.status}")
            except (OSError, http.client.HTTPException) as err:
                errors.append(f"{type(err).__name__}: {err}")
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=timeout)
                time.sleep(0.01)  # a refused connection must not spin
            end = time.monotonic()
            out.append((end, end - begin, ok))
        conn.close()

    cpu: list[float] = []

    def clock() -> None:  # this process's CPU time at the start and the end of the window
        for moment in (measure_at, stop_at):
            time.sleep(max(0.0, moment - time.monotonic()))
            cpu.append(time.process_time())

    workers = [threading.Thread(target=client, args=(slot,)) for slot in range(threads)]
    workers.append(threading.Thread(target=clock))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    window = [latency * 1000 for rows in records for end, latency, ok in rows if ok and measure_at <= end <= stop_at]
    report = {
        "latencies_ms": window,
        "requests": sum(len(rows) for rows in records),
        "errors": len(errors),
        "error_sample": errors[:3],
        "cpu_s": cpu[1] - cpu[0],
    }
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
