"""HTTP benchmark: ``kg serve`` against a bare FastAPI + pyoxigraph app, a FastAPI constant route
and (optionally) rdflib-endpoint, on one synthetic ~100k-triple news graph. Prints figures, asserts
nothing. ``python bench/http_bench.py [--quick]``, or ``run(quick)`` from another script

Each server runs alone, as a subprocess on 127.0.0.1, and is stopped before the next starts. The
load comes from other processes (bench/loadgen.py): 8 keep-alive connections, each sending its
next GET as soon as the last one is answered, every request a different query of its shape.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.metadata
import importlib.util
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import get_args
from urllib.parse import quote

import pyoxigraph as ox
from common import free_port

from kg.annotation import EventType

_BENCH = Path(__file__).resolve().parent

BASE = "http://127.0.0.1:8000/"
KGO = "http://127.0.0.1:8000/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PREFIXES = f"PREFIX kgo: <{KGO}>\nPREFIX rdfs: <{RDFS}>\nPREFIX skos: <{SKOS}>\nPREFIX xsd: <{XSD}>\n"
SEED = 20151021
CLIENT_PROCESSES, CLIENT_THREADS = 2, 4
DISTINCT_QUERIES = 4096
DEFAULT_WORKERS = 2
"""KG_QUERY_WORKERS's default (kg/settings.py)."""
REQUEST_TIMEOUT = 120.0
RDFLIB_ENDPOINT = "rdflib-endpoint==0.6.3"
VIRTUOSO = "Virtuoso"
KG_VIRTUOSO = "kg serve → Virtuoso"

EVENT_TYPES = list(get_args(EventType))
"""kg's event types (kg.annotation), in the order they are declared."""
ROLES = ["agent", "patient", "target", "attendee", "organiser", "speaker", "requester", "beneficiary"]


# --- the data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    store: Path
    quads: int
    graphs: int
    entities: list[str]
    cities: list[str]
    events: int
    seconds: float


def build_dataset(folder: Path, seed: int = SEED, articles: int = 24) -> Dataset:
    """A kg-shaped graph, the same for a given seed: an authority graph of countries, cities,
    people and organisations (rdfs:label, skos:prefLabel, skos:altLabel, kgo:containedIn), and
    ``articles`` article graphs (24: about 100k quads) of 250 events each (type, label, kgo:place,
    kgo:startDate, factuality, two kgo:hasParticipation → participation → kgo:participant / kgo:role)."""
    start = time.perf_counter()
    rng = random.Random(seed)
    quads: list[ox.Quad] = []
    iri = ox.NamedNode

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal, g: ox.NamedNode) -> None:
        quads.append(ox.Quad(s, iri(p), o, g))

    authority = iri(f"{BASE}graph/authority")
    countries: list[ox.NamedNode] = []
    cities: list[ox.NamedNode] = []
    entities: list[ox.NamedNode] = []
    for kind, count, cls in (
        ("country", 40, "Country"),
        ("city", 200, "City"),
        ("person", 3000, "Person"),
        ("organisation", 600, "Organisation"),
    ):
        for i in range(count):
            node = iri(f"{BASE}id/entity/{kind}-{i:05d}")
            entities.append(node)
            name = f"{kind.title()} {i}"
            add(node, RDF_TYPE, iri(KGO + cls), authority)
            add(node, RDFS + "label", ox.Literal(name, language="en"), authority)
            add(node, SKOS + "prefLabel", ox.Literal(f"{name} (official)", language="en"), authority)
            add(node, SKOS + "altLabel", ox.Literal(f"{name} alias", language="ru"), authority)
            if kind == "country":
                countries.append(node)
            elif kind == "city":
                add(node, KGO + "containedIn", rng.choice(countries), authority)
                cities.append(node)
    agents = entities[len(countries) + len(cities) :]
    events = 0
    for article in range(articles):
        graph = iri(f"{BASE}graph/article/article-{article:03d}")
        for k in range(250):
            event = iri(f"{BASE}id/article/article-{article:03d}/event/e{k}")
            events += 1
            add(event, RDF_TYPE, iri(KGO + rng.choice(EVENT_TYPES)), graph)
            add(event, RDFS + "label", ox.Literal(f"event {k} of article {article}", language="en"), graph)
            add(event, KGO + "place", rng.choice(cities) if rng.random() < 0.8 else rng.choice(countries), graph)
            date = f"{2015 + rng.randrange(2)}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}"
            add(event, KGO + "startDate", ox.Literal(date, datatype=iri(XSD + "date")), graph)
            add(event, KGO + "modality", iri(KGO + "actual"), graph)
            add(event, KGO + "polarity", iri(KGO + "positive"), graph)
            for who in rng.sample(agents, 2):
                role = rng.choice(ROLES)
                part = iri(f"{event.value}/participant/{who.value.rsplit('/', 1)[1]}-{role}")
                add(event, KGO + "hasParticipation", part, graph)
                add(part, RDF_TYPE, iri(KGO + "Participation"), graph)
                add(part, KGO + "participant", who, graph)
                add(part, KGO + "role", iri(f"{KGO}{role}Role"), graph)
    store = ox.Store(str(folder))
    store.bulk_extend(quads)
    store.flush()
    graphs = sum(1 for _ in store.named_graphs())
    del store  # release the lock: the servers open it next
    return Dataset(
        folder,
        len(quads),
        graphs,
        [e.value for e in entities],
        [c.value for c in cities],
        events,
        time.perf_counter() - start,
    )


def cheap(rng: random.Random, data: Dataset) -> str:
    """The labels of one entity, by IRI: a few index lookups."""
    entity = rng.choice(data.entities)
    return f"{PREFIXES}SELECT ?label WHERE {{ <{entity}> rdfs:label|skos:prefLabel|skos:altLabel ?label }}"


def two_hop(rng: random.Random, data: Dataset) -> str:
    """Who took part in the events at one city, by name: event → participation → participant."""
    city = rng.choice(data.cities)
    return (
        f"{PREFIXES}SELECT DISTINCT ?who ?name WHERE {{\n"
        f"  ?event kgo:place <{city}> ; kgo:hasParticipation ?part .\n"
        f"  ?part kgo:participant ?who .\n  ?who skos:prefLabel ?name\n}}"
    )


def aggregate(rng: random.Random, data: Dataset) -> str:
    """Events per place since a date in the first of the two years: every event is read, 50–100%
    of them counted."""
    day = 1 + rng.randrange(365)
    since = time.strftime("%Y-%m-%d", time.strptime(f"2015 {day}", "%Y %j"))
    return (
        f"{PREFIXES}SELECT ?place (COUNT(?event) AS ?events) WHERE {{\n"
        f"  ?event kgo:place ?place ; kgo:startDate ?date .\n"
        f'  FILTER(?date >= "{since}"^^xsd:date)\n}} GROUP BY ?place ORDER BY DESC(?events) LIMIT 10'
    )


SHAPES: dict[str, Callable[[random.Random, Dataset], str]] = {
    "cheap: labels of 1 entity": cheap,
    "2-hop: participants at a city": two_hop,
    "aggregate: events/place since": aggregate,
}


def queries(data: Dataset, seed: int = SEED) -> dict[str, list[str]]:
    rng = random.Random(seed + 1)
    return {shape: [make(rng, data) for _ in range(DISTINCT_QUERIES)] for shape, make in SHAPES.items()}


def expected_rows(data: Dataset, texts: dict[str, list[str]]) -> dict[str, int]:
    """Rows of each shape's first query, straight from pyoxigraph: what every server should answer."""
    store = ox.Store.read_only(str(data.store))
    rows = {}
    for shape, items in texts.items():
        result = store.query(items[0], use_default_graph_as_union=True)
        assert isinstance(result, ox.QuerySolutions)
        rows[shape] = len(list(result))
    del store
    return rows


# --- the servers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    name: str
    argv: list[str]
    path: str
    env: dict[str, str]
    startup_timeout: float = 60.0


def _kg_command() -> list[str]:
    beside = Path(sys.executable).with_name("kg")
    found = str(beside) if beside.exists() else shutil.which("kg")
    return [found] if found else [sys.executable, "-P", "-c", "from kg.cli import app; app(prog_name='kg')"]


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without any KG_* setting of the caller's (updates, host, caps), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    return {**env, **extra}


def _get(port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Running:
    """A server subprocess in its own session, with its output in a log file."""

    def __init__(self, server: Server, port: int, logs: Path) -> None:
        self.server, self.port = server, port
        self.log = logs / f"{server.name.replace(' ', '_').replace('/', '_')}.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [*server.argv, "--port", str(port)],
                env=server.env,
                cwd=logs,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.server.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"exited with {self.process.returncode}: {self.tail()}")
            try:
                _get(self.port, "/", timeout=2)  # uvicorn listens only once the app has started
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"not ready after {self.server.startup_timeout:g} s: {self.tail()}")

    def tail(self) -> str:
        return " | ".join(self.log.read_text(errors="replace").strip().splitlines()[-3:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # our child's own session: it and its workers
                self.process.wait(5)


def _cpu_seconds(root: int) -> float:
    """CPU time (user + system) of a process and its descendants, from /proc; 0 where there is none."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir() if Path("/proc/self/stat").exists() else []:
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += times.get(pid, 0.0)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


def _machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy (all CPUs, from /proc/stat; 0 where there is none)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


# --- the load ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    qps: float
    p50: float
    p99: float
    errors: int
    server_cores: float
    client_cores: float
    other_cores: float
    error_sample: tuple[str, ...] = ()


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def measure(running: Running, paths: list[str], warmup: float, duration: float, work: Path) -> Cell:
    """Drive one server with one shape's requests from CLIENT_PROCESSES × CLIENT_THREADS connections."""
    start_at = time.monotonic() + 0.5  # the clients' interpreters start meanwhile
    measure_at, stop_at = start_at + warmup, start_at + warmup + duration
    clients = []
    for index in range(CLIENT_PROCESSES):
        config = work / f"client-{index}.json"
        config.write_text(
            json.dumps(
                {
                    "host": "127.0.0.1",
                    "port": running.port,
                    "timeout": REQUEST_TIMEOUT,
                    "paths": paths,
                    "threads": CLIENT_THREADS,
                    "first": index * CLIENT_THREADS,
                    "stride": CLIENT_PROCESSES * CLIENT_THREADS,
                    "start_at": start_at,
                    "measure_at": measure_at,
                    "stop_at": stop_at,
                }
            ),
            encoding="utf-8",
        )
        command = [sys.executable, "-P", str(_BENCH / "loadgen.py"), str(config)]
        clients.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    time.sleep(max(0.0, measure_at - time.monotonic()))
    cpu_before, busy_before = _cpu_seconds(running.process.pid), _machine_busy_seconds()
    time.sleep(max(0.0, stop_at - time.monotonic()))
    busy = _machine_busy_seconds() - busy_before
    server_cores = (_cpu_seconds(running.process.pid) - cpu_before) / duration
    latencies: list[float] = []
    errors = 0
    client_cpu = 0.0
    samples: list[str] = []
    for client in clients:
        try:
            out, err = client.communicate(timeout=max(0.0, stop_at - time.monotonic()) + REQUEST_TIMEOUT + 30)
        except subprocess.TimeoutExpired:
            client.kill()
            out, err = client.communicate()
        if client.returncode != 0:
            errors += 1
            samples.append(f"load generator failed: {err.decode(errors='replace').strip()[-200:]}")
            continue
        report = json.loads(out)
        latencies += report["latencies_ms"]
        errors += report["errors"]
        samples += report["error_sample"]
        client_cpu += report["cpu_s"]
    latencies.sort()
    return Cell(
        qps=len(latencies) / duration,
        p50=_percentile(latencies, 0.50),
        p99=_percentile(latencies, 0.99),
        errors=errors,
        server_cores=server_cores,
        client_cores=client_cpu / duration,
        other_cores=max(0.0, busy / duration - server_cores - client_cpu / duration),
        error_sample=tuple(samples[:2]),
    )


def _rows_of(body: bytes) -> int | None:
    try:
        return len(json.loads(body)["results"]["bindings"])
    except (ValueError, KeyError, TypeError):
        return None


# --- the run -------------------------------------------------------------------------------


def _rdflib_endpoint() -> str | None:
    """Why rdflib-endpoint cannot be measured, or None when it can (pip-installed here if missing)."""
    if importlib.util.find_spec("rdflib_endpoint") is not None:
        return None
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    constraints = _BENCH.parent / "constraints.txt"
    if constraints.exists():
        command += ["-c", str(constraints)]  # keep kg's pinned fastapi, rdflib… as they are
    done = subprocess.run([*command, RDFLIB_ENDPOINT], capture_output=True, text=True, check=False)
    importlib.invalidate_caches()
    if done.returncode != 0 or importlib.util.find_spec("rdflib_endpoint") is None:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
        return f"pip install {RDFLIB_ENDPOINT} failed: {last[0]}"
    return None


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


DISTURBED = 0.25
"""Cores used by other programs during a cell above which the cell is marked ``*``."""


def _cell_text(cell: Cell | None) -> str:
    if cell is None:
        return f"{'—':>25}"
    mark = "*" if cell.other_cores > DISTURBED else " "
    p50, p99 = (f"{cell.p50:7.1f}", f"{cell.p99:7.1f}") if cell.qps else (f"{'—':>7}", f"{'—':>7}")
    return f"{cell.qps:7.1f}{mark}{p50} {p99} {min(cell.errors, 999):>3}"


def _ratio(a: Cell | None, b: Cell | None) -> str:
    return f"{a.qps / b.qps:.2f}" if a and b and b.qps else "—"


def run(
    quick: bool,
    with_anchors: bool = False,
    workers: tuple[int, ...] = (1, 2),
    duration: float | None = None,
    warmup: float | None = None,
) -> None:
    """Build the data, measure every server on every shape, print the table."""
    duration = duration if duration is not None else (2.0 if quick else 10.0)
    warmup = warmup if warmup is not None else (0.5 if quick else 2.0)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-http-") as tmp:
        work = Path(tmp)
        data = build_dataset(work / "store")
        texts = queries(data)
        expected = expected_rows(data, texts)
        base_env = _clean_env()
        servers: list[Server] = [
            Server(
                f"kg serve w={n}",
                [*_kg_command(), "serve", "--store", str(data.store)],
                "/sparql",
                _clean_env(KG_QUERY_WORKERS=str(n), KG_WARM_PAGES="0"),
            )
            for n in workers
        ]
        anchor = [sys.executable, "-P", str(_BENCH / "anchor_app.py")]
        servers.append(Server("bare FastAPI+pyoxigraph", [*anchor, "--store", str(data.store)], "/sparql", base_env))
        servers.append(Server("FastAPI constant", anchor, "/constant", base_env))
        nquads = work / "data.nq"
        dump = ox.Store.read_only(str(data.store))
        dump.dump(str(nquads), format=ox.RdfFormat.N_QUADS)
        del dump
        skipped = _rdflib_endpoint() if with_anchors or not quick else "--quick (pass --with-anchors)"
        if skipped is None:
            rdflib_argv = [sys.executable, "-P", str(_BENCH / "anchor_rdflib.py"), "--nquads", str(nquads)]
            servers.append(Server("rdflib-endpoint", rdflib_argv, "/sparql", base_env, startup_timeout=300))
        else:
            notes.append(f"rdflib-endpoint: skipped, {skipped}")
        if shutil.which("virtuoso-t"):
            virtuoso = [sys.executable, "-P", str(_BENCH / "anchor_virtuoso.py"), "--nquads", str(nquads)]
            servers.append(Server(VIRTUOSO, [*virtuoso, "--data", str(work / "virtuoso")], "/sparql", base_env, 600))
            servers.append(
                Server(KG_VIRTUOSO, [*virtuoso, "--data", str(work / "behind"), "--front"], "/sparql", base_env, 600)
            )
        else:
            notes.append("Virtuoso: skipped, no virtuoso-t here (apt-get install virtuoso-opensource)")
        notes.append(
            "kg serve runs with KG_WARM_PAGES=0: no page is asked for here, "
            "and making them ahead would overlap the first cells"
        )

        results: dict[str, dict[str, Cell | None]] = {}
        startups: list[str] = []
        for server in servers:
            results[server.name] = dict.fromkeys(SHAPES)
            running = Running(server, free_port(), work)
            try:
                started = time.perf_counter()
                running.wait_ready()
                ready_in = time.perf_counter() - started
                for shape, items in texts.items():
                    paths = [f"{server.path}?query={quote(text)}" for text in items]
                    if server.path == "/sparql":
                        status, body = _get(running.port, paths[0], timeout=REQUEST_TIMEOUT)
                        rows = _rows_of(body)
                        if status != 200 or rows != expected[shape]:
                            notes.append(
                                f"{server.name}, {shape}: check query gave HTTP {status} and {rows} rows, "
                                f"pyoxigraph {expected[shape]} rows"
                            )
                    cell = measure(running, paths, warmup, duration, work)
                    results[server.name][shape] = cell
                    if cell.errors:
                        notes.append(f"{server.name}, {shape}: {cell.errors} errors, e.g. {list(cell.error_sample)}")
                    print(
                        f"  … {server.name:<24} {shape:<31} {cell.qps:8.1f} QPS  "
                        f"(cores: server {cell.server_cores:.2f}, client {cell.client_cores:.2f}, "
                        f"other {cell.other_cores:.2f})",
                        file=sys.stderr,
                        flush=True,
                    )
                startups.append(f"{server.name} {ready_in:.1f} s")
            except (RuntimeError, OSError, subprocess.SubprocessError) as err:
                notes.append(f"{server.name}: failed, {err}")
            finally:
                running.stop()

    notes.append(f"time from start to first answer: {', '.join(startups)}")
    _print_table(results, workers, data, duration, warmup, notes)


def _print_table(
    results: dict[str, dict[str, Cell | None]],
    workers: tuple[int, ...],
    data: Dataset,
    duration: float,
    warmup: float,
    notes: list[str],
) -> None:
    names = list(results)
    kg_names = [f"kg serve w={n}" for n in workers]
    print(
        f"HTTP benchmark — {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
        f"{platform.system()} {platform.machine()}, Python {platform.python_version()}, "
        f"pyoxigraph {_version('pyoxigraph')}, fastapi {_version('fastapi')}, uvicorn {_version('uvicorn')} "
        f"(httptools {_version('httptools')}, uvloop {_version('uvloop')})"
    )
    print(
        f"dataset: {data.quads:,} quads in {data.graphs} named graphs ({len(data.entities):,} entities, "
        f"{data.events:,} events, {2 * data.events:,} participations), built in {data.seconds:.1f} s; "
        f"{DISTINCT_QUERIES} different queries per shape"
    )
    print(
        f"load: {CLIENT_PROCESSES * CLIENT_THREADS} concurrent keep-alive connections from {CLIENT_PROCESSES} "
        f"client processes × {CLIENT_THREADS} threads (http.client), closed loop; {warmup:g} s warm-up, "
        f"then {duration:g} s per cell; QPS = answers (HTTP 200) per second, p50/p99 in ms, err = failed requests"
    )
    shape_width = max(len(s) for s in SHAPES)
    head = f"{'':<{shape_width}} | " + " | ".join(f"{n[:25]:<25}" for n in names)
    head += f" | {'kg ÷ bare, QPS':<18} | {'kg ÷ const, QPS':<18}"
    sub = f"{'shape':<{shape_width}} | " + " | ".join(f"{'QPS':>7}  {'p50':>7} {'p99':>7} {'err':>3}" for _ in names)
    label = " / ".join(f"w={n}" for n in workers)
    sub += f" | {label + ' (≥0.8?)':<18} | {label:<18}"
    print()
    print(head)
    print(sub)
    print("-" * len(sub))
    for shape in SHAPES:
        cells = [results[n][shape] for n in names]
        bare = results.get("bare FastAPI+pyoxigraph", {}).get(shape)
        floor = results.get("FastAPI constant", {}).get(shape)
        to_bare = " / ".join(_ratio(results.get(k, {}).get(shape), bare) for k in kg_names)
        to_floor = " / ".join(_ratio(results.get(k, {}).get(shape), floor) for k in kg_names)
        row = f"{shape:<{shape_width}} | " + " | ".join(_cell_text(c) for c in cells)
        print(f"{row} | {to_bare:<18} | {to_floor:<18}")
    default = next((k for k in kg_names if k == f"kg serve w={DEFAULT_WORKERS}"), kg_names[-1])
    goals = (
        (VIRTUOSO, "≥1.0 / ≥1.0 / ≥0.5"),
        ("rdflib-endpoint", "— / ≥50 / ≥50"),
        ("bare FastAPI+pyoxigraph", "≥0.8 each"),
    )
    print(f"\n{default} (the default) ÷ each anchor, QPS, per shape ({' / '.join(s.split(':')[0] for s in SHAPES)}):")
    for anchor, goal in goals:
        if anchor in results:
            ratios = " / ".join(_ratio(results[default].get(s), results[anchor].get(s)) for s in SHAPES)
            print(f"  ÷ {anchor:<24} {ratios:<22} goal {goal}")
    if KG_VIRTUOSO in results and VIRTUOSO in results:
        ratios = " / ".join(_ratio(results[KG_VIRTUOSO].get(s), results[VIRTUOSO].get(s)) for s in SHAPES)
        print(f"  {KG_VIRTUOSO} ÷ {VIRTUOSO} directly: {ratios} (what kg's front costs)")
    if any(c.other_cores > DISTURBED for cells in results.values() for c in cells.values() if c):
        print(f"* other programs on this machine used over {DISTURBED} core during the cell: rerun when it is quiet")
    print()
    print(
        "server CPU per answer, ms [cores used in the window: server with its workers + load clients, "
        "+ other programs on the machine]:"
    )
    for name in names:
        cells = [results[name][shape] for shape in SHAPES]
        used = " | ".join(
            f"{1000 * c.server_cores / c.qps:6.2f} [{c.server_cores:.2f}+{c.client_cores:.2f} +{c.other_cores:.2f}]"
            if c and c.qps
            else "—"
            for c in cells
        )
        print(f"  {name:<24} {used}")
    measured = [c for cells in results.values() for c in cells.values() if c]
    if measured:
        peak = max(measured, key=lambda c: c.client_cores)
        print(
            f"the load clients used at most {peak.client_cores:.2f} of {os.cpu_count()} cores (on the constant route); "
            "CPU the server could not use on this machine: absolute QPS are lower than with a separate load "
            "machine, the ratios are the figures to compare"
        )
    means = {k: _geomean([c.qps for c in results[k].values() if c]) for k in kg_names if k in results}
    if means and all(means.values()):
        choice = max(means, key=lambda k: means[k])
        scores = ", ".join(f"{k.removeprefix('kg serve ')} {v:.1f}" for k, v in means.items())
        best = choice.removeprefix("kg serve w=")
        print(f"best KG_QUERY_WORKERS here (geometric mean of QPS over the shapes: {scores}): {best}")
    for note in notes:
        print(f"note: {note}")


def _geomean(values: list[float]) -> float:
    return statistics.geometric_mean(values) if values and min(values) > 0 else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 s per cell (default 10 s); no anchors to install")
    parser.add_argument("--with-anchors", action="store_true", help="pip-install rdflib-endpoint even with --quick")
    parser.add_argument("--workers", default="1,2", help="KG_QUERY_WORKERS values to measure (default 1,2)")
    parser.add_argument("--duration", type=float, help="seconds measured per cell")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up per cell")
    args = parser.parse_args()
    workers = tuple(int(n) for n in args.workers.split(",") if n.strip())
    run(args.quick, with_anchors=args.with_anchors, workers=workers, duration=args.duration, warmup=args.warmup)


if __name__ == "__main__":
    main()
