"""The W3C SPARQL 1.1 Protocol, Graph Store Protocol and Service Description tests, run against a real
`kg serve`.

The manifests are the W3C files copied unchanged into ``tests/w3c/`` (see ``tests/w3c/SOURCE.md``); they
are parsed here with rdflib and every entry becomes one test, in manifest order. The HTTP exchanges are
written in the W3C HTTP-in-RDF vocabulary (``ht:``): a ``ht:Connection`` with a list of ``ht:Request``
(method, absolute path, headers, ``cnt:ContentAsText`` body), each with a ``ht:resp`` that gives the
expected status (``mf:expectedStatus``: a code such as ``hts:Created`` or a class such as
``hts:StatusCode2xx``), headers, body (compared as an RDF graph), result format (``mf:expectedFormat``:
"boolean", "tabular" or "RDF"), boolean (``mf:expectedBoolean``) and Location (``mf:expectedLocation``).
The parser accepts exactly the terms these manifests use and refuses any other, so that an expectation
is never silently ignored.

Each suite runs on a server of its own: an empty store, updates enabled by ``KG_UPDATE_TOKEN``. The
runner sends ``Authorization: Bearer <token>`` with every update and every Graph Store write (the
manifests carry no authentication) and loads the protocol tests' ``ut:graphData`` through the server
itself (Graph Store PUT of the N-Triples file). Paths are mapped to kg's endpoints: ``/sparql/...`` to
``/sparql`` for queries and ``/update`` for updates (the protocol manifest says endpoints may differ for
query and update); ``/gsp...`` is kept; ``ht:connectionAuthority`` becomes 127.0.0.1:<port>.

Manifest quirks, fixed here in the runner and never in the data:

1. ``graph-store-protocol/manifest-direct.ttl`` lists 4 entries in ``mf:entries`` but defines a 5th
   test, ``head_non_existing_direct``, that no runner reaches. kg identifies graphs indirectly only, so
   the direct manifest is not run; ``test_the_copied_manifests`` pins the omission.
2. The Graph Store tests share graph IRIs yet assume each test starts on an empty store:
   ``put_get_uri_pct_encoded_indirect`` and the first PUT of ``put_get_uri_pct_encoded_twice`` expect
   ``201 Created`` for ``<http://www.example/gsp/person/1.ttl>``, which ``put_get_repeat_indirect``,
   ``post_get_post_get_indirect`` and ``head_existing_indirect`` created before them (a PUT that replaces
   existing content MUST answer 200 or 204, GSP §5.3), and ``post_get_post_get_indirect`` expects
   person/1 to hold exactly one business card after a POST merge, which a correct server cannot answer
   while the first test's card (another blank node) is still there. Fix: the runner empties the store
   (``DROP ALL`` through ``/update``) before every test of every suite, then loads the test's
   ``ut:graphData``; within a test the requests still run in order on shared state.
3. ``post_get_new_graph`` (whose ``mf:name`` says "direct" though it uses indirect identification)
   substitutes the Location of the created graph textually into ``/gsp?graph=$LOCATION$``. A Location
   may be a relative reference, resolved against the request URI (RFC 9110 §10.2.2), and an IRI with
   ``&``, ``#``, ``%`` or ``+`` pasted into a query string names another graph. Fix: the runner resolves
   the Location against the request URL, percent-encodes it where it fills a query component (one
   decoding by the server gives the IRI back) and inserts it verbatim in bodies.
4. ``bad_update_get`` is ``GET /sparql/?update=CLEAR%20ALL``; the mapping sends it to ``/update`` (a GET
   on ``/sparql`` without ``query`` is kg's Service Description, 200). Requests whose operation their
   content does not tell (``text/plain`` or no Content-Type) take it from the test name
   (``update_*``, ``bad_update_*``).
5. ``bad_query_non_utf8`` and ``bad_update_non_utf8`` only test something when the body is really sent
   in its ``cnt:characterEncoding`` (UTF-16); the runner encodes every body that way, never as UTF-8
   blindly.

Expected header values are compared as media types: type, subtype and parameters, case-insensitively;
a missing ``charset`` on ``text/turtle`` equals ``utf-8`` (Turtle is UTF-8 by definition).

The Service Description manifest names its three tests without any action; their intent is implemented:
``returns-rdf`` (GET /sparql without a query answers RDF that rdflib parses), ``has-endpoint-triple`` (an
``sd:Service`` whose ``sd:endpoint`` is the URL that was dereferenced) and ``conforms-to-schema`` (the
description types an ``sd:Service`` with an ``sd:endpoint`` and an ``sd:supportedLanguage`` from the SD
vocabulary, and its IRI-valued properties have IRIs).

At the end of each suite ``test_zz_*_summary`` prints ``<suite>: <passed>/<total> passed`` to the
terminal, past pytest's capture, and fails when any entry failed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, urljoin, urlsplit
from urllib.request import url2pathname

import httpx
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from tests.serving import running

W3C = Path(__file__).resolve().parent / "w3c"
PROTOCOL_MANIFEST = W3C / "protocol" / "manifest.ttl"
GSP_MANIFEST = W3C / "graph-store-protocol" / "manifest.ttl"
GSP_INDIRECT_MANIFEST = W3C / "graph-store-protocol" / "manifest-indirect.ttl"
GSP_DIRECT_MANIFEST = W3C / "graph-store-protocol" / "manifest-direct.ttl"
SD_MANIFEST = W3C / "service-description" / "manifest.ttl"

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

PROTOCOL_SUITE = "W3C SPARQL 1.1 Protocol"
GSP_SUITE = "W3C Graph Store Protocol (indirect)"
SD_SUITE = "W3C SPARQL 1.1 Service Description"

REQUEST_TIMEOUT = 30.0
LOG_TAIL = 4000  # characters of the server log shown with a failure
SHOWN = 2000  # characters of a request or response body shown with a failure

STATUS_RANGES: dict[URIRef, tuple[int, int]] = {
    HTS.OK: (200, 200),
    HTS.Created: (201, 201),
    HTS.NoContent: (204, 204),
    HTS.NotFound: (404, 404),
    HTS.StatusCode2xx: (200, 299),
    HTS.StatusCode3xx: (300, 399),
    HTS.StatusCode4xx: (400, 499),
    HTS.StatusCode5xx: (500, 599),
}
SUPPORTED_FEATURES = {MF.IndirectGraphIdentification, MF.POSTGraphCreation}
"""kg's Graph Store: indirect identification (?graph= / ?default) and POST graph creation; not direct."""
SKIPPED_APPROVALS = {DAWGT.Withdrawn, DAWGT.Rejected}

RDF_SYNTAXES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "text/n3": "n3",
}
BOOLEAN_MEDIA = {"application/sparql-results+json", "application/json", "application/sparql-results+xml"}
TABULAR_MEDIA = BOOLEAN_MEDIA | {"text/csv", "text/tab-separated-values"}
UTF8_ONLY = {"text/turtle", "application/n-triples"}
"""Media types whose charset is UTF-8 by definition: a missing charset parameter means utf-8."""
SRX = "{http://www.w3.org/2005/sparql-results#}"
SD_LANGUAGES = {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}


# --- the manifests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    name: str  # lower case
    value: str


@dataclass(frozen=True)
class Body:
    chars: str
    encoding: str

    def encoded(self) -> bytes:
        return self.chars.encode(self.encoding)


@dataclass(frozen=True)
class Expected:
    statuses: tuple[URIRef, ...]
    headers: tuple[Header, ...] = ()
    body: Body | None = None
    format: str | None = None
    boolean: bool | None = None
    location: str | None = None  # the template variable the Location header fills, e.g. $LOCATION$


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    headers: tuple[Header, ...]
    body: Body | None
    expected: Expected

    def header(self, name: str) -> str | None:
        return next((h.value for h in self.headers if h.name == name), None)


@dataclass(frozen=True)
class GraphData:
    name: str
    file: Path


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    exchanges: tuple[Exchange, ...] = ()
    graph_data: tuple[GraphData, ...] = ()
    requires: frozenset[URIRef] = frozenset()
    approval: URIRef | None = None


class ManifestError(ValueError):
    """The manifest uses something this runner does not understand."""


def _local(node: Node) -> str:
    text = str(node)
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]


def _only(graph: Graph, node: Node, predicate: URIRef, *, required: bool = True) -> Node | None:
    values = list(graph.objects(node, predicate))
    if len(values) > 1 or (required and not values):
        raise ManifestError(f"{node} needs exactly one {predicate}, has {len(values)}")
    return values[0] if values else None


def _text(graph: Graph, node: Node, predicate: URIRef) -> str:
    value = _only(graph, node, predicate)
    if not isinstance(value, Literal):
        raise ManifestError(f"{node} {predicate} is not a literal")
    return str(value)


def _keys(graph: Graph, node: Node, allowed: set[URIRef], what: str) -> None:
    unknown = set(graph.predicates(node, None)) - allowed
    if unknown:
        raise ManifestError(f"{what} {node} uses {sorted(map(str, unknown))}, which this runner does not know")


def _list(graph: Graph, node: Node | None) -> list[Node]:
    return [] if node is None else list(Collection(graph, node))


def _headers(graph: Graph, node: Node) -> tuple[Header, ...]:
    out = []
    for header in _list(graph, _only(graph, node, HT.headers, required=False)):
        _keys(graph, header, {RDF.type, HT.fieldName, HT.fieldValue}, "header")
        out.append(Header(_text(graph, header, HT.fieldName).lower(), _text(graph, header, HT.fieldValue)))
    return tuple(out)


def _body(graph: Graph, node: Node) -> Body | None:
    body = _only(graph, node, HT.body, required=False)
    if body is None:
        return None
    _keys(graph, body, {RDF.type, CNT.chars, CNT.characterEncoding}, "body")
    if (body, RDF.type, CNT.ContentAsText) not in graph:
        raise ManifestError(f"body {body} is not a cnt:ContentAsText")
    encoding = _only(graph, body, CNT.characterEncoding, required=False)
    return Body(_text(graph, body, CNT.chars), str(encoding) if encoding is not None else "UTF-8")


def _expected(graph: Graph, node: Node) -> Expected:
    allowed = {RDF.type, MF.expectedStatus, MF.expectedBoolean, MF.expectedFormat, MF.expectedLocation}
    _keys(graph, node, allowed | {HT.headers, HT.body}, "response")
    statuses = tuple(sorted(o for o in graph.objects(node, MF.expectedStatus) if isinstance(o, URIRef)))
    if not statuses or any(s not in STATUS_RANGES for s in statuses):
        raise ManifestError(f"response {node}: unknown or missing mf:expectedStatus {list(map(str, statuses))}")
    boolean = _only(graph, node, MF.expectedBoolean, required=False)
    form = _only(graph, node, MF.expectedFormat, required=False)
    if form is not None and str(form) not in {"boolean", "tabular", "RDF"}:
        raise ManifestError(f"response {node}: unknown mf:expectedFormat {form}")
    location = _only(graph, node, MF.expectedLocation, required=False)
    return Expected(
        statuses=statuses,
        headers=_headers(graph, node),
        body=_body(graph, node),
        format=str(form) if form is not None else None,
        boolean=bool(boolean.toPython()) if isinstance(boolean, Literal) else None,
        location=str(location) if location is not None else None,
    )


def _exchange(graph: Graph, node: Node) -> Exchange:
    allowed = {RDF.type, HT.absolutePath, HT.methodName, HT.httpVersion, HT.headers, HT.body, HT.resp}
    _keys(graph, node, allowed, "request")
    version = _text(graph, node, HT.httpVersion)
    if version != "1.1":
        raise ManifestError(f"request {node}: HTTP/{version}")
    response = _only(graph, node, HT.resp)
    assert response is not None
    return Exchange(
        method=_text(graph, node, HT.methodName),
        path=_text(graph, node, HT.absolutePath),
        headers=_headers(graph, node),
        body=_body(graph, node),
        expected=_expected(graph, response),
    )


def _graph_data(graph: Graph, node: Node) -> GraphData:
    _keys(graph, node, {UT.graph, RDFS.label}, "ut:graphData")
    file = _only(graph, node, UT.graph)
    if not str(file).startswith("file:"):
        raise ManifestError(f"ut:graph {file} is not a file of the copied suite")
    return GraphData(_text(graph, node, RDFS.label), Path(url2pathname(urlsplit(str(file)).path)))


def load_manifest(path: Path) -> list[Entry]:
    """The manifest's entries in ``mf:entries`` order."""
    graph = Graph().parse(path, format="turtle")
    manifest = URIRef(path.as_uri())
    allowed = {RDF.type, MF.name, MF.action, MF.requires, UT.graphData, DAWGT.approval, DAWGT.approvedBy}
    entries = []
    for node in _list(graph, _only(graph, manifest, MF.entries)):
        _keys(graph, node, allowed, "entry")
        action = _only(graph, node, MF.action, required=False)
        exchanges: tuple[Exchange, ...] = ()
        if action is not None:
            _keys(graph, action, {RDF.type, HT.connectionAuthority, HT.requests}, "action")
            if (action, RDF.type, HT.Connection) not in graph:
                raise ManifestError(f"action {action} is not a ht:Connection")
            exchanges = tuple(_exchange(graph, r) for r in _list(graph, _only(graph, action, HT.requests)))
        approval = _only(graph, node, DAWGT.approval, required=False)
        entries.append(
            Entry(
                id=_local(node),
                name=_text(graph, node, MF.name),
                exchanges=exchanges,
                graph_data=tuple(_graph_data(graph, d) for d in graph.objects(node, UT.graphData)),
                requires=frozenset(r for r in graph.objects(node, MF.requires) if isinstance(r, URIRef)),
                approval=approval if isinstance(approval, URIRef) else None,
            )
        )
    return entries


def defined_tests(path: Path) -> set[str]:
    """Local names of every test a manifest defines, listed in mf:entries or not."""
    graph = Graph().parse(path, format="turtle")
    kinds = {MF.ProtocolTest, MF.GraphStoreProtocolTest, MF.ServiceDescriptionTest}
    return {_local(s) for kind in kinds for s in graph.subjects(RDF.type, kind)}


PROTOCOL = load_manifest(PROTOCOL_MANIFEST)
GSP = load_manifest(GSP_INDIRECT_MANIFEST)
SERVICE_DESCRIPTION = load_manifest(SD_MANIFEST)


# --- the server --------------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    log: Path
    token: str

    def log_tail(self) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError as err:
            return f"(no server log: {err})"
        return text[-LOG_TAIL:] or "(empty)"


@pytest.fixture(scope="class")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`kg serve` over a new, empty store on a free port of 127.0.0.1, updates enabled; one per suite.

    With W3C_TARGET_URL set, the suites run against that server instead (same paths: /sparql, /update,
    /gsp, /healthz; W3C_TARGET_TOKEN is its bearer token). Every test empties its store.
    """
    work = tmp_path_factory.mktemp("kg-w3c")
    log = work / "serve.log"
    target = os.environ.get("W3C_TARGET_URL")
    if target:
        log.write_text(f"(the server at {target} is not started by these tests: no log)\n")
        yield Server(target.rstrip("/"), log, os.environ.get("W3C_TARGET_TOKEN", "-"))
        return
    token = secrets.token_urlsafe(24)
    with running(tmp_path_factory, store=work / "store", update_token=token) as started:
        yield Server(started.url, started.log, token)


@pytest.fixture(scope="class")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, trust_env=False, timeout=REQUEST_TIMEOUT) as c:
        yield c


# --- running an entry --------------------------------------------------------------------------


class ExpectationError(AssertionError):
    pass


def _media(value: str | None) -> tuple[str, dict[str, str]]:
    """A media type and its parameters, lower-cased (parameter values unquoted)."""
    if not value:
        return "", {}
    kind, *params = (part.strip() for part in value.split(";"))
    out = {}
    for param in params:
        name, _, val = param.partition("=")
        if name:
            out[name.strip().lower()] = val.strip().strip('"').lower()
    return kind.lower(), out


def _same_media(got: str, expected: str) -> bool:
    got_type, got_params = _media(got)
    want_type, want_params = _media(expected)
    if got_type != want_type:
        return False
    if want_type in UTF8_ONLY:
        got_params.setdefault("charset", "utf-8")
        want_params.setdefault("charset", "utf-8")
    return got_params == want_params


def _operation(entry: Entry, exchange: Exchange) -> str:
    """The operation, "update" or "query": from what the request carries, else from the test name."""
    media, _ = _media(exchange.header("content-type"))
    if media == "application/sparql-update":
        return "update"
    if media == "application/sparql-query":
        return "query"
    url_params = parse_qs(urlsplit(exchange.path).query)
    body_params = parse_qs(exchange.body.chars) if exchange.body and media.endswith("x-www-form-urlencoded") else {}
    for params in (body_params, url_params):
        if "update" in params:
            return "update"
        if "query" in params:
            return "query"
    return "update" if entry.id.startswith(("update_", "bad_update_")) else "query"


def _target(entry: Entry, exchange: Exchange) -> tuple[str, bool]:
    """kg's path for the manifest's path (query string kept byte for byte), and whether it writes."""
    path = exchange.path
    if path.startswith("/gsp"):
        return path, exchange.method not in {"GET", "HEAD"}
    for prefix in ("/sparql/", "/sparql"):
        if path == prefix or path.startswith(f"{prefix}?"):
            rest = path[len(prefix) :]
            if _operation(entry, exchange) == "update":
                return f"/update{rest}", True
            return f"/sparql{rest}", False
    raise ManifestError(f"{entry.id}: unexpected ht:absolutePath {path}")


def _fill(text: str, variables: dict[str, str], *, in_url: bool) -> str:
    for name, value in variables.items():
        if in_url:
            # quirk 3: the value fills a query component; encode it so one decoding gives the IRI back
            before, sep, after = text.partition("?")
            text = before.replace(name, quote(value, safe="/:")) + sep + after.replace(name, quote(value, safe=""))
        else:
            text = text.replace(name, value)
    return text


def _bare_request(client: httpx.Client, method: str, url: str, content: bytes | None = None) -> httpx.Request:
    """A request without httpx's default Accept and Accept-Encoding: it carries the manifest's headers only
    (plus Host, Content-Length, Connection, User-Agent and, for writes, Authorization)."""
    request = client.build_request(method, url, content=content)
    for default in ("accept", "accept-encoding"):
        del request.headers[default]
    return request


def _build(
    client: httpx.Client, server: Server, entry: Entry, exchange: Exchange, variables: dict[str, str]
) -> httpx.Request:
    path, writes = _target(entry, exchange)
    body = exchange.body
    content = None
    if body is not None:
        content = Body(_fill(body.chars, variables, in_url=False), body.encoding).encoded()
    request = _bare_request(client, exchange.method, f"{server.url}{_fill(path, variables, in_url=True)}", content)
    for header in exchange.headers:
        request.headers[header.name] = _fill(header.value, variables, in_url=False)
    if writes:
        request.headers["authorization"] = f"Bearer {server.token}"
    return request


def _shown_body(data: bytes) -> str:
    if not data:
        return "(no body)"
    text = data.decode("utf-8", errors="backslashreplace")
    text = "".join(c if c.isprintable() or c in "\n\r\t" else f"\\x{ord(c):02x}" for c in text)
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}... ({len(data)} bytes)"


def describe_exchange(request: httpx.Request, response: httpx.Response | None, token: str) -> str:
    """The request and the response as they went over the wire, for a failure message."""
    lines = [f"> {request.method} {request.url.raw_path.decode('ascii', errors='replace')} HTTP/1.1"]
    for name, value in request.headers.multi_items():
        lines.append(f"> {name}: {value.replace(token, '<token>') if len(token) >= 8 else value}")
    lines.append(">")
    lines.extend(f"> {line}" for line in _shown_body(request.content).splitlines())
    if response is None:
        lines.append("< (no response)")
        return "\n".join(lines)
    lines.append(f"< HTTP/1.1 {response.status_code} {response.reason_phrase}")
    lines.extend(f"< {name}: {value}" for name, value in response.headers.multi_items())
    lines.append("<")
    lines.extend(f"< {line}" for line in _shown_body(response.content).splitlines())
    return "\n".join(lines)


def _parse_rdf(data: bytes, content_type: str | None, base: str) -> Graph:
    media, _ = _media(content_type)
    syntax = RDF_SYNTAXES.get(media)
    if syntax is None:
        raise ExpectationError(f"Content-Type {content_type!r} is not an RDF syntax this runner reads")
    try:
        return Graph().parse(data=data, format=syntax, publicID=base)
    except Exception as err:  # any parser error is a failed expectation
        raise ExpectationError(f"the body does not parse as {syntax}: {type(err).__name__}: {err}") from None


def _boolean(response: httpx.Response) -> bool:
    media, _ = _media(response.headers.get("content-type"))
    if media not in BOOLEAN_MEDIA:
        raise ExpectationError(f"a boolean result is SPARQL JSON or XML, got Content-Type {media!r}")
    try:
        if media.endswith("xml"):
            element = ET.fromstring(response.content).find(f"{SRX}boolean")
            if element is None or (element.text or "").strip() not in {"true", "false"}:
                raise ExpectationError("no <boolean>true|false</boolean> in the XML results")
            return (element.text or "").strip() == "true"
        value = json.loads(response.content)["boolean"]
    except (ValueError, KeyError, TypeError, ET.ParseError) as err:
        raise ExpectationError(f"not a boolean result: {type(err).__name__}: {err}") from None
    if not isinstance(value, bool):
        raise ExpectationError(f'"boolean" is {value!r}, not true or false')
    return value


def _tabular(response: httpx.Response) -> tuple[list[str], int]:
    """Variables and number of rows of a SELECT result in JSON, XML, CSV or TSV."""
    media, _ = _media(response.headers.get("content-type"))
    if media not in TABULAR_MEDIA:
        raise ExpectationError(f"a tabular result is SPARQL JSON, XML, CSV or TSV, got Content-Type {media!r}")
    try:
        if media.endswith("json"):
            document = json.loads(response.content)
            variables, rows = document["head"]["vars"], document["results"]["bindings"]
            if not isinstance(variables, list) or not isinstance(rows, list):
                raise ExpectationError("head.vars and results.bindings must be arrays")
            return [str(v) for v in variables], len(rows)
        if media.endswith("xml"):
            root = ET.fromstring(response.content)
            results = root.find(f"{SRX}results")
            if root.tag != f"{SRX}sparql" or results is None:
                raise ExpectationError("not a <sparql> document with <results>")
            names = [v.get("name", "") for v in root.iter(f"{SRX}variable")]
            return names, len(results.findall(f"{SRX}result"))
        dialect = "excel" if media == "text/csv" else "excel-tab"
        table = list(csv.reader(io.StringIO(response.content.decode("utf-8")), dialect=dialect))
        if not table:
            raise ExpectationError("no header row")
        return [v.lstrip("?") for v in table[0]], len(table) - 1
    except (ValueError, KeyError, TypeError, ET.ParseError, csv.Error) as err:
        raise ExpectationError(f"not a tabular result: {type(err).__name__}: {err}") from None


def _same_graph(got: Graph, expected: Graph) -> str | None:
    if isomorphic(got, expected):
        return None
    a, b = to_isomorphic(got), to_isomorphic(expected)
    only_got = sorted(" ".join(term.n3() for term in triple) for triple in a - b)[:10]
    only_expected = sorted(" ".join(term.n3() for term in triple) for triple in b - a)[:10]
    return (
        f"the graph is not isomorphic to the expected one ({len(got)} vs {len(expected)} triples)\n"
        f"  only in the response: {only_got}\n  only expected: {only_expected}"
    )


def check(exchange: Exchange, request: httpx.Request, response: httpx.Response) -> list[str]:
    """Every way the response misses the manifest's expectations (empty: it meets them)."""
    expected = exchange.expected
    problems = []
    status = response.status_code
    allowed = sorted((STATUS_RANGES[s], _local(s)) for s in expected.statuses)
    if not any(low <= status <= high for (low, high), _ in allowed):
        names = " or ".join(f"{low} {name}" if low == high else name for (low, high), name in allowed)
        problems.append(f"status {status}, expected {names}")
    for header in expected.headers:
        got = response.headers.get(header.name)
        if got is None:
            problems.append(f"no {header.name} header, expected {header.value!r}")
        elif not (_same_media(got, header.value) if header.name == "content-type" else got == header.value):
            problems.append(f"{header.name}: {got!r}, expected {header.value!r}")
    if expected.location is not None and "location" not in response.headers:
        problems.append(f"no Location header (mf:expectedLocation {expected.location})")
    checks_body = expected.body is not None or expected.format is not None or expected.boolean is not None
    if checks_body and 300 <= status <= 399:
        problems.append(f"the body cannot be checked on a {status} response: the runner follows no redirect")
    if checks_body and not 200 <= status <= 299:
        return problems
    base = str(request.url)
    try:
        if expected.format == "RDF":
            _parse_rdf(response.content, response.headers.get("content-type"), base)
        elif expected.format == "tabular":
            _tabular(response)
        elif expected.format == "boolean" or expected.boolean is not None:
            value = _boolean(response)
            if expected.boolean is not None and value is not expected.boolean:
                problems.append(f"boolean {str(value).lower()}, expected {str(expected.boolean).lower()}")
        if expected.body is not None:
            wanted_type = next((h.value for h in expected.headers if h.name == "content-type"), "text/turtle")
            wanted = _parse_rdf(expected.body.encoded(), wanted_type, base)
            got = _parse_rdf(response.content, response.headers.get("content-type"), base)
            difference = _same_graph(got, wanted)
            if difference:
                problems.append(difference)
    except ExpectationError as err:
        problems.append(str(err))
    return problems


def _reset(client: httpx.Client, server: Server, entry: Entry) -> None:
    """Quirk 2: every test starts on an empty store holding only its own ut:graphData."""
    steps = [
        client.build_request(
            "POST",
            "/update",
            content=b"DROP ALL",
            headers={"content-type": "application/sparql-update", "authorization": f"Bearer {server.token}"},
        )
    ]
    for data in entry.graph_data:
        steps.append(
            client.build_request(
                "PUT",
                f"/gsp?graph={quote(data.name, safe='')}",
                content=data.file.read_bytes(),
                headers={"content-type": "application/n-triples", "authorization": f"Bearer {server.token}"},
            )
        )
    for request in steps:
        response, error = _send(client, request)
        if response is None or not 200 <= response.status_code <= 299:
            pytest.fail(
                f"setup of {entry.id} (empty the store, load ut:graphData) failed{error}:\n"
                f"{describe_exchange(request, response, server.token)}\n--- server log (tail) ---\n{server.log_tail()}",
                pytrace=False,
            )


def _send(client: httpx.Client, request: httpx.Request) -> tuple[httpx.Response | None, str]:
    """The response, or None and why there is none."""
    try:
        return client.send(request), ""
    except httpx.HTTPError as err:
        return None, f" ({type(err).__name__}: {err})"


def _trace(
    title: str, request: httpx.Request, response: httpx.Response | None, server: Server, problems: list[str]
) -> None:
    """With W3C_TRACE=FILE, every exchange of every entry is appended to FILE, passed or not."""
    path = os.environ.get("W3C_TRACE")
    if path:
        verdict = "".join(f"  - {p}\n" for p in problems) or "  ok\n"
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"=== {title}\n{verdict}{describe_exchange(request, response, server.token)}\n\n")


def run_entry(client: httpx.Client, server: Server, entry: Entry) -> None:
    """Reset the store, then send the entry's requests in order; fail at the first unmet expectation."""
    missing = entry.requires - SUPPORTED_FEATURES
    if missing:
        pytest.skip(f"requires {', '.join(sorted(map(_local, missing)))}, which kg does not offer")
    if entry.approval in SKIPPED_APPROVALS:
        pytest.skip(f"{_local(entry.approval)} by the W3C")
    _reset(client, server, entry)
    variables: dict[str, str] = {}
    for number, exchange in enumerate(entry.exchanges, 1):
        request = _build(client, server, entry, exchange, variables)
        response, error = _send(client, request)
        problems = check(exchange, request, response) if response is not None else [f"no response{error}"]
        _trace(f"{entry.id}, request {number}/{len(entry.exchanges)}", request, response, server, problems)
        if problems:
            pytest.fail(
                f"{entry.id} ({entry.name}), request {number}/{len(entry.exchanges)}:\n"
                + "".join(f"  - {p}\n" for p in problems)
                + f"{describe_exchange(request, response, server.token)}\n"
                f"--- server log (tail) ---\n{server.log_tail()}",
                pytrace=False,
            )
        if exchange.expected.location is not None:
            # quirk 3: a Location may be relative to the request URI
            variables[exchange.expected.location] = urljoin(str(request.url), response.headers["location"])


# --- the Service Description -------------------------------------------------------------------


def _service_description(client: httpx.Client, server: Server) -> tuple[Graph, str, httpx.Request, httpx.Response]:
    endpoint = f"{server.url}/sparql"
    request = _bare_request(client, "GET", endpoint)  # no Accept: the service chooses, and it must be RDF
    response, error = _send(client, request)
    context = describe_exchange(request, response, server.token)
    if response is None:
        pytest.fail(f"GET /sparql: no response{error}\n{context}", pytrace=False)
    if response.status_code != 200:
        pytest.fail(f"GET /sparql without a query answered {response.status_code}\n{context}", pytrace=False)
    problem = None
    try:
        graph = _parse_rdf(response.content, response.headers.get("content-type"), endpoint)
    except ExpectationError as err:
        problem = str(err)
    if problem is not None:
        pytest.fail(f"{problem}\n{context}", pytrace=False)
    return graph, endpoint, request, response


def _services(graph: Graph) -> set[Node]:
    return set(graph.subjects(RDF.type, SD.Service))


def check_service_description(entry: Entry, client: httpx.Client, server: Server) -> None:
    graph, endpoint, request, response = _service_description(client, server)
    context = describe_exchange(request, response, server.token)
    problems = []
    if entry.id == "returns-rdf":
        if not len(graph):
            problems.append("the description is an empty graph")
    elif entry.id == "has-endpoint-triple":
        matching = [s for s in _services(graph) if (s, SD.endpoint, URIRef(endpoint)) in graph]
        if not matching:
            found = sorted(str(o) for o in graph.objects(None, SD.endpoint))
            problems.append(f"no sd:Service with sd:endpoint <{endpoint}> (sd:endpoint values: {found})")
    elif entry.id == "conforms-to-schema":
        services = _services(graph)
        if not services:
            problems.append("no node typed sd:Service")
        for service in services:
            if not list(graph.objects(service, SD.endpoint)):
                problems.append(f"{service.n3()} has no sd:endpoint")
            languages = set(graph.objects(service, SD.supportedLanguage))
            if not languages:
                problems.append(f"{service.n3()} declares no sd:supportedLanguage")
            if languages - SD_LANGUAGES:
                problems.append(f"sd:supportedLanguage outside the SD vocabulary: {sorted(languages - SD_LANGUAGES)}")
        for predicate in (SD.endpoint, SD.supportedLanguage, SD.resultFormat, SD.inputFormat, SD.feature):
            for value in graph.objects(None, predicate):
                if not isinstance(value, URIRef):
                    problems.append(f"{_local(predicate)} {value.n3()} is not an IRI")
    else:
        pytest.fail(f"no check for the Service Description test {entry.id}")
    if problems:
        pytest.fail(f"{entry.id} ({entry.name}):\n" + "".join(f"  - {p}\n" for p in problems) + context, pytrace=False)


# --- the suites --------------------------------------------------------------------------------

RESULTS: dict[str, dict[str, bool]] = {PROTOCOL_SUITE: {}, GSP_SUITE: {}, SD_SUITE: {}}
"""suite -> entry id -> passed, filled in as the entries run."""


@dataclass(frozen=True)
class _Recorder:
    """Records an entry as failed on entry, as passed on a clean exit; a skip is not recorded."""

    suite: str
    entry: str

    def __enter__(self) -> _Recorder:
        RESULTS[self.suite][self.entry] = False
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            RESULTS[self.suite][self.entry] = True
        elif issubclass(kind, pytest.skip.Exception):
            del RESULTS[self.suite][self.entry]


def summarise(suite: str, entries: list[Entry], capsys: pytest.CaptureFixture[str]) -> None:
    results = RESULTS[suite]
    passed = sum(results.values())
    line = f"{suite}: {passed}/{len(entries)} passed"
    if len(results) < len(entries):
        line += f" ({len(entries) - len(results)} not run)"
    failed = [e.id for e in entries if results.get(e.id) is False]
    with capsys.disabled():
        sys.stdout.write(f"\n{line}\n")
        sys.stdout.flush()
    if not results:
        pytest.skip(f"no {suite} test ran")
    if failed:
        pytest.fail(f"{line}; failed: {', '.join(failed)}", pytrace=False)


@pytest.mark.server
class TestProtocol:
    """protocol/manifest.ttl, 34 entries, in order, on one server."""

    @pytest.mark.parametrize("entry", PROTOCOL, ids=[e.id for e in PROTOCOL])
    def test_entry(self, entry: Entry, client: httpx.Client, server: Server) -> None:
        with _Recorder(PROTOCOL_SUITE, entry.id):
            run_entry(client, server, entry)

    def test_zz_protocol_summary(self, capsys: pytest.CaptureFixture[str]) -> None:
        summarise(PROTOCOL_SUITE, PROTOCOL, capsys)


@pytest.mark.server
class TestGraphStoreProtocol:
    """graph-store-protocol/manifest-indirect.ttl, 9 entries, in order, on one server."""

    @pytest.mark.parametrize("entry", GSP, ids=[e.id for e in GSP])
    def test_entry(self, entry: Entry, client: httpx.Client, server: Server) -> None:
        with _Recorder(GSP_SUITE, entry.id):
            run_entry(client, server, entry)

    def test_zz_gsp_summary(self, capsys: pytest.CaptureFixture[str]) -> None:
        summarise(GSP_SUITE, GSP, capsys)


@pytest.mark.server
class TestServiceDescription:
    """service-description/manifest.ttl: 3 named tests, their intent implemented."""

    @pytest.mark.parametrize("entry", SERVICE_DESCRIPTION, ids=[e.id for e in SERVICE_DESCRIPTION])
    def test_entry(self, entry: Entry, client: httpx.Client, server: Server) -> None:
        with _Recorder(SD_SUITE, entry.id):
            check_service_description(entry, client, server)

    def test_zz_sd_summary(self, capsys: pytest.CaptureFixture[str]) -> None:
        summarise(SD_SUITE, SERVICE_DESCRIPTION, capsys)


# --- the data ----------------------------------------------------------------------------------


def test_the_copied_manifests() -> None:
    """The copies hold what SOURCE.md says, including the direct manifest's unlisted 5th test (quirk 1)."""
    assert (W3C / "LICENSE.md").is_file() and (W3C / "SOURCE.md").is_file()
    assert len(PROTOCOL) == 34
    assert len(GSP) == 9
    assert [e.id for e in SERVICE_DESCRIPTION] == ["has-endpoint-triple", "returns-rdf", "conforms-to-schema"]
    assert all(e.exchanges for e in PROTOCOL + GSP)
    direct = load_manifest(GSP_DIRECT_MANIFEST)
    assert len(direct) == 4
    assert defined_tests(GSP_DIRECT_MANIFEST) - {e.id for e in direct} == {"head_non_existing_direct"}
    assert defined_tests(GSP_INDIRECT_MANIFEST) == {e.id for e in GSP}
    assert defined_tests(PROTOCOL_MANIFEST) == {e.id for e in PROTOCOL}
    included = Graph().parse(GSP_MANIFEST, format="turtle")
    listed = _list(included, _only(included, URIRef(GSP_MANIFEST.as_uri()), MF.include))
    assert {Path(url2pathname(urlsplit(str(f)).path)).name for f in listed} == {
        GSP_DIRECT_MANIFEST.name,
        GSP_INDIRECT_MANIFEST.name,
    }
    for entry in PROTOCOL:
        for data in entry.graph_data:
            assert data.file.is_file() and data.file.is_relative_to(W3C), data.file
