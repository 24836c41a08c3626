"""Scale benchmark: the embedded store at about 100k and 1M quads (bench/http_bench.py's synthetic
news graph, plus the seed article and its authority). Prints figures, asserts nothing.
``python bench/scale.py [--quick]`` (--quick: 100k only, fewer runs), or ``measure()`` from
another script (bench/all.py).

For each size: the store's size on disk (and against the same data as N-Quads), the time to load
it, the p50/p95 of each of the seed's competency questions (the query page's examples, through
kg's store as the server runs them, SPARQL JSON out; goal at 1M: p95 under 50 ms) and of the same
queries on pyoxigraph directly (the anchor: the engine under kg's store, union default graph),
and the resident memory of a running ``kg serve`` (all its processes) after it answered them,
against that of bench/anchor_app.py's bare FastAPI + pyoxigraph app on the same store (the
median of ``rss_runs`` starts of each).
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from common import SEED, free_port, kg_serving, percentile
from http_bench import BARE, Running, Server, _clean_env, build_dataset

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


def _queries() -> dict[str, str]:
    return {ident: f"{EXAMPLE_PREFIXES}\n{text}" for ident, _, text in EXAMPLES}


def query_times(folder: Path, runs: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Milliseconds of each run of each competency question, SPARQL JSON out: through kg's store,
    and on pyoxigraph directly (the union default graph, as kg's store asks it); the two
    alternate, run by run."""
    store = open_store(folder, read_only=True)
    engine = ox.Store.read_only(str(folder))
    kg: dict[str, list[float]] = {}
    direct: dict[str, list[float]] = {}
    for ident, query in _queries().items():
        kg[ident], direct[ident] = [], []
        for _ in range(runs):
            started = time.perf_counter()
            store.query(query).serialize_results(JSON)
            kg[ident].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            result = engine.query(query, use_default_graph_as_union=True)
            assert not isinstance(result, ox.QueryTriples)  # the examples are SELECT and ASK
            result.serialize(format=ox.QueryResultsFormat.JSON)
            direct[ident].append((time.perf_counter() - started) * 1000)
    store.close()
    del engine
    return kg, direct


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


def _ask_each_twice(port: int, path: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for _ in range(2):
        for query in _queries().values():
            conn.request("GET", f"{path}?query={quote(query)}", headers={"Accept": JSON.media_type})
            conn.getresponse().read()
    conn.close()


def server_rss(folder: Path) -> int:
    """KiB resident in a ``kg serve`` on ``folder`` (default settings, no pages made ahead) once it
    has answered each competency question twice."""
    with kg_serving(folder, warm_pages="0") as (server, port):
        _ask_each_twice(port, "/sparql")
        return _rss_kib(server.pid)


def anchor_rss(folder: Path) -> int:
    """KiB resident in bench/anchor_app.py's bare FastAPI + pyoxigraph app on ``folder`` once it has
    answered each competency question twice."""
    argv = [sys.executable, "-P", str(Path(__file__).with_name("anchor_app.py")), "--store", str(folder)]
    with tempfile.TemporaryDirectory(prefix="kg-bench-anchor-") as logs:
        running = Running(Server(BARE, argv, "/sparql", _clean_env()), free_port(), Path(logs))
        try:
            running.wait_ready()
            _ask_each_twice(running.port, "/sparql")
            return _rss_kib(running.process.pid)
        finally:
            running.stop()


@dataclass(frozen=True)
class Size:
    """One store size: its quads, build time, bytes on disk and as N-Quads, the milliseconds of
    each run of each competency question (kg's store; pyoxigraph directly), and the KiB resident
    in each start of kg serve and of the bare app."""

    label: str
    quads: int
    build_s: float
    disk: int
    nquads: int
    kg: dict[str, list[float]]
    direct: dict[str, list[float]]
    rss: list[int]
    anchor_rss: list[int]

    def p(self, ident: str, fraction: float, direct: bool = False) -> float:
        return percentile((self.direct if direct else self.kg)[ident], fraction)


SIZES = {"100k": 24, "1M": 283}
"""Article graphs of the synthetic data for each store size."""
QUICK_SIZES = {"20k": 0}


def measure(sizes: dict[str, int], runs: int, rss_runs: int = 1) -> list[Size]:
    """Each size in turn, built in a temporary folder removed after it."""
    out = []
    for label, articles in sizes.items():
        with tempfile.TemporaryDirectory(prefix="kg-bench-scale-") as tmp:
            folder = Path(tmp) / "store"
            quads, seconds = build(folder, articles)
            disk = _size(folder)
            nquads = Path(tmp) / "all.nq"
            store = open_store(folder, read_only=True)
            nquads.write_bytes(store.export(rdf_syntax("nquads")))
            store.close()
            kg, direct = query_times(folder, runs)
            rss = [server_rss(folder) for _ in range(rss_runs)]
            anchor = [anchor_rss(folder) for _ in range(rss_runs)]
            out.append(Size(label, quads, seconds, disk, nquads.stat().st_size, kg, direct, rss, anchor))
            shutil.rmtree(folder)
    return out


def report(sizes: list[Size], runs: int) -> None:
    print(f"Scale benchmark — {os.cpu_count()} CPUs; p50/p95 over {runs} runs per query, in ms")
    for size in sizes:
        rss, anchor = statistics.median(size.rss), statistics.median(size.anchor_rss)
        print(
            f"{size.label}: {size.quads:,} quads, built and stored in {size.build_s:.1f} s; on disk "
            f"{size.disk / 2**20:.1f} MiB ({size.disk / size.nquads:.2f}× its N-Quads, {size.disk / size.quads:.0f} "
            f"bytes a quad); kg serve resident {rss / 1024:.0f} MiB (all processes; bare FastAPI+pyoxigraph "
            f"{anchor / 1024:.0f} MiB), medians of {len(size.rss)} start(s)"
        )
        worst = 0.0
        for ident in size.kg:
            p95 = size.p(ident, 0.95)
            worst = max(worst, p95)
            print(
                f"  {ident:<16} p50 {size.p(ident, 0.5):8.2f}   p95 {p95:8.2f}     pyoxigraph directly: "
                f"p50 {size.p(ident, 0.5, direct=True):8.2f}   p95 {size.p(ident, 0.95, direct=True):8.2f}"
            )
        print(f"  slowest p95 {worst:.1f} ms ÷ goal {GOAL_P95_MS:g} ms = {worst / GOAL_P95_MS:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100k quads only, 5 runs per query (default 21)")
    args = parser.parse_args()
    sizes = {"100k": SIZES["100k"]} if args.quick else SIZES
    runs = 5 if args.quick else 21
    report(measure(sizes, runs), runs)


if __name__ == "__main__":
    main()
