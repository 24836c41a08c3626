"""Real clients against a real `kg serve`: SPARQLWrapper, rdflib's SPARQLStore and SPARQLUpdateStore,
the exact requests YASGUI and Comunica send, and CORS as a browser asks for it.

Answers are compared with the same query sent directly (httpx, JSON results).
"""

from __future__ import annotations

import base64
import json
import urllib.parse
import xml.dom.minidom
from collections.abc import Iterator
from typing import Any
from urllib.error import HTTPError

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, SKOS
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import GET, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TURTLE, URLENCODED, XML, SPARQLWrapper

from tests.serving import ENTITY, Server, assert_error, media, no_proxy, running, sparqlwrapper_query

pytestmark = pytest.mark.server

TOKEN = "clients-test-token-1d2e"
SHOIGU = URIRef(f"{ENTITY}sergey-shoigu")
SCHEMA_NAME = URIRef("https://schema.org/name")
SELECT_LABEL = f"SELECT ?l WHERE {{ <{SHOIGU}> <{RDFS.label}> ?l }}"
ASK_TRUE = f'ASK {{ <{SHOIGU}> <{RDFS.label}> "Sergey Shoigu"@en }}'
CONSTRUCT_NAMES = f"""CONSTRUCT {{ ?who <{RDFS.label}> ?l ; <{SKOS.prefLabel}> ?p ; <{SCHEMA_NAME}> ?n }}
WHERE {{ BIND(<{SHOIGU}> AS ?who) ?who <{RDFS.label}> ?l ; <{SKOS.prefLabel}> ?p ; <{SCHEMA_NAME}> ?n }}"""
NAMES = Graph()
for _p in (RDFS.label, SKOS.prefLabel, SCHEMA_NAME):
    NAMES.add((SHOIGU, _p, Literal("Sergey Shoigu", lang="en")))

YASGUI_SELECT = "application/sparql-results+json,*/*;q=0.9"
YASGUI_CONSTRUCT = "application/n-triples,*/*;q=0.9"
YASGUI_FORM = "application/x-www-form-urlencoded; charset=UTF-8"
COMUNICA = "application/sparql-results+json;q=1.0,application/sparql-results+xml;q=0.7"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with no_proxy(), running(tmp_path_factory, update_token=TOKEN, query_workers="2") as s:
        yield s


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


def direct(client: httpx.Client, query: str) -> list[dict[str, Any]]:
    """The query's JSON bindings, asked directly."""
    response = client.post("/sparql", data={"query": query}, headers={"accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return list(response.json()["results"]["bindings"])


def ask(client: httpx.Client, query: str) -> bool:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def terms(rows: list[dict[str, Any]], var: str) -> list[str]:
    return sorted(row[var]["value"] for row in rows if var in row)


# --- SPARQLWrapper ------------------------------------------------------------------------------

WRAPPER_METHODS = [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]
WRAPPER_IDS = ["get", "post-form", "post-direct"]


@pytest.mark.parametrize("method", WRAPPER_METHODS, ids=WRAPPER_IDS)
def test_sparqlwrapper_json(server: Server, client: httpx.Client, method: tuple[str, str]) -> None:
    result = sparqlwrapper_query(server, SELECT_LABEL, JSON, method)
    assert result["head"]["vars"] == ["l"]
    assert result["results"]["bindings"] == direct(client, SELECT_LABEL)
    assert sparqlwrapper_query(server, ASK_TRUE, JSON, method)["boolean"] is True


@pytest.mark.parametrize("method", WRAPPER_METHODS, ids=WRAPPER_IDS)
def test_sparqlwrapper_xml(server: Server, method: tuple[str, str]) -> None:
    document = sparqlwrapper_query(server, SELECT_LABEL, XML, method)
    assert isinstance(document, xml.dom.minidom.Document)
    literals = document.getElementsByTagName("literal")
    assert [node.firstChild.data for node in literals] == ["Sergey Shoigu"]
    assert literals[0].getAttribute("xml:lang") == "en"
    boolean = sparqlwrapper_query(server, ASK_TRUE, XML, method).getElementsByTagName("boolean")
    assert boolean[0].firstChild.data == "true"


@pytest.mark.parametrize("method", WRAPPER_METHODS, ids=WRAPPER_IDS)
@pytest.mark.parametrize(
    ("return_format", "syntax"),
    [(TURTLE, "turtle"), (N3, "turtle"), (RDFXML, "xml"), (JSONLD, "json-ld")],
    ids=["turtle", "n3", "rdfxml", "jsonld"],
)
def test_sparqlwrapper_construct_read_raw(
    server: Server, method: tuple[str, str], return_format: str, syntax: str
) -> None:
    # SPARQLWrapper's convert() builds a deprecated ConjunctiveGraph (an error here): parse the raw body instead
    body = sparqlwrapper_query(server, CONSTRUCT_NAMES, return_format, method, raw=True)
    assert isomorphic(Graph().parse(data=body, format=syntax), NAMES)


def test_sparqlwrapper_sees_a_refusal_as_an_http_error(server: Server) -> None:
    sparql = SPARQLWrapper(server.sparql)
    sparql.setQuery("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    sparql.setReturnFormat(JSON)
    with pytest.raises(Exception, match="403") as info:
        sparql.query()
    for error in (info.value, info.value.__cause__, info.value.__context__):
        if isinstance(error, HTTPError):
            error.close()  # it holds the response (and its socket)


# --- rdflib SPARQLStore -------------------------------------------------------------------------

MANY_PREFIXES = "\n".join(f"PREFIX p{i}: <http://example.org/vocabulary/{i}/with/a/long/path#>" for i in range(60))
LONG_SELECT = f"""{MANY_PREFIXES}
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX kgo: <http://127.0.0.1:8000/ontology#>
SELECT ?who ?name WHERE {{ ?who a kgo:Person ; rdfs:label ?name }} ORDER BY ?who"""


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_with_a_long_query(server: Server, client: httpx.Client, method: str) -> None:
    assert len(urllib.parse.urlencode({"query": LONG_SELECT})) > 2048  # a long GET
    store = SPARQLStore(query_endpoint=server.sparql, returnFormat="xml", method=method)
    graph = Graph(store)
    try:
        rows = list(graph.query(LONG_SELECT))
    finally:
        graph.close()
    expected = direct(client, LONG_SELECT)
    assert len(rows) == len(expected) > 3
    assert [(str(r[0]), str(r[1]), r[1].language) for r in rows] == [  # type: ignore[index, union-attr]
        (e["who"]["value"], e["name"]["value"], e["name"].get("xml:lang")) for e in expected
    ]


def test_rdflib_sparqlstore_triples(server: Server, client: httpx.Client) -> None:
    graph = Graph(SPARQLStore(query_endpoint=server.sparql, returnFormat="xml"))
    try:
        labels = sorted(str(o) for o in graph.objects(SHOIGU, SKOS.prefLabel))
        ask = graph.query(ASK_TRUE).askAnswer
    finally:
        graph.close()
    assert labels == terms(direct(client, f"SELECT ?o WHERE {{ <{SHOIGU}> <{SKOS.prefLabel}> ?o }}"), "o")
    assert ask is True


# --- rdflib SPARQLUpdateStore -------------------------------------------------------------------

NOTES = URIRef("urn:kg-test:notes")
NOTE = (URIRef("urn:kg-test:a"), URIRef("urn:kg-test:b"), Literal("a note", lang="en"))


def test_rdflib_sparqlupdatestore_with_a_bearer_token(server: Server, client: httpx.Client) -> None:
    """SPARQLUpdateStore's ``auth`` is HTTP Basic only; a bearer token goes in ``headers``, which it sends
    with every request (query and update)."""
    store = SPARQLUpdateStore(
        query_endpoint=server.sparql, update_endpoint=server.update, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    graph = Graph(store, identifier=NOTES)
    try:
        graph.add(NOTE)
        present = f"ASK {{ GRAPH <{NOTES}> {{ <{NOTE[0]}> <{NOTE[1]}> ?o }} }}"
        assert ask(client, present) is True
        assert list(graph.objects(NOTE[0], NOTE[1])) == [NOTE[2]]
        graph.remove(NOTE)
        assert ask(client, present) is False
    finally:
        graph.close()


def test_rdflib_sparqlupdatestore_basic_auth_is_401(server: Server, client: httpx.Client) -> None:
    store = SPARQLUpdateStore(query_endpoint=server.sparql, update_endpoint=server.update, auth=("kg", TOKEN))
    graph = Graph(store, identifier=NOTES)
    try:
        with pytest.raises(HTTPError) as info:
            graph.add(NOTE)
    finally:
        graph.close()
    error = info.value
    try:
        assert error.code == 401
        assert error.headers["WWW-Authenticate"] == "Bearer"
        assert set(json.loads(error.read())) == {"error", "message"}
    finally:
        error.close()
    present = f"ASK {{ GRAPH <{NOTES}> {{ ?s ?p ?o }} }}"
    assert ask(client, present) is False


# --- what YASGUI and Comunica send --------------------------------------------------------------


def test_yasgui_form_post_select(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        content=urllib.parse.urlencode({"query": SELECT_LABEL}).encode(),
        headers={"content-type": YASGUI_FORM, "accept": YASGUI_SELECT},
    )
    assert response.status_code == 200, response.text
    assert media(response) == "application/sparql-results+json"
    assert response.json()["results"]["bindings"] == direct(client, SELECT_LABEL)


def test_yasgui_get_ask(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": ASK_TRUE}, headers={"accept": YASGUI_SELECT})
    assert response.status_code == 200, response.text
    assert media(response) == "application/sparql-results+json"
    assert response.json()["boolean"] is True


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_yasgui_construct_gets_ntriples(client: httpx.Client, method: str) -> None:
    if method == "GET":
        response = client.get("/sparql", params={"query": CONSTRUCT_NAMES}, headers={"accept": YASGUI_CONSTRUCT})
    else:
        response = client.post(
            "/sparql",
            content=urllib.parse.urlencode({"query": CONSTRUCT_NAMES}).encode(),
            headers={"content-type": YASGUI_FORM, "accept": YASGUI_CONSTRUCT},
        )
    assert response.status_code == 200, response.text
    assert media(response) == "application/n-triples"
    assert isomorphic(Graph().parse(data=response.content, format="nt"), NAMES)


@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
def test_comunica_gets_json(client: httpx.Client, method: str) -> None:
    headers = {"accept": COMUNICA}
    for query in (SELECT_LABEL, ASK_TRUE):
        if method == "GET":
            response = client.get("/sparql", params={"query": query}, headers=headers)
        elif method == "POST-form":
            response = client.post("/sparql", data={"query": query}, headers=headers)
        else:
            response = client.post(
                "/sparql", content=query.encode(), headers={**headers, "content-type": "application/sparql-query"}
            )
        assert response.status_code == 200, response.text
        assert media(response) == "application/sparql-results+json"
    assert response.json()["boolean"] is True


def test_comunica_construct_is_406_or_a_graph(client: httpx.Client) -> None:
    """Comunica's SELECT Accept offers no RDF syntax: a CONSTRUCT is refused cleanly, never mislabelled."""
    response = client.get("/sparql", params={"query": CONSTRUCT_NAMES}, headers={"accept": COMUNICA})
    assert_error(response, 406)


# --- CORS ---------------------------------------------------------------------------------------

ORIGIN = "http://example.org"


@pytest.mark.parametrize(
    ("path", "method"), [("/sparql", "POST"), ("/sparql", "GET"), ("/update", "POST"), ("/gsp", "PUT")]
)
def test_cors_preflight_allows_authorization_and_content_type(client: httpx.Client, path: str, method: str) -> None:
    response = client.options(
        path,
        headers={
            "origin": ORIGIN,
            "access-control-request-method": method,
            "access-control-request-headers": "authorization, content-type",
        },
    )
    assert response.status_code in {200, 204}, response.text
    assert response.headers["access-control-allow-origin"] in {"*", ORIGIN}
    allowed_methods = {m.strip().upper() for m in response.headers["access-control-allow-methods"].split(",")}
    assert method in allowed_methods
    allowed_headers = {h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed_headers


def test_cors_simple_get_carries_allow_origin(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": ASK_TRUE}, headers={"origin": ORIGIN})
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] in {"*", ORIGIN}
    exposed = {h.strip().lower() for h in response.headers.get("access-control-expose-headers", "").split(",")}
    assert "retry-after" in exposed


def test_cors_headers_on_errors_too(client: httpx.Client) -> None:
    """A browser only lets a page read an error's JSON body when the error carries the CORS headers."""
    response = client.post(
        "/update", content=b"CLEAR ALL", headers={"origin": ORIGIN, "content-type": "application/sparql-update"}
    )
    assert_error(response, 401)
    assert response.headers["access-control-allow-origin"] in {"*", ORIGIN}
    basic = base64.b64encode(b"a:b").decode()
    response = client.get(
        "/sparql", params={"query": "SELEC"}, headers={"origin": ORIGIN, "authorization": f"Basic {basic}"}
    )
    assert_error(response, 400)
    assert response.headers["access-control-allow-origin"] in {"*", ORIGIN}
