"""What the benchmark scripts share: where the bundled articles are, how a time is taken, and a
real ``kg serve`` to measure against. Imported by the scripts run as ``python bench/NAME.py``."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "articles"
SEED = ARTICLES / "tass-2015-10-21-russia-syria-assistance"


def median_ms(action: Callable[[], object], runs: int) -> float:
    """The median time of ``runs`` calls of ``action``, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def percentile(values: list[float], fraction: float) -> float:
    """The value at ``fraction`` (0–1) of ``values`` once sorted (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def kg_serving(store: Path, **settings: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """``kg serve`` on ``store`` and a free port, with no KG_* setting of the caller's but
    ``settings`` (``warm_pages="0"`` is KG_WARM_PAGES); the process and its port once it answers
    /healthz. Stopped at the end."""
    port = free_port()
    kg = shutil.which("kg", path=str(Path(sys.executable).parent)) or "kg"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update({f"KG_{name.upper()}": value for name, value in settings.items()})
    server = subprocess.Popen(
        [kg, "serve", "--store", str(store), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("kg serve did not start") from None
                time.sleep(0.2)
        yield server, port
    finally:
        server.terminate()
        server.wait(30)
