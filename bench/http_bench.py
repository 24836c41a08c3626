"""HTTP benchmark: ``kg serve`` against a bare FastAPI + pyoxigraph app, a FastAPI constant route,
rdflib-endpoint and Virtuoso (directly, and behind ``kg serve``) when installed, on one synthetic
~100k-triple news graph. Prints figures, asserts nothing. ``python bench/http_bench.py [--quick]``,
or ``measure_servers()`` from another script (bench/all.py).

Each server runs alone, as a subprocess on 127.0.0.1, and is stopped before the next starts. The
load comes from other processes (bench/loadgen.py): 8 keep-alive connections, each sending its
next GET as soon as the last one is answered, every request a different query of its shape.
A cell is a warm-up then one or more measured windows; with several, its figures are the
medians of the windows' figures.
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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
BARE = "bare FastAPI+pyoxigraph"
CONSTANT = "FastAPI constant"
RDFLIB = "rdflib-endpoint"
CONNECTIONS = CLIENT_PROCESSES * CLIENT_THREADS
MIN_ANSWERS = 20
"""Answers each window of a cell needs for figures of its own; with fewer in any, the cell's
figures are over its whole measured period, its QPS by Little's law (connections ÷ mean latency:
a slow server answers its 8 requests in bursts, which a count in a short window misreads)."""
MAX_WARMUP = 20.0
"""Seconds of warm-up at most: a cell warms up for at least 8 times its check query's time."""


def kg_name(workers: int) -> str:
    return f"kg serve w={workers}"


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
    windows: int = 1
    """The windows its figures are medians over (1: its whole measured period)."""
    answers: int = 0
    little: bool = False
    """QPS by Little's law (too few answers to count per window)."""
    window_qps: tuple[float, ...] = ()


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def measure(running: Running, paths: list[str], warmup: float, duration: float, work: Path, windows: int = 1) -> Cell:
    """Drive one server with one shape's requests from CLIENT_PROCESSES × CLIENT_THREADS connections:
    ``warmup`` seconds, then ``windows`` windows of ``duration`` seconds."""
    start_at = time.monotonic() + 0.5  # the clients' interpreters start meanwhile
    marks = [start_at + warmup + i * duration for i in range(windows + 1)]
    measure_at, stop_at = marks[0], marks[-1]
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
                    "marks": marks,
                }
            ),
            encoding="utf-8",
        )
        command = [sys.executable, "-P", str(_BENCH / "loadgen.py"), str(config)]
        clients.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    time.sleep(max(0.0, measure_at - time.monotonic()))
    cpu_before, busy_before = _cpu_seconds(running.process.pid), _machine_busy_seconds()
    time.sleep(max(0.0, stop_at - time.monotonic()))
    period = stop_at - measure_at
    busy = _machine_busy_seconds() - busy_before
    server_cores = (_cpu_seconds(running.process.pid) - cpu_before) / period
    per_window: list[list[float]] = [[] for _ in range(windows)]
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
        for window, latencies in zip(per_window, report["latencies_ms"], strict=True):
            window.extend(latencies)
        errors += report["errors"]
        samples += report["error_sample"]
        client_cpu += sum(report["cpu_s"])
    every = sorted(latency for window in per_window for latency in window)
    window_qps = tuple(len(window) / duration for window in per_window)
    if windows > 1 and min(len(window) for window in per_window) >= MIN_ANSWERS:
        qps = statistics.median(window_qps)
        p50 = statistics.median(_percentile(sorted(window), 0.50) for window in per_window)
        p99 = statistics.median(_percentile(sorted(window), 0.99) for window in per_window)
        used, little = windows, False
    else:
        little = 0 < len(every) < MIN_ANSWERS * windows
        qps = CONNECTIONS * 1000 / statistics.mean(every) if little else len(every) / period
        p50, p99 = _percentile(every, 0.50), _percentile(every, 0.99)
        used = 1
    return Cell(
        qps=qps,
        p50=p50,
        p99=p99,
        errors=errors,
        server_cores=server_cores,
        client_cores=client_cpu / period,
        other_cores=max(0.0, busy / period - server_cores - client_cpu / period),
        error_sample=tuple(samples[:2]),
        windows=used,
        answers=len(every),
        little=little,
        window_qps=window_qps,
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


GOALS: dict[str, tuple[float | None, ...]] = {
    VIRTUOSO: (1.0, 1.0, 0.5),
    RDFLIB: (None, 50.0, 50.0),
    BARE: (0.8, 0.8, 0.8),
}
"""The least QPS of kg serve (the default workers) ÷ QPS of each anchor, per shape (None: no goal)."""


@dataclass
class Http:
    """What :func:`measure_servers` found: each server's cell of each shape (None where it was not
    measured), the servers skipped and failed (and why), and how it was measured."""

    data: Dataset
    workers: tuple[int, ...]
    duration: float
    warmup: float
    windows: int
    results: dict[str, dict[str, Cell | None]] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    startups: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def measure_servers(
    workers: tuple[int, ...] = (1, 2),
    bare: bool = True,
    skip: Mapping[str, str] | None = None,
    articles: int = 24,
    duration: float = 10.0,
    warmup: float = 2.0,
    windows: int = 1,
) -> Http:
    """Build the data (``articles`` article graphs: 24 is about 100k quads), then measure every
    server on every shape: kg serve with each of ``workers``, the bare app (with ``bare``), the
    constant route, rdflib-endpoint (pip-installed here if missing) and Virtuoso with kg serve in
    front of it (when ``virtuoso-t`` is installed); ``skip`` names anchors (RDFLIB, VIRTUOSO) not
    to measure, with why."""
    skip = skip or {}
    with tempfile.TemporaryDirectory(prefix="kg-bench-http-") as tmp:
        work = Path(tmp)
        data = build_dataset(work / "store", articles=articles)
        out = Http(data, workers, duration, warmup, windows)
        texts = queries(data)
        expected = expected_rows(data, texts)
        base_env = _clean_env()
        servers: list[Server] = [
            Server(
                kg_name(n),
                [*_kg_command(), "serve", "--store", str(data.store)],
                "/sparql",
                _clean_env(KG_QUERY_WORKERS=str(n), KG_WARM_PAGES="0"),
            )
            for n in workers
        ]
        anchor = [sys.executable, "-P", str(_BENCH / "anchor_app.py")]
        if bare:
            servers.append(Server(BARE, [*anchor, "--store", str(data.store)], "/sparql", base_env))
        servers.append(Server(CONSTANT, anchor, "/constant", base_env))
        nquads = work / "data.nq"
        dump = ox.Store.read_only(str(data.store))
        dump.dump(str(nquads), format=ox.RdfFormat.N_QUADS)
        del dump
        skipped = skip.get(RDFLIB) or _rdflib_endpoint()
        if skipped is None:
            rdflib_argv = [sys.executable, "-P", str(_BENCH / "anchor_rdflib.py"), "--nquads", str(nquads)]
            servers.append(Server(RDFLIB, rdflib_argv, "/sparql", base_env, startup_timeout=300))
        else:
            out.skipped[RDFLIB] = skipped
        skipped = skip.get(VIRTUOSO)
        if skipped is None and not shutil.which("virtuoso-t"):
            skipped = "not installed (no virtuoso-t)"
            out.notes.append("Virtuoso: apt-get install virtuoso-opensource to measure it")
        if skipped is None:
            virtuoso = [sys.executable, "-P", str(_BENCH / "anchor_virtuoso.py"), "--nquads", str(nquads)]
            servers.append(Server(VIRTUOSO, [*virtuoso, "--data", str(work / "virtuoso")], "/sparql", base_env, 600))
            servers.append(
                Server(KG_VIRTUOSO, [*virtuoso, "--data", str(work / "behind"), "--front"], "/sparql", base_env, 600)
            )
        else:
            out.skipped[VIRTUOSO] = out.skipped[KG_VIRTUOSO] = skipped
        out.notes.append(
            "kg serve runs with KG_WARM_PAGES=0: no page is asked for here, "
            "and making them ahead would overlap the first cells"
        )

        for server in servers:
            out.results[server.name] = dict.fromkeys(SHAPES)
            running = Running(server, free_port(), work)
            try:
                started = time.perf_counter()
                running.wait_ready()
                out.startups[server.name] = time.perf_counter() - started
                for shape, items in texts.items():
                    paths = [f"{server.path}?query={quote(text)}" for text in items]
                    warm = warmup
                    if server.path == "/sparql":
                        checked = time.perf_counter()
                        status, body = _get(running.port, paths[0], timeout=REQUEST_TIMEOUT)
                        warm = min(max(warmup, CONNECTIONS * (time.perf_counter() - checked)), MAX_WARMUP)
                        rows = _rows_of(body)
                        if status != 200 or rows != expected[shape]:
                            out.notes.append(
                                f"{server.name}, {shape}: check query gave HTTP {status} and {rows} rows, "
                                f"pyoxigraph {expected[shape]} rows"
                            )
                    cell = measure(running, paths, warm, duration, work, windows)
                    out.results[server.name][shape] = cell
                    if cell.errors:
                        out.notes.append(
                            f"{server.name}, {shape}: {cell.errors} errors, e.g. {list(cell.error_sample)}"
                        )
                    print(
                        f"  … {server.name:<24} {shape:<31} {cell.qps:8.1f} QPS  "
                        f"(cores: server {cell.server_cores:.2f}, client {cell.client_cores:.2f}, "
                        f"other {cell.other_cores:.2f})",
                        file=sys.stderr,
                        flush=True,
                    )
            except (RuntimeError, OSError, subprocess.SubprocessError) as err:
                out.failed[server.name] = str(err)
                out.notes.append(f"{server.name}: failed, {err}")
            finally:
                running.stop()
    for name, why in out.skipped.items():
        if name != KG_VIRTUOSO:
            out.notes.append(f"{name}: skipped, {why}")
    startups = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in out.startups.items())
    out.notes.append(f"time from start to first answer: {startups}")
    return out


def run(
    quick: bool,
    with_anchors: bool = False,
    workers: tuple[int, ...] = (1, 2),
    duration: float | None = None,
    warmup: float | None = None,
) -> None:
    """Build the data, measure every server on every shape, print the table."""
    skip = {} if with_anchors or not quick else {RDFLIB: "--quick (pass --with-anchors)"}
    report(
        measure_servers(
            workers,
            skip=skip,
            duration=duration if duration is not None else (2.0 if quick else 10.0),
            warmup=warmup if warmup is not None else (0.5 if quick else 2.0),
        )
    )


def report(h: Http) -> None:
    """Print the table of :func:`measure_servers`'s cells, the ratios to the anchors and the notes."""
    results, workers, data, warmup, notes = h.results, h.workers, h.data, h.warmup, h.notes
    names = list(results)
    kg_names = [kg_name(n) for n in workers]
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
        f"client processes × {CLIENT_THREADS} threads (http.client), closed loop; {warmup:g} s warm-up "
        f"(at least 8× the check query's time), then {_windows_text(h)} per cell; QPS = answers (HTTP 200) "
        "per second, p50/p99 in ms, err = failed requests"
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
        bare = results.get(BARE, {}).get(shape)
        floor = results.get(CONSTANT, {}).get(shape)
        to_bare = " / ".join(_ratio(results.get(k, {}).get(shape), bare) for k in kg_names)
        to_floor = " / ".join(_ratio(results.get(k, {}).get(shape), floor) for k in kg_names)
        row = f"{shape:<{shape_width}} | " + " | ".join(_cell_text(c) for c in cells)
        print(f"{row} | {to_bare:<18} | {to_floor:<18}")
    default = next((k for k in kg_names if k == kg_name(DEFAULT_WORKERS)), kg_names[-1])
    print(f"\n{default} (the default) ÷ each anchor, QPS, per shape ({' / '.join(s.split(':')[0] for s in SHAPES)}):")
    for anchor, least in GOALS.items():
        if anchor in results:
            ratios = " / ".join(_ratio(results[default].get(s), results[anchor].get(s)) for s in SHAPES)
            goal = " / ".join("—" if g is None else f"≥{g:g}" for g in least)
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
    slow = [f"{n}, {s}" for n, cells in results.items() for s, c in cells.items() if c and c.little]
    if slow:
        print(f"QPS by Little's law (8 ÷ mean latency; under {MIN_ANSWERS} answers a window): {'; '.join(slow)}")
    for note in notes:
        print(f"note: {note}")


def _windows_text(h: Http) -> str:
    if h.windows == 1:
        return f"{h.duration:g} s"
    return f"{h.windows} windows of {h.duration:g} s (medians of the windows' figures)"


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
