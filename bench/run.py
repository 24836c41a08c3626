"""Benchmarks: print figures, assert nothing. `python bench/run.py [--quick]`, or ``measure()``
from another script (bench/all.py, what `make bench` runs).

Measures, on the bundled seed article, the median time of each pipeline stage, of a few
competency queries against the embedded store, of each export format, and of each page kind
(made, served from the cache, and through a real ``kg serve``).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from common import ARTICLES, SEED, kg_serving, median_ms

from kg import __version__, pipeline, resources
from kg.annotation import authority_path
from kg.formats import RDF_SYNTAXES
from kg.mapper import map_article, map_authority, referenced_authority
from kg.namespaces import IRIs
from kg.reason import infer
from kg.rules import infer_fast
from kg.store import open_store

QUERIES = {
    "defence minister": """PREFIX kgo: <http://127.0.0.1:8000/ontology#> PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?p WHERE { ?t kgo:holder ?p ; kgo:position ?post . ?post org:postIn ?m }""",
    "events in Syria": """PREFIX kgo: <http://127.0.0.1:8000/ontology#>
        SELECT ?e WHERE { ?e a kgo:FactualEvent ; kgo:occurredIn <http://127.0.0.1:8000/id/entity/syria> }""",
    "quotes": """PREFIX kgo: <http://127.0.0.1:8000/ontology#> PREFIX schema: <https://schema.org/>
        SELECT ?t WHERE { ?q a kgo:DirectQuote ; schema:text ?t }""",
    "count all": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
}


PAGES = {
    "page: home": None,
    "page: article": "article/tass-2015-10-21-russia-syria-assistance",
    "page: entity (Shoigu)": "entity/sergey-shoigu",
    "page: event": "article/tass-2015-10-21-russia-syria-assistance/event/air-campaign",
    "page: statement": "article/tass-2015-10-21-russia-syria-assistance/statement/quote-continue-assistance",
}


@dataclass(frozen=True)
class Timing:
    """One figure: a median of ``runs`` runs, in ``unit`` (ms or µs)."""

    name: str
    value: float
    unit: str
    runs: int


@dataclass(frozen=True)
class Seed:
    asserted: int
    inferred: int
    quads: int
    timings: list[Timing]
    slow_runs: int
    fast_runs: int


def page_rows(location: Path, iris: IRIs, runs: int) -> list[Timing]:
    """Server time of each page kind in a server process: made (on a freshly opened store, as after
    a start or a write: done ahead of requests, in the background) and served (from the cache, as
    every request after that is); and the time to make every page of the store ahead."""
    from kg.server import linked
    from kg.server.pages import page_paths
    from kg.server.workers import WorkerConfig

    config = WorkerConfig(str(location), iris.base, iris.prefixes(), 64_000_000)

    def render(store: object, path: str | None) -> object:
        if path is None:
            return linked.home(store, config, base_url="http://127.0.0.1:8000/", update=False)  # type: ignore[arg-type]
        return linked.page(store, config, path=path)  # type: ignore[arg-type]

    rows = []
    warm_up = open_store(location, read_only=True)
    for path in PAGES.values():
        render(warm_up, path)  # templates compiled once per process, as in a server process
    warm_up.close()
    for name, path in PAGES.items():
        cold = []
        for _ in range(max(runs, 3)):
            store = open_store(location, read_only=True)
            cold.append(median_ms(lambda s=store, p=path: render(s, p), 1))
            store.close()
        store = open_store(location, read_only=True)
        render(store, path)
        cached = median_ms(lambda s=store, p=path: render(s, p), max(runs, 3) * 10)
        store.close()
        rows.append(Timing(f"{name}, made (once per view, ahead)", statistics.median(cold), "ms", len(cold)))
        rows.append(Timing(f"{name}, served", cached * 1000, "µs", max(runs, 3) * 10))
    store = open_store(location, read_only=True)
    count = len(page_paths(store, iris, 100_000))
    ahead = median_ms(lambda: linked.warm(store, config, count, lambda: store), 1)
    store.close()
    rows.append(Timing(f"all {count} pages made ahead (a fresh view)", ahead, "ms", 1))
    return rows


def http_page_rows(location: Path, iris: IRIs, runs: int) -> list[Timing]:
    """Each page kind through a real ``kg serve`` (default settings) once it has made its pages
    ahead: the median time from request sent to response read, on a keep-alive connection. This
    is the server's time plus the HTTP round trip on 127.0.0.1, an upper bound of the former."""
    import http.client
    import re

    from kg.server.pages import page_paths

    store = open_store(location, read_only=True)
    count = len(page_paths(store, iris, 100_000))
    store.close()
    rows: list[Timing] = []
    with kg_serving(location) as (server, port):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def get(path: str) -> bytes:
            conn.request("GET", path, headers={"Accept": "text/html"})
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"GET {path}: HTTP {response.status}")
            return body

        deadline = time.monotonic() + 120
        while True:  # up, and every page made ahead by both server processes
            try:
                made = re.search(rb"^kg_pages_made_ahead (\S+)$", get("/metrics"), re.MULTILINE)
                if made and float(made.group(1)) >= 2 * count:
                    break
            except (OSError, http.client.HTTPException):
                conn.close()
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("kg serve did not make its pages ahead in 120 s")
            time.sleep(0.2)
        for name, path in PAGES.items():
            url = "/" if path is None else f"/page/{path}"
            get(url)
            many = max(runs, 3) * 20
            rows.append(Timing(f"{name}, over HTTP (made ahead)", median_ms(lambda u=url: get(u), many), "ms", many))
        conn.close()
    return rows


def measure(slow_runs: int, fast_runs: int, owlrl: bool = True) -> Seed:
    """Every figure on the seed article: pipeline stages, exports and page making over
    ``slow_runs`` runs, queries over ``fast_runs``; without ``owlrl``, no owlrl closure (slow,
    and bench/reason.py measures it)."""
    iris = IRIs()
    built_at = datetime.now(UTC)
    source = pipeline.load_authority_source(authority_path(ARTICLES))
    article = pipeline.load(SEED, source)
    authority = pipeline.build_authority(source, iris, built_at)
    mapped = map_article(article, iris, built_at, __version__)
    context = map_authority(article.authority, iris, referenced_authority(article.annotation, article.authority))
    ontology = resources.ontology()
    inferred = infer_fast(mapped.asserted, ontology, context, authority.inferred)  # the same triples as owlrl's
    rows: list[Timing] = []

    def slow(name: str, action: Callable[[], object]) -> None:
        rows.append(Timing(name, median_ms(action, slow_runs), "ms", slow_runs))

    slow("load annotation", lambda: pipeline.load(SEED, source))
    slow("map", lambda: map_article(article, iris, built_at, __version__))
    slow("SHACL gate, asserted", lambda: pipeline.gate(mapped.asserted, context))
    if owlrl:
        slow("OWL 2 RL closure (owlrl)", lambda: infer(mapped.asserted, ontology, context))
    slow(
        "SHACL gate, closure",
        lambda: pipeline.closure_gate(mapped.asserted, context, inferred, authority.inferred),
    )
    built = pipeline.build_article(article, iris, built_at, authority)

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "store", prefixes=iris.prefixes())
        graphs = {**authority.graphs(), **built.graphs()}
        slow("store write (replace 6 graphs)", lambda: store.replace_graphs(graphs))
        for name, query in QUERIES.items():
            times = median_ms(lambda q=query: list(store.query(q).rows()), fast_runs)
            rows.append(Timing(f"query: {name}", times, "ms", fast_runs))
        for syntax in RDF_SYNTAXES:
            slow(f"export {syntax.name}", lambda s=syntax: store.export(s))
        quads = len(store)
        store.close()
        rows += page_rows(Path(tmp) / "store", iris, slow_runs)
        rows += http_page_rows(Path(tmp) / "store", iris, slow_runs)
    return Seed(len(mapped.asserted), len(inferred), quads, rows, slow_runs, fast_runs)


def report(seed: Seed) -> None:
    print(
        f"kg {__version__} — seed article: {seed.asserted} asserted, {seed.inferred} inferred triples; "
        f"store {seed.quads} quads; medians of {seed.slow_runs} (pipeline) / {seed.fast_runs} (queries) runs"
    )
    width = max(len(t.name) for t in seed.timings)
    for t in seed.timings:
        print(f"  {t.name.ljust(width)}  {t.value:10.2f} {t.unit}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    report(measure(*((1, 20) if args.quick else (5, 200))))


if __name__ == "__main__":
    main()
