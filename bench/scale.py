"""Scale benchmark: the embedded store at about 100k and 1M quads (bench/http_bench.py's synthetic
news graph, plus the seed article and its authority). Prints figures, asserts nothing.
``python bench/scale.py [--quick]`` (--quick: 100k only, fewer runs).

For each size: the store's size on disk (and against the same data as N-Quads), the time to load
it, the p50/p95 of each of the seed's competency questions (the query page's examples, through
kg's store as the server runs them, SPARQL JSON out; goal at 1M: p95 under 50 ms), and the
resident memory of a running ``kg serve`` (all its processes) after it answered them.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from common import SEED, kg_serving, percentile
from http_bench import build_dataset

from kg import pipeline
from kg.formats import RESULTS_SYNTAXES, rdf_syntax
from kg.namespaces import IRIs
from kg.server.pages import EXAMPLE_PREFIXES, EXAMPLES
from kg.store import open_store

JSON = next(s for s in RESULTS_SYNTAXES if s.media_type == "application/sparql-results+json")
GOAL_P95_MS = 50.0


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def build(folder: Path, articles: int) -> tuple[int, float]:
    """The seed article and its authority, then the synthetic graph with ``articles`` article
    graphs (its authority graph renamed, so as not to replace the seed's): quads and seconds."""
    started = time.perf_counter()
    iris = IRIs()
    with tempfile.TemporaryDirectory() as tmp:
        build_dataset(Path(tmp) / "synthetic", articles=articles)
        synthetic = ox.Store.read_only(str(Path(tmp) / "synthetic"))
        authority = ox.NamedNode(f"{iris.base}graph/authority")
        renamed = ox.NamedNode(f"{iris.base}graph/synthetic-authority")
        store = ox.Store(str(folder))
        store.bulk_extend(
            ox.Quad(q.subject, q.predicate, q.object, renamed if q.graph_name == authority else q.graph_name)
            for q in synthetic.quads_for_pattern(None, None, None, None)
        )
        store.flush()
        del store, synthetic
    store = open_store(folder, prefixes=iris.prefixes())
    pipeline.build([SEED], store, iris, datetime.now(UTC))
    quads = len(store)
    store.close()
    return quads, time.perf_counter() - started


def query_times(folder: Path, runs: int) -> dict[str, tuple[float, float]]:
    store = open_store(folder, read_only=True)
    out = {}
    for ident, _, text in EXAMPLES:
        query = f"{EXAMPLE_PREFIXES}\n{text}"
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            store.query(query).serialize_results(JSON)
            times.append((time.perf_counter() - started) * 1000)
        out[ident] = (percentile(times, 0.5), percentile(times, 0.95))
    store.close()
    return out


def _rss_kib(root: int) -> int:
    """Resident memory of ``root`` and its descendants, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def server_rss(folder: Path) -> int:
    """KiB resident in a ``kg serve`` on ``folder`` (default settings, no pages made ahead) once it
    has answered each competency question twice."""
    with kg_serving(folder, warm_pages="0") as (server, port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(2):
            for _, _, text in EXAMPLES:
                conn.request("GET", f"/sparql?query={quote(EXAMPLE_PREFIXES + text)}")
                conn.getresponse().read()
        conn.close()
        return _rss_kib(server.pid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100k quads only, 5 runs per query (default 21)")
    args = parser.parse_args()
    sizes = {"100k": 24} if args.quick else {"100k": 24, "1M": 283}  # article graphs of the synthetic data
    runs = 5 if args.quick else 21
    print(f"Scale benchmark — {os.cpu_count()} CPUs; p50/p95 over {runs} runs per query, in ms")
    for label, articles in sizes.items():
        with tempfile.TemporaryDirectory(prefix="kg-bench-scale-") as tmp:
            folder = Path(tmp) / "store"
            quads, seconds = build(folder, articles)
            disk = _size(folder)
            nquads = Path(tmp) / "all.nq"
            store = open_store(folder, read_only=True)
            nquads.write_bytes(store.export(rdf_syntax("nquads")))
            store.close()
            times = query_times(folder, runs)
            rss = server_rss(folder)
            print(
                f"{label}: {quads:,} quads, built and stored in {seconds:.1f} s; on disk {disk / 2**20:.1f} MiB "
                f"({disk / nquads.stat().st_size:.2f}× its N-Quads, {disk / quads:.0f} bytes a quad); "
                f"kg serve resident {rss / 1024:.0f} MiB (all processes)"
            )
            worst = 0.0
            for ident, (p50, p95) in times.items():
                worst = max(worst, p95)
                print(f"  {ident:<16} p50 {p50:8.2f}   p95 {p95:8.2f}")
            print(f"  slowest p95 {worst:.1f} ms ÷ goal {GOAL_P95_MS:g} ms = {worst / GOAL_P95_MS:.2f}")
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
