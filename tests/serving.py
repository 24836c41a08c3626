"""A real `kg serve` for integration tests, started with chosen settings.

The bundled articles are built once per test session by the real `kg build`; every server gets
its own copy of that store, so a module that writes never disturbs another. `running()` starts
`kg serve` on a free port of 127.0.0.1 with the given ``KG_*`` settings, waits for /healthz and
always stops it (SIGTERM, then SIGKILL after a bounded wait).
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "articles"
ARTICLE = "tass-2015-10-21-russia-syria-assistance"

BASE = "http://127.0.0.1:8000/"  # the default base IRI, whatever port a test server listens on
KGO = f"{BASE}ontology#"
ENTITY = f"{BASE}id/entity/"
ARTICLE_GRAPH = f"{BASE}graph/article/{ARTICLE}"
INFERRED_GRAPH = f"{ARTICLE_GRAPH}/inferred"
PROVENANCE_GRAPH = f"{ARTICLE_GRAPH}/provenance"
AUTHORITY_GRAPH = f"{BASE}graph/authority"

READY_TIMEOUT = 30.0  # seconds for `kg serve` to answer /healthz
STOP_TIMEOUT = 10.0  # seconds for it to exit after SIGTERM before it is killed
BUILD_TIMEOUT = 600.0

_BUILT: dict[Path, Path] = {}
"""The store built in each pytest session (keyed by its base temporary folder)."""


def kg_command() -> list[str]:
    """The real `kg` command: the console script beside this interpreter."""
    script = Path(sys.executable).parent / "kg"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from kg.cli import app; app()"]


def clean_env(**settings: str) -> dict[str, str]:
    """This environment without KG_* settings, plus ``settings`` (``query_timeout="2"`` is KG_QUERY_TIMEOUT)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update({f"KG_{name.upper()}": value for name, value in settings.items()})
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def built_store(factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of the bundled articles built into a store by `kg build` (built once per session)."""
    base = factory.getbasetemp()
    if base not in _BUILT:
        work = factory.mktemp("kg-built")
        done = subprocess.run(
            [*kg_command(), "build", str(ARTICLES), "--store", str(work / "store")],
            cwd=work,
            env=clean_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, f"kg build exited {done.returncode}:\n{done.stderr}"
        _BUILT[base] = work / "store"
    target = factory.mktemp("kg-store") / "store"
    shutil.copytree(_BUILT[base], target)
    return target


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate, wait a bounded time, then kill; always reap."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)


def wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> bool:
    """True once /healthz answers; False if the server exited first; fails after READY_TIMEOUT."""
    deadline = time.monotonic() + READY_TIMEOUT
    with httpx.Client(trust_env=False, timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return False
            try:
                response = client.get(f"{url}/healthz")
            except httpx.TransportError:
                pass
            else:
                if response.status_code == 200 and response.json().get("status") == "ok":
                    return True
            time.sleep(0.05)
    pytest.fail(f"kg serve did not answer /healthz within {READY_TIMEOUT} s:\n{log.read_text(errors='replace')}")


@dataclass(frozen=True)
class Server:
    url: str
    log: Path
    pid: int
    store: Path

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    @property
    def update(self) -> str:
        return f"{self.url}/update"

    def log_size(self) -> int:
        return self.log.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.log.open("rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", errors="replace")

    def client(self, timeout: float = 60.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, trust_env=False, timeout=timeout)


@contextmanager
def running(factory: pytest.TempPathFactory, store: Path | None = None, **settings: str) -> Iterator[Server]:
    """`kg serve` over ``store`` (default: a fresh copy of the built store) with the given KG_*
    settings; stopped at the end."""
    store = built_store(factory) if store is None else store
    log = factory.mktemp("kg-serve") / "serve.log"
    for _ in range(3):  # a free port can be taken between finding it and binding it: try another
        port = free_port()
        with log.open("ab") as out:
            process = subprocess.Popen(
                [*kg_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--store", str(store)],
                cwd=log.parent,
                env={**clean_env(**settings), "TMPDIR": str(log.parent)},  # its temp folder too, even if killed
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}"
        try:
            ready = wait_ready(process, url, log)
        except BaseException:
            stop(process)
            raise
        if ready:
            break
        stop(process)
    else:
        pytest.fail(f"kg serve exited before answering /healthz:\n{log.read_text(errors='replace')}")
    try:
        yield Server(url, log, process.pid, store)
    finally:
        stop(process)


@contextmanager
def no_proxy() -> Iterator[None]:
    """urllib-based clients (SPARQLWrapper, rdflib) honour *_proxy variables: never proxy 127.0.0.1."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NO_PROXY", "127.0.0.1,localhost")
        mp.setenv("no_proxy", "127.0.0.1,localhost")
        yield


# --- what a response must look like ------------------------------------------------------------


def media(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip().lower()


def assert_error(response: httpx.Response, status: int | set[int]) -> dict[str, str]:
    """A kg error: the status, a JSON body {"error", "message"} of non-empty strings, no traceback."""
    statuses = {status} if isinstance(status, int) else status
    assert response.status_code in statuses, f"{response.status_code}: {response.text[:2000]}"
    assert media(response) == "application/json", response.text[:2000]
    body = response.json()
    assert isinstance(body, dict), body
    assert set(body) == {"error", "message"}, body
    assert isinstance(body["error"], str) and body["error"], body
    assert isinstance(body["message"], str) and body["message"], body
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    return body


def count(client: httpx.Client, where: str = "{ GRAPH ?g { ?s ?p ?o } }") -> int:
    """COUNT(*) of a WHERE clause (all quads of the named graphs by default)."""
    response = client.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {where}"})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def snapshot(client: httpx.Client) -> frozenset[str]:
    """Everything the store holds: every quad of every named graph and every triple of the default graph."""
    named = client.get(
        "/sparql",
        params={"query": "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"accept": "text/tab-separated-values"},
    )
    assert named.status_code == 200, named.text
    default = client.get("/gsp", params={"default": ""}, headers={"accept": "application/n-triples"})
    assert default.status_code == 200, default.text
    lines = named.text.splitlines()[1:] + [f"DEFAULT {line}" for line in default.text.splitlines() if line.strip()]
    return frozenset(lines)


def worker_pids(pid: int) -> set[int]:
    """The worker processes of the server process ``pid`` (children started by multiprocessing spawn)."""
    out = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z" and b"spawn_main" in cmdline:
            out.add(int(entry.name))
    return out


# --- a listener that records every request made to it --------------------------------------------

LEAK = "LEAKED-FROM-LISTENER"
"""What the listener answers: a value that must never reach a kg client."""


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    body: bytes


class _Recorder(http.server.BaseHTTPRequestHandler):
    server: _RecordingServer

    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.server.seen.append(Seen(self.command, self.path, self.rfile.read(length) if length else b""))
        if self.path.endswith(".ttl"):
            body, kind = f'<http://example.org/leak> <http://example.org/p> "{LEAK}" .\n'.encode(), "text/turtle"
        elif self.path.endswith(".jsonld"):
            body, kind = json.dumps({"@context": {"leak": "http://example.org/leak"}}).encode(), "application/ld+json"
        else:
            results = {"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "literal", "value": LEAK}}]}}
            body, kind = json.dumps(results).encode(), "application/sparql-results+json"
        self.send_response(200)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def do_PUT(self) -> None:
        self._answer()

    def log_message(self, format: str, *args: object) -> None:
        return None


class _RecordingServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.seen: list[Seen] = []


@dataclass(frozen=True)
class Listener:
    url: str
    """``http://127.0.0.1:PORT`` (no trailing slash)."""
    server: _RecordingServer

    @property
    def seen(self) -> list[Seen]:
        return list(self.server.seen)


@contextmanager
def listening() -> Iterator[Listener]:
    """A tiny HTTP server on a free port of 127.0.0.1, in a thread, recording every request."""
    server = _RecordingServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Listener(f"http://127.0.0.1:{server.server_address[1]}", server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def sparqlwrapper_query(
    server: Server, query: str, return_format: str, method: tuple[str, str], *, raw: bool = False
) -> Any:
    """The query sent by SPARQLWrapper, converted by it (or the raw body, with ``raw``)."""
    from SPARQLWrapper import SPARQLWrapper

    sparql = SPARQLWrapper(server.sparql)
    sparql.setQuery(query)
    sparql.setReturnFormat(return_format)
    sparql.setMethod(method[0])
    sparql.setRequestMethod(method[1])
    sparql.setTimeout(30)
    result = sparql.query()
    try:
        return result.response.read() if raw else result.convert()
    finally:
        result.response.close()
