"""The load generator of bench/http_bench.py: one process, some threads, each thread on its own
keep-alive ``http.client`` connection sending GETs back to back (closed loop).

Run as ``python -P bench/loadgen.py CONFIG.json`` (``-P``: this folder must not come first on
sys.path, where bench/http_bench.py would stand in for the standard library's ``http``). Every
thread waits for ``start_at`` (``time.monotonic()``, the same clock in every process on
Linux), warms up until the first of the ``marks``, then sends until the last and finishes its
last request; consecutive marks bound the measured windows. Prints a JSON report on stdout: for
each window, the latencies (ms) of the requests that succeeded inside it (by their end) and the
CPU time this process used inside it; and the errors of the whole run.
"""

from __future__ import annotations

import http.client
import itertools
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
    start_at, marks = config["start_at"], config["marks"]
    stop_at = marks[-1]
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

    def clock() -> None:  # this process's CPU time at each mark
        for moment in marks:
            time.sleep(max(0.0, moment - time.monotonic()))
            cpu.append(time.process_time())

    workers = [threading.Thread(target=client, args=(slot,)) for slot in range(threads)]
    workers.append(threading.Thread(target=clock))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    windows = [
        [latency * 1000 for rows in records for end, latency, ok in rows if ok and begin <= end < until]
        for begin, until in itertools.pairwise(marks)
    ]
    report = {
        "latencies_ms": windows,
        "requests": sum(len(rows) for rows in records),
        "errors": len(errors),
        "error_sample": errors[:3],
        "cpu_s": [after - before for before, after in itertools.pairwise(cpu)],
    }
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
