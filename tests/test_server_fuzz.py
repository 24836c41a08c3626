"""Fuzzing a real `kg serve` over HTTP: random methods, paths, parameters, headers and bodies against
every route the app declares. Whatever arrives, the server never answers 500, every error is JSON
``{"error", "message"}``, and it keeps serving.

The bugs it found (500s) are fixed; the tests at the end are their regression tests.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.serving import (
    ARTICLE,
    ARTICLE_GRAPH,
    AUTHORITY_GRAPH,
    ENTITY,
    INFERRED_GRAPH,
    Server,
    assert_error,
    media,
    running,
)

pytestmark = pytest.mark.server

TOKEN = "fuzz-test-token-99aa"
PROTOCOL_ROUTES = {
    "/": {"GET"},
    "/sparql": {"GET", "POST"},
    "/update": {"POST"},
    "/gsp": {"GET", "HEAD", "PUT", "POST", "DELETE"},
    "/.well-known/void": {"GET"},
    "/healthz": {"GET"},
    "/metrics": {"GET"},
}
"""The routes of the SPARQL and Graph Store protocols, whose errors are always JSON. The app may declare
more (linked data, pages): those are fuzzed too, as /openapi.json lists them."""
SEEN: Counter[tuple[str, int]] = Counter()
"""(route, status) of every fuzzed request, for the summary line."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(tmp_path_factory, update_token=TOKEN, query_workers="2", query_timeout="2") as s:
        yield s


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with server.client(timeout=60.0) as c:
        yield c


# --- what to send -------------------------------------------------------------------------------

PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
TEXT = st.text(st.characters(codec="utf-8"), max_size=40)

IRIS = [
    "http://example.org/g",
    "urn:kg:fuzz",
    ARTICLE_GRAPH,
    INFERRED_GRAPH,
    AUTHORITY_GRAPH,
    f"{ENTITY}sergey-shoigu",
    "file:///etc/passwd",
    "http://127.0.0.1:9/x.ttl",
    "tag:kg,2026:x",
    "",
    "relative",
    "not an iri",
    "http://exa mple.org/",
    "<http://example.org/g>",
]
SPARQL_TOKENS = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "*", "WHERE", "{", "}", "(", ")", ".", ";", ",", "?s", "?p", "?o",
    "?g", "a", "GRAPH", "FROM", "NAMED", "OPTIONAL", "UNION", "MINUS", "FILTER", "BIND", "AS", "VALUES", "LIMIT",
    "1", "OFFSET", "ORDER", "BY", "GROUP", "COUNT", "DISTINCT", "PREFIX", "x:", "x:y", "BASE", '"lit"', "'x'@en",
    '"1"^^<http://www.w3.org/2001/XMLSchema#integer>', "<http://example.org/x>", "<relative>", "<file:///etc/passwd>",
    f"<{ARTICLE_GRAPH}>", f"<{INFERRED_GRAPH}>", "INSERT", "DELETE", "DATA", "CLEAR", "DROP", "CREATE", "SILENT",
    "ALL", "DEFAULT", "WITH", "USING", "LOAD", "SERVICE", "#", "\n", "\\", "_:b", "[]", "true", "REGEX", "STR",
]  # fmt: skip
VALID_QUERIES = [
    "ASK {}",
    f"SELECT ?l WHERE {{ <{ENTITY}sergey-shoigu> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    f"CONSTRUCT {{ <{ENTITY}sergey-shoigu> ?p ?o }} WHERE {{ <{ENTITY}sergey-shoigu> ?p ?o }}",
    f"DESCRIBE <{ENTITY}vladimir-putin>",
    "INSERT DATA { GRAPH <urn:kg:fuzz> { <urn:a> <urn:b> 'c' } }",
    "CLEAR SILENT GRAPH <urn:kg:fuzz>",
]
SPARQLISH = st.one_of(
    st.sampled_from(VALID_QUERIES),
    st.lists(st.sampled_from(SPARQL_TOKENS), max_size=25).map(" ".join),
    TEXT,
)
PARAM_NAMES = [
    "query",
    "update",
    "graph",
    "default",
    "default-graph-uri",
    "named-graph-uri",
    "using-graph-uri",
    "using-named-graph-uri",
    "format",
]
PARAMS = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(PARAM_NAMES), TEXT),
        st.one_of(st.sampled_from(IRIS), SPARQLISH, TEXT),
    ),
    max_size=4,
)
MEDIA = [
    "application/sparql-query",
    "application/sparql-update",
    "application/x-www-form-urlencoded",
    "application/x-www-form-urlencoded; charset=UTF-8",
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "application/n-quads",
    "application/trig",
    "multipart/form-data; boundary=xyz",
    "multipart/form-data",
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    "text/plain",
    "text/html",
    "*/*",
    "text/*",
    "application/sparql-results+json,*/*;q=0.9",
    "application/n-triples,*/*;q=0.9",
    "application/sparql-results+json;q=1.0,application/sparql-results+xml;q=0.7",
    "text/turtle;q=0, */*;q=0.1",
    "*/*;q=abc",
    "image/png",
    ";;,,",
]
HEADER_TEXT = st.text(PRINTABLE, max_size=60).map(str.strip)
AUTHORIZATION = st.one_of(
    st.none(),
    st.sampled_from([f"Bearer {TOKEN}", "Bearer wrong", "Bearer", "Basic a2c6a2c=", "bearer " + TOKEN, TOKEN]),
    HEADER_TEXT,
)
RDF_BODIES = [
    b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .",
    b'@prefix e: <http://example.org/> . e:s e:p "o"@en .',
    b'{"@id": "http://example.org/s", "http://example.org/p": "o"}',
    b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
    b'<!DOCTYPE x [<!ENTITY a "b">]><x/>',
    b"--xyz\r\nContent-Type: text/turtle\r\n\r\n<http://example.org/s> <http://example.org/p> 1 .\r\n--xyz--\r\n",
    b"",
]
BODIES = st.one_of(
    st.binary(max_size=300),
    SPARQLISH.map(str.encode),
    st.sampled_from(RDF_BODIES),
    PARAMS.map(lambda pairs: "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs).encode()),
)
SEGMENTS = st.one_of(
    st.sampled_from(
        ["entity/sergey-shoigu", f"article/{ARTICLE}", "entity/nobody", "ttl", "nt", "jsonld", "rdf", "0.1.0", ".."]
    ),
    st.lists(st.text(PRINTABLE, min_size=1, max_size=12), min_size=1, max_size=3).map(
        lambda parts: "/".join(quote(p, safe="") for p in parts)
    ),
)
ODD_PATHS = ["/sparql/", "//sparql", "/gsp/x", "/.well-known/", "/docs", "/%2e%2e/etc", "/static/../../etc/passwd"]


def paths(routes: dict[str, set[str]]) -> st.SearchStrategy[str]:
    """Mostly the protocol routes; also every other declared route (templates filled), odd and random paths."""
    filled = st.builds(
        lambda template, values: re.sub(r"\{[^}]*\}", lambda _: values.pop() if values else "x", template),
        st.sampled_from(sorted(set(routes) - set(PROTOCOL_ROUTES))),
        st.lists(SEGMENTS, min_size=3, max_size=3),
    )
    random = st.lists(st.text(PRINTABLE, min_size=1, max_size=12), min_size=1, max_size=3).map(
        lambda parts: "/" + "/".join(quote(p, safe="") for p in parts)
    )
    protocol = st.sampled_from(["/sparql", "/sparql", "/update", "/gsp", "/gsp", "/.well-known/void"])
    kinds = {"protocol": protocol, "other": filled, "odd": st.sampled_from(ODD_PATHS), "random": random}
    return st.sampled_from(["protocol"] * 6 + ["other"] * 2 + ["odd", "random"]).flatmap(kinds.__getitem__)


METHODS = st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])


@dataclass
class Sent:
    method: str
    path: str
    params: list[tuple[str, str]]
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def __str__(self) -> str:
        return f"{self.method} {self.path} params={self.params!r} headers={self.headers!r} body={self.body[:300]!r}"


def route_of(routes: dict[str, set[str]], path: str) -> str | None:
    for template in routes:
        if re.fullmatch(re.sub(r"\\\{[^}]*\\\}", "[^/]+(?:/.*)?", re.escape(template)), path):
            return template
    return None


@st.composite
def requests(draw: st.DrawFn, routes: dict[str, set[str]]) -> Sent:
    path = draw(paths(routes))
    declared = routes.get(route_of(routes, path) or "", {"GET"})
    method = draw(st.one_of(st.sampled_from(sorted(declared)), METHODS))
    sent = Sent(method, path, draw(PARAMS))
    # what each protocol route reads, often well-formed enough to get past the first checks
    if path == "/sparql" and method == "GET" and draw(st.integers(0, 9)) < 8:
        sent.params.insert(0, ("query", draw(SPARQLISH)))
    if path == "/gsp" and draw(st.integers(0, 9)) < 8:
        sent.params.insert(
            0, draw(st.one_of(st.just(("default", "")), st.tuples(st.just("graph"), st.sampled_from(IRIS))))
        )
    if path in {"/sparql", "/update"} and method == "POST":
        direct = "application/sparql-query" if path == "/sparql" else "application/sparql-update"
        kind = draw(st.sampled_from([direct, "form", "other"]))
        if kind == "form":
            name = "query" if path == "/sparql" else "update"
            sent.headers["content-type"] = "application/x-www-form-urlencoded"
            sent.body = f"{name}={quote(draw(SPARQLISH))}".encode()
        elif kind != "other":
            sent.headers["content-type"] = kind
            sent.body = draw(SPARQLISH).encode()
    if path == "/gsp" and method in {"PUT", "POST"} and draw(st.booleans()):
        sent.headers["content-type"] = draw(st.sampled_from(MEDIA[4:12]))
        sent.body = draw(st.one_of(st.sampled_from(RDF_BODIES), st.binary(max_size=200)))
    for name, strategy in (
        ("accept", st.one_of(st.sampled_from(MEDIA), HEADER_TEXT)),
        ("content-type", st.one_of(st.sampled_from(MEDIA), HEADER_TEXT)),
    ):
        if name not in sent.headers and (value := draw(st.one_of(st.none(), strategy))) is not None:
            sent.headers[name] = value
    writes = path == "/update" or (path == "/gsp" and method in {"PUT", "POST", "DELETE"})
    authorization = f"Bearer {TOKEN}" if writes and draw(st.integers(0, 3)) < 3 else draw(AUTHORIZATION)
    if authorization is not None:
        sent.headers["authorization"] = authorization
    if not sent.body and (method not in {"GET", "HEAD"} or draw(st.booleans())):
        sent.body = draw(BODIES)
    return sent


# --- the fuzzer ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def routes(client: httpx.Client) -> dict[str, set[str]]:
    """The app's routes and their methods, as its OpenAPI document declares them."""
    response = client.get("/openapi.json")
    assert response.status_code == 200, response.text
    return {path: {m.upper() for m in methods} for path, methods in response.json()["paths"].items()}


def test_the_protocol_routes_are_declared(routes: dict[str, set[str]]) -> None:
    for path, methods in PROTOCOL_ROUTES.items():
        assert methods <= routes.get(path, set()), path


def check(client: httpx.Client, routes: dict[str, set[str]], sent: Sent) -> None:
    request = client.build_request(sent.method, sent.path, params=sent.params, headers=sent.headers, content=sent.body)
    response = client.send(request)
    status = response.status_code
    SEEN[(route_of(routes, sent.path) or "unmatched", status)] += 1
    where = f"{sent}\n-> {status} {response.headers.get('content-type')} {response.text[:500]}"
    assert status != 500, where
    assert status < 500 or status == 503, where
    if status == 503:
        assert response.headers.get("retry-after"), where
    assert "Traceback" not in response.text, where
    assert 'File "' not in response.text, where
    if status < 400 or sent.method == "HEAD":
        return
    route = route_of(routes, sent.path)
    if route is not None and route not in PROTOCOL_ROUTES and media(response) == "text/html":
        return  # a page's error, for a browser
    try:
        assert_error(response, status)
    except (AssertionError, ValueError) as err:
        raise AssertionError(where) from err


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_request_is_answered_without_500_and_errors_are_json(
    client: httpx.Client, routes: dict[str, set[str]], data: st.DataObject
) -> None:
    check(client, routes, data.draw(requests(routes), label="request"))


def test_after_the_fuzzing_the_server_still_answers(client: httpx.Client, capsys: pytest.CaptureFixture[str]) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    response = client.get("/sparql", params={"query": VALID_QUERIES[1]})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"]
    by_route: dict[str, dict[int, int]] = {}
    for (route, status), n in sorted(SEEN.items()):
        by_route.setdefault(route, {})[status] = n
    with capsys.disabled():
        print(f"\n[kg fuzz] {sum(SEEN.values())} requests, statuses by route: {by_route}")


# --- the 500s the fuzzer found, as regression tests -----------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        ("GET", "/gsp", {"graph": "not an iri"}),
        ("GET", "/gsp", {"graph": "relative"}),
        ("HEAD", "/gsp", {"graph": "not an iri"}),
        ("PUT", "/gsp", {"graph": "not an iri"}),
        ("DELETE", "/gsp", {"graph": "a b"}),
        ("GET", "/sparql", {"query": "ASK {}", "default-graph-uri": "not an iri"}),
        ("GET", "/sparql", {"query": "ASK {}", "named-graph-uri": "a b"}),
        ("GET", "/sparql", {"query": "ASK FROM <relative> {}"}),
        ("POST", "/update", {"using-graph-uri": "a b"}),
    ],
    ids=["gsp-get", "gsp-get-relative", "gsp-head", "gsp-put", "gsp-delete", "dgu", "ngu", "from-relative", "using"],
)
def test_a_graph_name_that_is_not_an_iri_is_400(
    client: httpx.Client, method: str, path: str, params: dict[str, str]
) -> None:
    headers = {"authorization": f"Bearer {TOKEN}"}
    body = b""
    if method == "PUT":
        headers["content-type"], body = "application/n-triples", RDF_BODIES[0]
    if path == "/update":
        headers["content-type"], body = "application/sparql-update", b"INSERT { <urn:a> <urn:b> ?o } WHERE { ?s ?p ?o }"
    response = client.request(method, path, params=params, headers=headers, content=body)
    if method == "HEAD":
        assert response.status_code == 400
    else:
        assert_error(response, 400)


@pytest.mark.parametrize(
    "update",
    [
        "DROP GRAPH <urn:kg:missing>",
        "CLEAR GRAPH <urn:kg:missing>",
        "CREATE GRAPH <urn:kg:twice> ; CREATE GRAPH <urn:kg:twice>",
        "MOVE <urn:kg:missing> TO <urn:kg:elsewhere>",
    ],
    ids=["drop", "clear", "create", "move"],
)
def test_an_update_that_fails_at_evaluation_is_4xx(client: httpx.Client, update: str) -> None:
    response = client.post(
        "/update",
        content=update.encode(),
        headers={"authorization": f"Bearer {TOKEN}", "content-type": "application/sparql-update"},
    )
    assert_error(response, {400, 404, 409})


@pytest.mark.parametrize(
    "part",
    [
        "Content-Type: multipart/mixed; boundary=inner\r\n\r\n--inner\r\nContent-Type: text/turtle\r\n\r\n"
        "<urn:a> <urn:b> <urn:c> .\r\n--inner--",
        "Content-Type: message/rfc822\r\n\r\nSubject: x\r\n\r\nbody",
    ],
    ids=["multipart-in-multipart", "message"],
)
def test_a_multipart_upload_with_a_nested_part_is_4xx(server: Server, part: str) -> None:
    body = f"--xyz\r\n{part}\r\n--xyz--\r\n".encode()
    with server.client() as c:  # the server closes the connection after this 500
        response = c.post(
            "/gsp",
            params={"graph": "urn:kg:fuzz-multipart"},
            content=body,
            headers={"authorization": f"Bearer {TOKEN}", "content-type": "multipart/form-data; boundary=xyz"},
        )
    assert_error(response, {400, 415})


def test_a_refused_cors_preflight_is_a_json_error(client: httpx.Client) -> None:
    response = client.options(
        "/sparql",
        headers={
            "origin": "http://example.org",
            "access-control-request-method": "POST",
            "access-control-request-headers": "x-custom",
        },
    )
    assert_error(response, 400)
