"""Attacks on a real `kg serve`: outbound requests (SERVICE, LOAD, FROM, remote JSON-LD contexts),
entity expansion, writes without or with a wrong token, writes that break an article, oversized
requests, runaway queries, floods, clients that hang up, oversized results.

Each test looks at three things: what the attacker got back, what a listener on 127.0.0.1 saw
(nothing, ever), and what the store holds afterwards (unchanged unless the write was legitimate).
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import os
import re
import signal
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.serving import (
    ARTICLE_GRAPH,
    AUTHORITY_GRAPH,
    ENTITY,
    INFERRED_GRAPH,
    KGO,
    LEAK,
    PROVENANCE_GRAPH,
    Listener,
    Server,
    assert_error,
    count,
    listening,
    running,
    snapshot,
    worker_pids,
)

pytestmark = pytest.mark.server

TOKEN = "attack-test-token-7f3a9c"
BEARER = {"authorization": f"Bearer {TOKEN}"}
QUERY_TIMEOUT = 2.0
TIGHT_TIMEOUT = 0.25  # below a server process's start-up time (about 1 s)
RESULT_CAP = 2000

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
PROV = "http://www.w3.org/ns/prov#"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CHEAP = f'ASK {{ <{ENTITY}sergey-shoigu> <{RDFS_LABEL}> "Sergey Shoigu"@en }}'
UPLOAD_GRAPH = "http://example.org/upload"
METHODS = ["get", "post-form", "post-direct"]

ERRORS: list[str] = []
"""Every error body this module received, checked at the end for leaked internals."""


# --- servers, listener, helpers ---------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Writes enabled (bearer token), a 2 s query timeout, two server processes, default caps."""
    with running(tmp_path_factory, update_token=TOKEN, query_timeout=str(QUERY_TIMEOUT)) as s:
        yield s


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Writes disabled (no token), one server process, two queries at once, a 0.25 s timeout, a 2 kB result cap."""
    with running(
        tmp_path_factory,
        query_workers="1",
        max_concurrent_queries="2",
        query_timeout=str(TIGHT_TIMEOUT),
        max_result_bytes=str(RESULT_CAP),
    ) as s:
        yield s


@pytest.fixture(scope="module")
def tight_client(tight: Server) -> Iterator[httpx.Client]:
    with tight.client() as c:
        yield c


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    with listening() as lst:
        yield lst


def refused(response: httpx.Response, status: int | set[int]) -> dict[str, str]:
    """A JSON error with ``status``; its body is kept for the final check on leaked internals."""
    ERRORS.append(response.text)
    return assert_error(response, status)


def send(client: httpx.Client, method: str, query: str, **headers: str) -> httpx.Response:
    """A query by GET, POST form or POST direct."""
    if method == "get":
        return client.get("/sparql", params={"query": query}, headers=headers)
    if method == "post-form":
        return client.post("/sparql", data={"query": query}, headers=headers)
    return client.post(
        "/sparql", content=query.encode(), headers={"content-type": "application/sparql-query", **headers}
    )


def send_update(client: httpx.Client, update: str, form: bool = False, **headers: str) -> httpx.Response:
    headers = {**BEARER, **headers}
    if form:
        return client.post("/update", data={"update": update}, headers=headers)
    return client.post(
        "/update", content=update.encode(), headers={"content-type": "application/sparql-update", **headers}
    )


def ask(client: httpx.Client, query: str) -> bool:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def healthy(client: httpx.Client) -> None:
    """The server is up and answers a query."""
    assert client.get("/healthz").json()["status"] == "ok"
    assert ask(client, CHEAP) is True


def in_flight(client: httpx.Client) -> float:
    text = client.get("/metrics").text
    match = re.search(r"^kg_queries_in_flight (\S+)$", text, re.MULTILINE)
    assert match, text
    return float(match.group(1))


def quiet(client: httpx.Client, limit: float = 15.0) -> None:
    """Wait until no query is running or waiting (a retired server process has gone by then)."""
    deadline = time.monotonic() + limit
    while in_flight(client) > 0:
        assert time.monotonic() < deadline, "queries still in flight"
        time.sleep(0.1)


def settle(client: httpx.Client, limit: float = 60.0) -> None:
    """Until a cheap query answers, waiting idle (longer after each try) while a retired server process is replaced."""
    deadline, pause = time.monotonic() + limit, 1.0
    while True:
        quiet(client)
        response = client.get("/sparql", params={"query": CHEAP})
        if response.status_code == 200:
            return
        assert time.monotonic() < deadline, f"the server does not recover: {response.status_code} {response.text}"
        time.sleep(pause)
        pause = min(pause * 2, 8.0)


def raw_request(server: Server, request: bytes, read_timeout: float = 10.0) -> bytes:
    """Send raw bytes on a fresh connection; everything the server answered before it closed."""
    out = b""
    with socket.create_connection((server.host, server.port), timeout=read_timeout) as sock:
        try:
            sock.sendall(request)
            while chunk := sock.recv(65536):
                out += chunk
        except OSError:  # the server may close (reset) while we are still sending
            pass
    return out


def hits(listener: Listener, since: int) -> list[str]:
    return [f"{s.method} {s.path}" for s in listener.seen[since:]]


# --- reads after writes ------------------------------------------------------------------------


def test_reads_right_after_a_write_never_fail(server: Server, client: httpx.Client) -> None:
    """Readers keep reading while small writes land, so that each reader reopens the store right after
    each write, while the writer may still be compacting (a RocksDB read-only open could then fail and
    the reader die: fixed in 4f339b5). First in this module on purpose: the first writes after kg serve
    starts were the likeliest to hit that race."""
    failures: list[str] = []
    done = threading.Event()

    def reader() -> None:
        with server.client() as c:
            while not done.is_set():
                response = c.get("/sparql", params={"query": CHEAP})
                if response.status_code != 200:
                    failures.append(f"{response.status_code} {response.text}")

    readers = [threading.Thread(target=reader) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        for round_ in range(4):
            response = client.put(
                "/gsp",
                params={"graph": f"urn:kg:race:{round_ % 2}"},
                content=f'<urn:kg:s> <urn:kg:p> "{round_}" .'.encode(),  # small: a big write lets the writer settle
                headers={**BEARER, "content-type": "application/n-triples"},
            )
            assert response.status_code in {201, 204}, response.text
            time.sleep(0.3)
    finally:
        done.set()
        for thread in readers:
            thread.join(30)
    for graph in ("urn:kg:race:0", "urn:kg:race:1"):
        client.delete("/gsp", params={"graph": graph}, headers=BEARER)
    assert not failures, failures[:8]


# --- SERVICE ------------------------------------------------------------------------------------


def service_queries(url: str) -> dict[str, str]:
    """SERVICE to ``url`` in every spelling kg must recognise."""
    e = f"<{url}/sparql>"
    return {
        "upper": f"SELECT * WHERE {{ SERVICE {e} {{ ?s ?p ?o }} }}",
        "lower": f"select * where {{ service {e} {{ ?s ?p ?o }} }}",
        "mixed": f"SeLeCt * WhErE {{ sErViCe {e} {{ ?s ?p ?o }} }}",
        "after-comments": f"# SERVICE\nSELECT * # }} {{\nWHERE {{ # {{ comment\n SERVICE {e} # }}\n{{ ?s ?p ?o }} }}",
        "no-white-space": f"SELECT*WHERE{{SERVICE{e}{{?s ?p ?o}}}}",
        "tabs-and-crlf": f"SELECT\t*\r\nWHERE\r\n{{\tSERVICE\r\n\t{e}\r{{ ?s ?p ?o }} }}",
        "nested-groups": f"SELECT * WHERE {{ {{ {{ SERVICE {e} {{ ?s ?p ?o }} }} }} }}",
        "optional": f"SELECT * WHERE {{ ?x ?y ?z OPTIONAL {{ SERVICE {e} {{ ?s ?p ?o }} }} }} LIMIT 1",
        "union": f"SELECT * WHERE {{ {{ ?x ?y ?z }} UNION {{ SERVICE {e} {{ ?s ?p ?o }} }} }} LIMIT 1",
        "minus": f"SELECT * WHERE {{ ?x ?y ?z MINUS {{ SERVICE {e} {{ ?x ?p ?o }} }} }} LIMIT 1",
        "exists": f"ASK {{ FILTER EXISTS {{ SERVICE {e} {{ ?s ?p ?o }} }} }}",
        "subquery": f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE {e} {{ ?s ?p ?o }} }} }} }}",
        "graph": f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE {e} {{ ?s ?p ?o }} }} }}",
        "prefixed-name": f"PREFIX x: <{url}/> SELECT * WHERE {{ SERVICE x:sparql {{ ?s ?p ?o }} }}",
        "silent": f"SELECT * WHERE {{ SERVICE SILENT {e} {{ ?s ?p ?o }} }}",
        "variable": f"SELECT * WHERE {{ VALUES ?endpoint {{ {e} }} SERVICE ?endpoint {{ ?s ?p ?o }} }}",
        "construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE {e} {{ ?s ?p ?o }} }}",
        "describe": f"DESCRIBE ?s WHERE {{ SERVICE {e} {{ ?s ?p ?o }} }}",
    }


SERVICE_IDS = list(service_queries("http://x"))


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("spelling", SERVICE_IDS)
def test_service_is_refused_and_never_called(
    client: httpx.Client, listener: Listener, method: str, spelling: str
) -> None:
    since = len(listener.seen)
    response = send(client, method, service_queries(listener.url)[spelling])
    body = refused(response, 403)
    assert body["error"] == "Refused"
    assert "SERVICE" in body["message"]
    assert LEAK not in response.text
    assert hits(listener, since) == []


@pytest.mark.parametrize("form", [False, True], ids=["direct", "form"])
@pytest.mark.parametrize(
    "update",
    [
        "INSERT { <http://example.org/s> <http://example.org/p> ?o } WHERE { SERVICE <URL/sparql> { ?s ?p ?o } }",
        "insert { graph <http://example.org/g> { ?s ?p ?o } } where { service silent <URL/sparql> { ?s ?p ?o } }",
        "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o . SERVICE <URL/sparql> { ?s ?p ?o } }",
    ],
    ids=["insert", "insert-silent-lower", "delete"],
)
def test_service_in_an_update_is_refused_and_never_called(
    client: httpx.Client, listener: Listener, update: str, form: bool
) -> None:
    before, since = snapshot(client), len(listener.seen)
    body = refused(send_update(client, update.replace("URL", listener.url), form=form), 403)
    assert body["error"] == "Refused"
    assert hits(listener, since) == []
    assert snapshot(client) == before


def test_service_inside_a_literal_or_an_iri_is_just_text(client: httpx.Client, listener: Listener) -> None:
    """The refusal reads tokens: SERVICE in a string, an IRI or a comment is not a call, and is not refused."""
    since = len(listener.seen)
    query = (
        f'SELECT ?x WHERE {{ BIND("SERVICE <{listener.url}/sparql> {{ }}" AS ?x) '
        f"FILTER(?x != <{listener.url}/SERVICE>) }} # SERVICE <{listener.url}/sparql>"
    )
    response = send(client, "get", query)
    assert response.status_code == 200, response.text
    assert hits(listener, since) == []


@pytest.mark.parametrize(
    "query",
    [
        pytest.param(
            "PREFIX x: <http://example.org/> "
            "SELECT * WHERE { OPTIONAL { ?a ?b x:a\\#b } SERVICE <URL/sparql> { ?s ?p ?o } }",
            id="escaped-hash",
        ),
        pytest.param(
            "PREFIX x: <https://schema.org/Person> "
            "SELECT * WHERE { ?who a x:.SERVICE <URL/sparql> { ?s ?p ?o } } LIMIT 1",
            id="dot-after-prefix",
        ),
    ],
)
def test_service_hidden_from_the_lexer_is_still_refused(client: httpx.Client, listener: Listener, query: str) -> None:
    since = len(listener.seen)
    response = send(client, "get", query.replace("URL", listener.url))
    assert LEAK not in response.text
    assert hits(listener, since) == []
    refused(response, 403)


SEPARATOR = st.lists(
    st.sampled_from([" ", "\t", "\n", "\r\n", "\r", "# SERVICE <http://x> {\n", "#}\r", " \t\n"]),
    min_size=1,
    max_size=3,
).map("".join)
KEYWORD = st.lists(st.booleans(), min_size=7, max_size=7).map(
    lambda flips: "".join(c.upper() if up else c for c, up in zip("service", flips, strict=True))
)
WRAPPER = st.sampled_from(  # @ is where the SERVICE call goes
    [
        "{@}",
        "{ ?x ?y ?z . @ }",
        "{ OPTIONAL {@} }",
        "{ {@} UNION { } }",
        "{ { SELECT * WHERE {@} } }",
        "{ FILTER NOT EXISTS {@} }",
        "{ GRAPH ?g {@} }",
        "{ ?x ?y ?z MINUS {@} }",
        "{ { { {@} } } }",
    ]
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    keyword=KEYWORD,
    separators=st.lists(SEPARATOR, min_size=5, max_size=5),
    silent=st.booleans(),
    prefixed=st.booleans(),
    wrapper=WRAPPER,
    method=st.sampled_from(METHODS),
)
def test_service_in_any_white_space_comments_and_case_is_refused(
    client: httpx.Client,
    listener: Listener,
    keyword: str,
    separators: list[str],
    silent: bool,
    prefixed: bool,
    wrapper: str,
    method: str,
) -> None:
    a, b, c, d, e = separators
    prologue = f"PREFIX x:{a}<{listener.url}/>{b}" if prefixed else ""
    endpoint = "x:sparql" if prefixed else f"<{listener.url}/sparql>"
    silently = f"sIlEnT{c}" if silent else ""
    call = f"{a}{keyword}{b}{silently}{endpoint}{d}{{ ?s ?p ?o }}{e}"
    query = f"{prologue}SELECT{a}*{c}WHERE{d}" + wrapper.replace("@", call)
    since = len(listener.seen)
    response = send(client, method, query)
    assert response.status_code == 403, (query, response.text)
    assert response.json()["error"] == "Refused"
    assert hits(listener, since) == []


# --- FROM, FROM NAMED and dataset parameters naming files --------------------------------------


def _hostname() -> str:
    try:
        return Path("/etc/hostname").read_text().strip()
    except OSError:
        return ""


@pytest.mark.parametrize(
    "params",
    [
        {"query": "SELECT * FROM <file:///etc/hostname> WHERE { ?s ?p ?o }"},
        {"query": "SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }"},
        {"query": "PREFIX f: <file:///etc/> SELECT * FROM f:hostname WHERE { ?s ?p ?o }"},
        {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "file:///etc/hostname"},
        {"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": "file:///etc/passwd"},
    ],
    ids=["from", "from-named", "from-prefixed", "default-graph-uri", "named-graph-uri"],
)
def test_a_graph_that_is_a_file_or_a_url_is_refused(client: httpx.Client, params: dict[str, str]) -> None:
    response = client.get("/sparql", params=params)
    body = refused(response, 403)
    assert body["error"] == "Refused"
    hostname = _hostname()
    if len(hostname) >= 4:
        assert hostname not in response.text.replace("file:///etc/hostname", "")
    assert "root:" not in response.text


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_a_graph_named_by_a_url_is_a_name_never_fetched(
    client: httpx.Client, listener: Listener, parameter: str
) -> None:
    since = len(listener.seen)
    for query in (
        f"SELECT * FROM <{listener.url}/x.ttl> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{listener.url}/x.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ):
        response = client.get("/sparql", params={"query": query})
        assert response.status_code in {200, 403}, response.text
        assert LEAK not in response.text
    response = client.get(
        "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }", parameter: f"{listener.url}/x.ttl"}
    )
    assert response.status_code in {200, 403}, response.text
    assert LEAK not in response.text
    assert hits(listener, since) == []


def test_using_a_file_in_an_update_is_refused(client: httpx.Client) -> None:
    before = snapshot(client)
    update = (
        "INSERT { <http://example.org/s> <http://example.org/p> ?o } USING <file:///etc/hostname> WHERE { ?s ?p ?o }"
    )
    refused(send_update(client, update), 403)
    response = client.post(
        "/update",
        params={"using-graph-uri": "file:///etc/passwd"},
        content=b"INSERT { <http://example.org/s> <http://example.org/p> ?o } WHERE { ?s ?p ?o }",
        headers={**BEARER, "content-type": "application/sparql-update"},
    )
    refused(response, 403)
    assert "root:" not in response.text
    assert snapshot(client) == before


def test_a_graph_store_read_of_a_file_finds_nothing(client: httpx.Client) -> None:
    response = client.get("/gsp", params={"graph": "file:///etc/passwd"})
    refused(response, 404)
    assert "root:" not in response.text


# --- LOAD ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", [False, True], ids=["direct", "form"])
@pytest.mark.parametrize(
    "update",
    [
        "LOAD <URL/x.ttl>",
        "load silent <URL/x.ttl> into graph <http://example.org/loaded>",
        "# a comment\nLoAd <URL/x.ttl> ;\nINSERT DATA { <http://example.org/s> <http://example.org/p> 1 }",
        "PREFIX x: <URL/> LOAD x:x.ttl",
    ],
    ids=["load", "silent-into-lower", "mixed-after-comment", "prefixed"],
)
def test_load_is_refused_and_never_fetched(client: httpx.Client, listener: Listener, update: str, form: bool) -> None:
    before, since = snapshot(client), len(listener.seen)
    body = refused(send_update(client, update.replace("URL", listener.url), form=form), 403)
    assert body["error"] == "Refused"
    assert "LOAD" in body["message"]
    assert hits(listener, since) == []
    assert snapshot(client) == before


def test_load_sent_as_a_query_is_not_run(client: httpx.Client, listener: Listener) -> None:
    since = len(listener.seen)
    for method in METHODS:
        refused(send(client, method, f"LOAD <{listener.url}/x.ttl>"), {400, 403})
    assert hits(listener, since) == []


def test_load_hidden_from_the_lexer_is_still_refused(client: httpx.Client, listener: Listener) -> None:
    before, since = snapshot(client), len(listener.seen)
    update = (
        "PREFIX x: <http://example.org/> "
        f"INSERT DATA {{ <http://example.org/a> <http://example.org/b> x:c\\#d }} ; LOAD <{listener.url}/x.ttl>"
    )
    response = send_update(client, update)
    after = snapshot(client)
    assert hits(listener, since) == []
    assert after == before
    refused(response, 403)


# --- uploads: entity expansion, remote JSON-LD contexts ----------------------------------------

LOL = "".join(
    f'  <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">\n' if i else '  <!ENTITY lol0 "lol">\n' for i in range(10)
)
BILLION_LAUGHS = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
{LOL}]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://example.org/">
  <rdf:Description rdf:about="http://example.org/s"><e:p>&lol9;</e:p></rdf:Description>
</rdf:RDF>
"""


def _multipart(document: bytes, kind: str) -> bytes:
    """One part, base64-encoded, so that the body itself shows no DOCTYPE."""
    head = f"--xyz\r\nContent-Type: {kind}\r\nContent-Transfer-Encoding: base64\r\n\r\n".encode()
    return head + base64.encodebytes(document) + b"\r\n--xyz--\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "multipart-base64"])
@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_billion_laughs_is_refused_without_expansion(client: httpx.Client, method: str, encoding: str) -> None:
    before = snapshot(client)
    if encoding == "multipart-base64":
        body = _multipart(BILLION_LAUGHS.encode(), "application/rdf+xml")
        kind = "multipart/form-data; boundary=xyz"
    else:
        body, kind = BILLION_LAUGHS.encode(encoding), "application/rdf+xml"
    started = time.perf_counter()
    response = client.request(
        method, "/gsp", params={"graph": UPLOAD_GRAPH}, content=body, headers={**BEARER, "content-type": kind}
    )
    took = time.perf_counter() - started
    refused(response, 400)
    assert took < 5.0, f"{took:.1f} s: was the entity expanded?"  # expanding &lol9; takes pyoxigraph ~50 s
    healthy(client)
    assert snapshot(client) == before


@pytest.mark.parametrize(
    "context",
    [
        '"URL/ctx.jsonld"',
        '["URL/ctx.jsonld"]',
        '{"@import": "URL/ctx.jsonld"}',
        '[{"@vocab": "http://example.org/"}, "URL/ctx.jsonld"]',
    ],
    ids=["string", "array", "import", "after-a-local-context"],
)
@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_a_remote_json_ld_context_is_never_fetched(
    client: httpx.Client, listener: Listener, method: str, context: str
) -> None:
    before, since = snapshot(client), len(listener.seen)
    document = '{"@context": CTX, "@id": "http://example.org/s", "leak": "v"}'.replace("CTX", context)
    response = client.request(
        method,
        "/gsp",
        params={"graph": UPLOAD_GRAPH},
        content=document.replace("URL", listener.url).encode(),
        headers={**BEARER, "content-type": "application/ld+json"},
    )
    assert hits(listener, since) == []
    refused(response, {400, 415, 422})
    assert snapshot(client) == before


# --- authorisation ------------------------------------------------------------------------------

WRITES: list[tuple[str, str, dict[str, str], bytes, str]] = [
    (
        "POST",
        "/update",
        {},
        b"INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }",
        "application/sparql-update",
    ),
    (
        "POST",
        "/update",
        {},
        b"update=DROP+ALL",
        "application/x-www-form-urlencoded",
    ),
    ("PUT", "/gsp", {"graph": UPLOAD_GRAPH}, b"<http://example.org/s> <http://example.org/p> 1 .", "text/turtle"),
    ("POST", "/gsp", {"default": ""}, b'<http://example.org/s> <http://example.org/p> "1" .', "application/n-triples"),
    ("POST", "/gsp", {}, b"<http://example.org/s> <http://example.org/p> 1 .", "text/turtle"),
    ("DELETE", "/gsp", {"graph": ARTICLE_GRAPH}, b"", ""),
    ("DELETE", "/gsp", {"default": ""}, b"", ""),
]
WRITE_IDS = [
    "update",
    "update-form-drop-all",
    "gsp-put",
    "gsp-post-default",
    "gsp-post-new",
    "delete-article",
    "delete",
]


def write(client: httpx.Client, case: tuple[str, str, dict[str, str], bytes, str], **headers: str) -> httpx.Response:
    method, path, params, body, kind = case
    if kind:
        headers["content-type"] = kind
    return client.request(method, path, params=params, content=body, headers=headers)


@pytest.mark.parametrize(
    ("authorization", "status"),
    [
        (None, 401),
        ("", 401),
        ("Bearer", 401),
        (f"Basic {base64.b64encode(f'kg:{TOKEN}'.encode()).decode()}", 401),
        (TOKEN, 401),
        ("Bearer wrong", 403),
        (f"Bearer {TOKEN}x", 403),
        (f"Bearer {TOKEN[:-1]}", 403),
        (f"Bearer {TOKEN.upper()}", 403),
    ],
    ids=["none", "empty", "scheme-only", "basic", "bare-token", "wrong", "longer", "shorter", "case"],
)
def test_writes_without_the_token_are_refused(client: httpx.Client, authorization: str | None, status: int) -> None:
    before = snapshot(client)
    for case in WRITES:
        headers = {} if authorization is None else {"authorization": authorization}
        response = write(client, case, **headers)
        body = refused(response, status)
        if status == 401:
            assert response.headers["www-authenticate"] == "Bearer", case
            assert body["error"] == "Unauthorized"
        else:
            assert body["error"] == "Forbidden"
        assert TOKEN not in response.text
    assert snapshot(client) == before


def test_writes_are_refused_when_updates_are_disabled(tight: Server, tight_client: httpx.Client) -> None:
    settle(tight_client)
    named, everything = count(tight_client), count(tight_client, "{ ?s ?p ?o }")
    for authorization in (None, f"Bearer {TOKEN}", "Bearer", "Basic a2c6a2c="):
        for case in WRITES:
            headers = {} if authorization is None else {"authorization": authorization}
            body = refused(write(tight_client, case, **headers), 403)
            assert body["error"] == "UpdatesDisabled", case
    home = tight_client.get("/").json()
    assert home["update"] is None
    assert count(tight_client) == named
    assert count(tight_client, "{ ?s ?p ?o }") == everything


# --- writes through the SHACL gate --------------------------------------------------------------


def test_a_write_that_breaks_an_article_is_422_with_the_report(client: httpx.Client) -> None:
    before = snapshot(client)
    update = f"DELETE WHERE {{ GRAPH <{ARTICLE_GRAPH}> {{ ?e <{KGO}modality> ?m }} }}"
    body = refused(send_update(client, update), 422)
    assert body["error"] == "NotConforming"
    assert "does not conform" in body["message"]
    assert "Violation" in body["message"]
    assert "kgo:modality" in body["message"]
    assert "text [" in body["message"]  # the report points at the article's text
    assert snapshot(client) == before


@pytest.mark.parametrize("graph", [INFERRED_GRAPH, PROVENANCE_GRAPH, AUTHORITY_GRAPH, f"{AUTHORITY_GRAPH}/inferred"])
def test_a_write_to_a_derived_graph_is_403(client: httpx.Client, graph: str) -> None:
    before = snapshot(client)
    insert = f"INSERT DATA {{ GRAPH <{graph}> {{ <http://example.org/s> <http://example.org/p> 1 }} }}"
    assert refused(send_update(client, insert), 403)["error"] == "Refused"
    response = client.put(
        "/gsp",
        params={"graph": graph},
        content=b'<http://example.org/s> <http://example.org/p> "1" .',
        headers={**BEARER, "content-type": "application/n-triples"},
    )
    assert refused(response, 403)["error"] == "Refused"
    assert snapshot(client) == before


def _graph_of(tsv_line: str) -> str:
    return tsv_line.split("\t", 1)[0]


def test_a_valid_write_to_an_article_is_gated_inferred_and_recorded(client: httpx.Client) -> None:
    """kgo:natoReportingName is a sub-property of skos:altLabel: the new alternative label is inferred."""
    su34 = f"{ENTITY}su-34"
    generated = f"{{ GRAPH <{PROVENANCE_GRAPH}> {{ <{ARTICLE_GRAPH}> <{PROV}wasGeneratedBy> ?write }} }}"
    writes_before = count(client, generated)
    before = snapshot(client)
    update = f'INSERT DATA {{ GRAPH <{ARTICLE_GRAPH}> {{ <{su34}> <{KGO}natoReportingName> "Testbed" }} }}'
    response = send_update(client, update)
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert ask(client, f'ASK {{ GRAPH <{ARTICLE_GRAPH}> {{ <{su34}> <{KGO}natoReportingName> "Testbed" }} }}')
    assert ask(client, f'ASK {{ GRAPH <{INFERRED_GRAPH}> {{ <{su34}> <{SKOS_ALT}> "Testbed" }} }}')
    writes_after = count(client, generated)
    assert writes_after == writes_before + 1
    assert ask(
        client,
        f"""ASK {{ GRAPH <{PROVENANCE_GRAPH}> {{
            <{ARTICLE_GRAPH}> <{PROV}wasGeneratedBy> ?write .
            ?write a <{PROV}Activity> ; <{PROV}endedAtTime> ?t ; <{PROV}wasAssociatedWith> ?software ;
                <{RDFS_LABEL}> "write through the SPARQL endpoint"@en }} }}""",
    )
    changed = {_graph_of(line) for line in before ^ snapshot(client)}
    assert changed == {f"<{ARTICLE_GRAPH}>", f"<{INFERRED_GRAPH}>", f"<{PROVENANCE_GRAPH}>"}


# --- oversized requests -------------------------------------------------------------------------

MEGABYTE = 1_000_000


@pytest.mark.parametrize("padding", ["comment", "literal"])
@pytest.mark.parametrize("method", ["post-form", "post-direct"])
def test_a_one_megabyte_query_is_413(client: httpx.Client, method: str, padding: str) -> None:
    paddings = {"comment": f"ASK {{ ?s ?p ?o }} # {'x' * MEGABYTE}", "literal": f'ASK {{ ?s ?p "{"x" * MEGABYTE}" }}'}
    query = paddings[padding]
    body = refused(send(client, method, query), 413)
    assert body["error"] == "PayloadTooLarge"
    healthy(client)


def test_a_one_megabyte_update_is_413(client: httpx.Client) -> None:
    before = snapshot(client)
    update = f'INSERT DATA {{ <http://example.org/s> <http://example.org/p> "{"x" * MEGABYTE}" }}'
    refused(send_update(client, update), 413)
    refused(send_update(client, update, form=True), 413)
    assert snapshot(client) == before


def test_an_oversized_query_string_is_413_or_cut_off(server: Server, client: httpx.Client) -> None:
    """Past KG_MAX_QUERY_BYTES a GET is 413 JSON; past the HTTP server's own line limit it is cut off."""
    over_limit = urllib.parse.quote(f"ASK {{ ?s ?p ?o }} # {'x' * 120_000}")
    answer = raw_request(
        server, f"GET /sparql?query={over_limit} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode()
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413 "), answer[:500]
    assert b'"PayloadTooLarge"' in body
    huge = urllib.parse.quote(f"ASK {{ ?s ?p ?o }} # {'x' * MEGABYTE}")
    answer = raw_request(server, f"GET /sparql?query={huge} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
    assert answer == b"" or re.match(rb"HTTP/1\.1 4\d\d ", answer), answer[:500]
    healthy(client)


def test_a_twenty_megabyte_upload_is_413(client: httpx.Client) -> None:
    before = snapshot(client)
    triple = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
    big = triple * (20 * MEGABYTE // len(triple) + 1)
    headers = {**BEARER, "content-type": "application/n-triples"}
    body = refused(client.put("/gsp", params={"graph": UPLOAD_GRAPH}, content=big, headers=headers), 413)
    assert body["error"] == "PayloadTooLarge"

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count as it reads
        for start in range(0, len(big), MEGABYTE):
            yield big[start : start + MEGABYTE]

    refused(client.post("/gsp", params={"graph": UPLOAD_GRAPH}, content=chunks(), headers=headers), 413)
    refused(client.post("/sparql", content=big, headers={"content-type": "application/sparql-query"}), 413)
    healthy(client)
    assert snapshot(client) == before


# --- a runaway query ----------------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def test_a_runaway_query_is_stopped_and_others_keep_answering(
    server: Server, client: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    quiet(client)
    linux = Path("/proc/self/stat").is_file()  # the server's processes are counted from /proc
    workers_before = worker_pids(server.pid) if linux else set()
    assert len(workers_before) == (3 if linux else 0), workers_before  # two server processes and the writer
    latencies: list[float] = []
    failures: list[str] = []
    done = threading.Event()

    def cheap_queries() -> None:
        with server.client(timeout=30.0) as c:
            deadline = time.monotonic() + 20.0
            for _ in range(250):
                if done.is_set() or time.monotonic() > deadline:
                    return
                started = time.perf_counter()
                response = c.get("/sparql", params={"query": CHEAP})
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200 or response.json() != {"head": {}, "boolean": True}:
                    failures.append(f"{response.status_code} {response.text}")
                time.sleep(0.015)

    loop = threading.Thread(target=cheap_queries)
    loop.start()
    try:
        time.sleep(0.2)  # the cheap queries are running before the runaway one starts
        started = time.perf_counter()
        response = client.post("/sparql", content=SLOW, headers={"content-type": "application/sparql-query"})
        took = time.perf_counter() - started
        time.sleep(1.5)  # and keep running while the retired server process is replaced
    finally:
        done.set()
        loop.join(30)
    body = refused(response, 503)
    assert body["error"] == "Timeout"
    assert response.headers["retry-after"] == "1"
    assert response.headers["connection"] == "close"  # its process retires: the connection is not reused
    assert QUERY_TIMEOUT - 0.1 <= took <= QUERY_TIMEOUT + 1.0, took
    p50, p99 = _percentile(latencies, 0.5), _percentile(latencies, 0.99)
    with capsys.disabled():  # shown in the test log without -s
        print(
            f"\n[kg attacks] {len(latencies)} cheap queries beside a runaway one: "
            f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms"
        )
    assert not failures, failures[:5]
    assert len(latencies) >= 60, len(latencies)
    assert p99 < 1.0, sorted(latencies)[-5:]
    healthy(client)  # the next query answers normally
    quiet(client)
    if linux:
        workers_after = worker_pids(server.pid)
        assert len(workers_after) == len(workers_before), (workers_before, workers_after)
        assert len(workers_before - workers_after) == 1, (workers_before, workers_after)  # the retired one
        assert all(not Path(f"/proc/{pid}").exists() for pid in workers_before - workers_after)  # gone, reaped
    with ThreadPoolExecutor(8) as pool:  # every server process, the new one too, answers
        burst = list(pool.map(lambda _: client.get("/sparql", params={"query": CHEAP}), range(8)))
    assert [r.status_code for r in burst] == [200] * 8, [r.text for r in burst]
    # the other server process answers while the replacement starts: no cheap query waits for it
    assert max(latencies) < 1.0, sorted(latencies)[-5:]


def test_too_many_queries_at_once_are_429(tight: Server, tight_client: httpx.Client) -> None:
    settle(tight_client)
    barrier = threading.Barrier(6)

    def slow(_: int) -> httpx.Response:
        with tight.client(timeout=30.0) as c:
            barrier.wait(10)
            return c.get("/sparql", params={"query": SLOW})

    with ThreadPoolExecutor(6) as pool:
        responses = list(pool.map(slow, range(6)))
    statuses = sorted(r.status_code for r in responses)
    assert 429 in statuses, statuses
    assert set(statuses) <= {429, 503}, [r.text for r in responses]
    for response in responses:
        body = refused(response, {429, 503})
        assert response.headers["retry-after"] == "1"
        assert body["error"] == ("TooManyRequests" if response.status_code == 429 else "Timeout")
    settle(tight_client)


def test_after_a_timeout_the_next_query_answers(tight_client: httpx.Client) -> None:
    """One server process and a time limit below its start-up time: the queries after a timeout wait for the
    replacement to start, and that wait does not count against their own time limit."""
    settle(tight_client)
    try:
        refused(tight_client.get("/sparql", params={"query": SLOW}), 503)
        statuses = [tight_client.get("/sparql", params={"query": CHEAP}).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
    finally:
        settle(tight_client)


@pytest.fixture(scope="module")
def slow_writes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Writes enabled with a 1 s update time limit."""
    with running(tmp_path_factory, update_token=TOKEN, update_timeout="1") as s:
        yield s


RUNAWAY_UPDATE = (
    "INSERT { GRAPH <http://example.org/runaway> { ?a <http://example.org/p> ?d } } "
    "WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } GRAPH ?z { ?g ?h ?i } }"
)


def test_a_runaway_update_is_stopped_and_the_next_write_lands(slow_writes: Server) -> None:
    with slow_writes.client() as c:
        before = snapshot(c)
        writer_before = worker_pids(slow_writes.pid)
        started = time.perf_counter()
        response = send_update(c, RUNAWAY_UPDATE)
        took = time.perf_counter() - started
        body = refused(response, 503)
        assert body["error"] == "Timeout" and "KG_UPDATE_TIMEOUT" in body["message"]
        assert response.headers["retry-after"] == "1"
        assert took < 1.0 + 1.0, took
        assert snapshot(c) == before  # nothing of it was written
        healthy(c)  # reads never stopped
        # the writer was killed and a new one answers the next write
        ok = send_update(
            c, 'INSERT DATA { GRAPH <http://example.org/after> { <http://example.org/s> <http://example.org/p> "o" } }'
        )
        assert ok.status_code == 204, ok.text
        assert ask(c, "ASK { GRAPH <http://example.org/after> { ?s ?p ?o } }")
        replaced = writer_before - worker_pids(slow_writes.pid)
        assert len(replaced) == 1, (writer_before, worker_pids(slow_writes.pid))
        timeouts = re.search(r"^kg_query_timeouts_total (\S+)$", c.get("/metrics").text, re.MULTILINE)
        assert timeouts and float(timeouts.group(1)) == 1


def _counter(text: str, route: str, status: str) -> float:
    pattern = rf'^kg_http_requests_total\{{method="GET",route="{re.escape(route)}",status="{status}"\}} (\S+)$'
    match = re.search(pattern, text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_metrics_count_the_requests_of_every_server_process(server: Server, client: httpx.Client) -> None:
    """Each request on a new connection may reach any server process: /metrics counts them all."""
    before = client.get("/metrics").text
    for _ in range(24):
        with server.client() as fresh:
            assert fresh.get("/healthz").status_code == 200
            refused(fresh.get("/sparql", params={"query": "ASK { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}), 403)
    after = client.get("/metrics").text
    assert _counter(after, "/healthz", "200") - _counter(before, "/healthz", "200") == 24
    assert _counter(after, "/sparql", "403") - _counter(before, "/sparql", "403") == 24
    service = [re.search(r'^kg_refusals_total\{reason="service"\} (\S+)$', t, re.MULTILINE) for t in (before, after)]
    assert service[0] and service[1] and float(service[1].group(1)) - float(service[0].group(1)) == 24


# --- clients that hang up -----------------------------------------------------------------------


def _disconnect(server: Server, request: bytes) -> None:
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(request)
        time.sleep(0.2)


HANG_UPS = {
    "half-a-body": (
        b"POST /sparql HTTP/1.1\r\nHost: t\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 400\r\n\r\nASK { ?s ?p "
    ),
    "half-a-chunked-body": (
        b"POST /sparql HTTP/1.1\r\nHost: t\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n5\r\nASK {\r\n"
    ),
    "half-an-upload": (
        b"PUT /gsp?graph=http://example.org/upload HTTP/1.1\r\nHost: t\r\n"
        + f"Authorization: Bearer {TOKEN}\r\n".encode()
        + b"Content-Type: text/turtle\r\nContent-Length: 100000\r\n\r\n<http://example.org/s> <http://example.org/p> "
    ),
    "half-a-header": b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: t\r\nAcc",
    "a-slow-query": (
        b"POST /sparql HTTP/1.1\r\nHost: t\r\nContent-Type: application/sparql-query\r\n"
        + f"Content-Length: {len(SLOW)}\r\n\r\n{SLOW}".encode()
    ),
}


@pytest.mark.parametrize("request_bytes", list(HANG_UPS.values()), ids=list(HANG_UPS))
def test_a_client_that_hangs_up_does_not_hurt_the_server(
    server: Server, client: httpx.Client, request_bytes: bytes
) -> None:
    before, offset = snapshot(client), server.log_size()
    _disconnect(server, request_bytes)
    started = time.perf_counter()
    healthy(client)  # a slow query hung up on runs on to its time limit, in its own thread
    assert time.perf_counter() - started < 1.0
    assert snapshot(client) == before
    logged = server.log_since(offset)
    assert "Traceback" not in logged, logged


# --- oversized results --------------------------------------------------------------------------


CONSTRUCT_ALL = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
SELECT_ALL = "SELECT * WHERE { ?s ?p ?o }"


@pytest.mark.parametrize(
    ("query", "accept", "small"),
    [
        (CONSTRUCT_ALL, "text/turtle", f"{CONSTRUCT_ALL} LIMIT 2"),
        (CONSTRUCT_ALL, "application/n-triples", f"{CONSTRUCT_ALL} LIMIT 2"),
        (CONSTRUCT_ALL, "application/ld+json", f"{CONSTRUCT_ALL} LIMIT 2"),
        (CONSTRUCT_ALL, "application/rdf+xml", f"{CONSTRUCT_ALL} LIMIT 2"),
        (SELECT_ALL, "application/sparql-results+json", f"{SELECT_ALL} LIMIT 2"),
        (SELECT_ALL, "application/sparql-results+xml", f"{SELECT_ALL} LIMIT 2"),
        (SELECT_ALL, "text/csv", f"{SELECT_ALL} LIMIT 2"),
        (SELECT_ALL, "text/tab-separated-values", f"{SELECT_ALL} LIMIT 2"),
        (f"DESCRIBE <{ENTITY}sergey-shoigu>", "text/turtle", "DESCRIBE <http://example.org/nothing>"),
    ],
)
def test_a_result_over_the_cap_is_400_never_truncated(
    tight_client: httpx.Client, query: str, accept: str, small: str
) -> None:
    settle(tight_client)
    response = tight_client.get("/sparql", params={"query": query}, headers={"accept": accept})
    body = refused(response, 400)
    assert body["error"] == "ResultTooLarge"
    assert "KG_MAX_RESULT_BYTES" in body["message"]
    response = tight_client.get("/sparql", params={"query": small}, headers={"accept": accept})
    assert response.status_code == 200, response.text


# --- nothing internal leaks ---------------------------------------------------------------------

_STDLIB_EXCEPTIONS = sorted(
    name
    for name in dir(builtins)
    if isinstance(getattr(builtins, name), type)
    and issubclass(getattr(builtins, name), BaseException)
    and name != "Warning"  # a SHACL report says "Warning:" of its warnings
)
_LEAKS = re.compile(
    r"\b(?:" + "|".join(_STDLIB_EXCEPTIONS) + r")\b|Traceback|File \"|site-packages|\.py\b|pyo3|panicked"
)


def test_errors_never_echo_internals(server: Server, client: httpx.Client, listener: Listener) -> None:
    more = [
        send(client, "get", "SELEC ?x"),
        send(client, "get", "SELECT * WHERE { ?s ?p ?o } LIMIT 99999999999999999999999999"),
        client.post("/sparql", content=b"ASK { \xff }", headers={"content-type": "application/sparql-query"}),
        client.post("/sparql", content=b"ASK {}", headers={"content-type": "text/plain"}),
        client.get("/sparql", params={"query": "ASK {}"}, headers={"accept": "image/png"}),
        client.get("/gsp", params={"graph": "http://example.org/none"}),
        client.put(
            "/gsp",
            params={"graph": UPLOAD_GRAPH},
            content=b"<a> <b> .",
            headers={**BEARER, "content-type": "text/turtle"},
        ),
        client.put(
            "/gsp",
            params={"graph": UPLOAD_GRAPH},
            content=b"{",
            headers={**BEARER, "content-type": "application/ld+json"},
        ),
        client.put(
            "/gsp",
            params={"graph": UPLOAD_GRAPH},
            content=b"<x",
            headers={**BEARER, "content-type": "application/rdf+xml"},
        ),
        send_update(client, "INSERT DATA { <a> <b> }"),
        send_update(client, "DELETE WHERE { ?s ?p }"),
        client.get("/nowhere"),
        client.patch("/sparql"),
    ]
    for response in more:
        assert response.status_code >= 400, response.text
        refused(response, response.status_code)
    assert len(ERRORS) >= len(more)
    for text in ERRORS:
        assert not _LEAKS.search(text), text
        assert str(server.store) not in text
        assert TOKEN not in text


def _writer_pid(server: Server) -> int:
    """The child of ``server`` holding the store read-write: the one with its LOCK file open."""
    for pid in worker_pids(server.pid):
        try:
            targets = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
        except OSError:
            continue
        if any(t == str(server.store / "LOCK") for t in targets):
            return pid
    raise AssertionError("no writer process found")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="finds processes through /proc")
def test_a_runaway_update_is_stopped_even_when_its_server_process_dies(slow_writes: Server) -> None:
    with slow_writes.client() as c:
        healthy(c)
        writer = _writer_pid(slow_writes)
        servers = worker_pids(slow_writes.pid) - {writer}
        pending = threading.Thread(target=lambda: _quietly(lambda: send_update(c, RUNAWAY_UPDATE)))
        pending.start()
        time.sleep(0.3)  # the update runs in the writer
        for pid in servers:  # every server process, the one that asked included, dies
            os.kill(pid, signal.SIGKILL)
        pending.join(30)
        deadline = time.monotonic() + 30
        while _alive(writer) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(writer), "the overrunning write was never stopped"
    with slow_writes.client() as c:
        settle(c)
        ok = send_update(
            c, 'INSERT DATA { GRAPH <http://example.org/later> { <http://example.org/s> <http://example.org/p> "o" } }'
        )
        assert ok.status_code == 204, ok.text


def _quietly(action: Callable[[], object]) -> None:
    with contextlib.suppress(httpx.HTTPError):
        action()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="finds processes through /proc")
def test_a_server_process_killed_mid_read_leaves_no_read_counted(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One server process, one read at a time: were the killed process's read still counted, every
    later read would be refused (429) for good."""
    with running(tmp_path_factory, query_workers="1", max_concurrent_queries="1") as single:
        with single.client() as c:
            healthy(c)
            pending = threading.Thread(target=lambda: _quietly(lambda: c.get("/sparql", params={"query": SLOW})))
            pending.start()
            time.sleep(0.5)  # the slow read is running and counted
            for pid in worker_pids(single.pid):
                os.kill(pid, signal.SIGKILL)
            pending.join(30)
        with single.client() as c:
            settle(c)
            assert in_flight(c) == 0
            assert [c.get("/sparql", params={"query": CHEAP}).status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="finds processes through /proc")
def test_a_killed_supervisor_takes_its_processes_with_it(tmp_path_factory: pytest.TempPathFactory) -> None:
    """No server process serves on alone, and no writer keeps the store locked."""
    with running(tmp_path_factory, update_token=TOKEN) as server:
        children = worker_pids(server.pid)
        assert len(children) == 3, children  # two server processes and the writer
        os.kill(server.pid, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in children if _alive(pid)]
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{server.url}/healthz", timeout=5, trust_env=False)
