"""Linked data for real: every IRI kg mints dereferences on a running `kg serve` (303 to the page
or to the data by content negotiation), the data describes the IRI, unknown IRIs get 404, the
ontology and the graphs answer, the whole dataset downloads.

The bundled articles are built once per session by the real `kg build`; the server is
module-scoped and read-only. tests/test_server_pages.py reuses the helpers below.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg import resources
from kg.server.linked import FORMAT_ACCEPT, prefers_html, split_suffix
from kg.server.pages import ontology_info
from tests.serving import running

pytestmark = pytest.mark.server

ARTICLE = "tass-2015-10-21-russia-syria-assistance"
BASE = "http://127.0.0.1:8000/"
KGO = Namespace(f"{BASE}ontology#")
SCHEMA = Namespace("https://schema.org/")
A = f"article/{ARTICLE}"

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

RESOURCES = {
    "entity": "entity/sergey-shoigu",
    "place": "entity/syria",
    "position": "position/russia-defence-minister",
    "article": A,
    "event": f"{A}/event/ground-operations",
    "statement": f"{A}/statement/quote-offensive",
    "quantity": f"{A}/quantity/war-deaths",
    "mention": f"{A}/mention/3029-3053",
    "time": f"{A}/time/since-2011",
    "tenure": f"{A}/tenure/shoigu-defence-minister",
    "participation": f"{A}/event/kalibr-strike/participant/kalibr-instrument",
    "photo": f"{A}/photo/kremlin-meeting-photo",
    "local entity": f"{A}/entity/militants",
    "text": f"{A}/text/content",
    "relation": f"{A}/relation/0",
}
"""One resource of each kind kg mints, by the path after ``{base}id/``."""

RDF_BY_MEDIA = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


# --- a real server (shared with tests/test_server_pages.py) -------------------------------------


@contextmanager
def serving(factory: pytest.TempPathFactory) -> Iterator[str]:
    """`kg serve` on a free port over a copy of the built store (tests/serving.py); its URL."""
    with running(factory) as server:
        yield server.url


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with serving(tmp_path_factory) as url, httpx.Client(base_url=url, trust_env=False, timeout=30.0) as c:
        yield c


def iri(path: str) -> URIRef:
    return URIRef(f"{BASE}id/{path}")


def parse(response: httpx.Response, media: str | None = None) -> Graph:
    kind = media or response.headers["content-type"].split(";")[0]
    return Graph().parse(data=response.content, format=RDF_BY_MEDIA[kind])


def describes(graph: Graph, node: URIRef) -> bool:
    return (node, None, None) in graph


# --- pure functions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (None, False),
        ("*/*", False),
        ("text/turtle", False),
        ("application/ld+json", False),
        ("application/json", False),
        (BROWSER, True),
        ("text/html", True),
        ("application/xhtml+xml", True),
        ("text/html;q=0.5, text/turtle", False),
        ("text/turtle;q=0.5, text/html", True),
    ],
)
def test_a_browser_is_told_from_a_program_by_its_accept_header(accept: str | None, html: bool) -> None:
    assert prefers_html(accept) is html


def test_data_suffixes_are_the_rdf_syntaxes_and_nothing_else() -> None:
    assert split_suffix("entity/x.ttl")[0] == "entity/x"
    assert split_suffix("entity/x.ttl")[1] is not None
    assert {s: split_suffix(f"entity/x.{s}")[1].media_type for s in ("ttl", "nt", "jsonld", "rdf", "trig", "nq")} == {  # type: ignore[union-attr]
        "ttl": "text/turtle",
        "nt": "application/n-triples",
        "jsonld": "application/ld+json",
        "rdf": "application/rdf+xml",
        "trig": "application/trig",
        "nq": "application/n-quads",
    }
    assert split_suffix("entity/x.html") == ("entity/x.html", None)
    assert split_suffix("entity/su-24m") == ("entity/su-24m", None)
    assert split_suffix(".ttl") == (".ttl", None)


# --- the 303 pattern -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(RESOURCES))
def test_every_kind_of_iri_redirects_programs_to_data_that_describes_it(client: httpx.Client, kind: str) -> None:
    path = RESOURCES[kind]
    response = client.get(f"/id/{path}", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/data/{path}"
    assert "Accept" in response.headers["vary"]
    assert 'rel="describedby"' in response.headers["link"]
    data = client.get(response.headers["location"], headers={"Accept": "text/turtle"})
    assert data.status_code == 200
    assert data.headers["content-type"].startswith("text/turtle")
    assert "Accept" in data.headers["vary"]
    assert data.headers["content-location"] == f"/data/{path}.ttl"
    assert describes(parse(data), iri(path))


@pytest.mark.parametrize("kind", list(RESOURCES))
def test_every_kind_of_iri_redirects_browsers_to_its_page(client: httpx.Client, kind: str) -> None:
    path = RESOURCES[kind]
    response = client.get(f"/id/{path}", headers={"Accept": BROWSER})
    assert response.status_code == 303
    assert response.headers["location"] == f"/page/{path}"
    page = client.get(response.headers["location"], headers={"Accept": BROWSER})
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert f"<code>{iri(path)}</code>" in page.text


def test_following_redirects_like_curl_gets_turtle(client: httpx.Client) -> None:
    response = client.get("/id/entity/vladimir-putin", headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert response.status_code == 200
    graph = parse(response)
    assert (iri("entity/vladimir-putin"), SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q7747")) in graph


@pytest.mark.parametrize("accept", [None, "*/*"])
def test_a_client_that_accepts_anything_gets_data(client: httpx.Client, accept: str | None) -> None:
    request = client.build_request("GET", "/id/entity/russia")
    if accept is None:
        del request.headers["accept"]
    else:
        request.headers["accept"] = accept
    response = client.send(request)
    assert response.status_code == 303
    assert response.headers["location"] == "/data/entity/russia"


def test_head_answers_like_get(client: httpx.Client) -> None:
    response = client.head("/id/entity/russia", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["location"] == "/data/entity/russia"
    assert client.head("/page/entity/russia").status_code == 200


# --- the data ------------------------------------------------------------------------------------


@pytest.mark.parametrize("media", list(RDF_BY_MEDIA))
def test_data_is_negotiated_in_every_rdf_syntax(client: httpx.Client, media: str) -> None:
    response = client.get("/data/entity/syria", headers={"Accept": media})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in response.headers["vary"]
    graph = parse(response)
    assert (iri("entity/syria"), RDFS.label, Literal("Syria", lang="en")) in graph


@pytest.mark.parametrize(
    ("suffix", "media"),
    [
        ("ttl", "text/turtle"),
        ("nt", "application/n-triples"),
        ("jsonld", "application/ld+json"),
        ("rdf", "application/rdf+xml"),
    ],
)
def test_a_suffix_fixes_the_syntax_whatever_the_accept_header(client: httpx.Client, suffix: str, media: str) -> None:
    response = client.get(f"/data/entity/syria.{suffix}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "vary" not in response.headers or "Accept" not in response.headers["vary"]
    assert describes(parse(response, media), iri("entity/syria"))


@pytest.mark.parametrize("suffix", ["trig", "nq"])
def test_trig_and_nquads_keep_inferred_triples_apart_from_asserted_ones(client: httpx.Client, suffix: str) -> None:
    response = client.get(f"/data/entity/sergey-shoigu.{suffix}")
    assert response.status_code == 200
    dataset = Dataset()
    dataset.parse(data=response.content, format="trig" if suffix == "trig" else "nquads")
    shoigu = iri("entity/sergey-shoigu")
    where = {str(g) for _, _, _, g in dataset.quads((shoigu, RDF.type, SCHEMA.Person, None))}
    assert where == {f"{BASE}graph/authority/inferred"}
    where = {str(g) for _, _, _, g in dataset.quads((shoigu, RDF.type, KGO.Person, None))}
    assert where == {f"{BASE}graph/authority"}
    tenure = iri(f"{A}/tenure/shoigu-defence-minister")
    where = {str(g) for _, _, _, g in dataset.quads((tenure, KGO.holder, shoigu, None))}
    assert where == {f"{BASE}graph/article/{ARTICLE}"}


def test_the_description_holds_incoming_links_as_well(client: httpx.Client) -> None:
    graph = parse(client.get("/data/entity/sergey-shoigu.ttl"), "text/turtle")
    shoigu = iri("entity/sergey-shoigu")
    tenure = iri(f"{A}/tenure/shoigu-defence-minister")
    assert (tenure, KGO.holder, shoigu) in graph
    assert (shoigu, SKOS.altLabel, Literal("Sergei Shoigu", lang="en")) in graph


def test_data_links_its_page_and_its_other_syntaxes(client: httpx.Client) -> None:
    link = client.get("/data/entity/russia", headers={"Accept": "text/turtle"}).headers["link"]
    assert '</page/entity/russia>; rel="alternate"; type="text/html"' in link
    assert '</data/entity/russia.jsonld>; rel="alternate"; type="application/ld+json"' in link
    assert f'<{BASE}id/entity/russia>; rel="about"' in link


def test_data_no_syntax_can_satisfy_is_406(client: httpx.Client) -> None:
    response = client.get("/data/entity/russia", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.json()["error"] == "NotAcceptable"


# --- unknown IRIs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/id/entity/no-such-thing",
        "/id/article/no-such-article",
        f"/id/{A}/event/no-such-event",
        "/data/entity/no-such-thing",
        "/data/entity/no-such-thing.ttl",
        "/id/entity/a%3Eb%3C%7B",
        "/id/entity/with%20space",
        "/data/entity/%22quoted%22",
    ],
)
def test_an_unknown_iri_is_a_json_404_for_programs(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"] == "NotFound"


@pytest.mark.parametrize(
    "path",
    ["/id/entity/no-such-thing", "/page/entity/no-such-thing", "/page/entity/a%3Eb", f"/page/{A}/mention/1-2"],
)
def test_an_unknown_iri_is_a_helpful_html_404_for_browsers(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Not found</h1>" in response.text
    assert 'href="/query"' in response.text
    assert 'href="/"' in response.text


# --- the ontology ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("text/turtle", "text/turtle"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/rdf+xml, application/xml; q=0.7, text/xml; q=0.3, */*; q=0.2", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("*/*", "text/turtle"),
    ],
)
def test_the_ontology_iri_answers_rdf_for_protege(client: httpx.Client, accept: str, media: str) -> None:
    response = client.get("/ontology", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in response.headers["vary"]
    graph = parse(response, media)
    assert (URIRef(f"{BASE}ontology"), RDF.type, OWL.Ontology) in graph
    # a term's IRI (…/ontology#Person) is fetched as /ontology: the document describes the term
    assert (KGO.Person, RDFS.subClassOf, SCHEMA.Person) in graph


def test_the_ontology_turtle_is_the_file_as_written(client: httpx.Client) -> None:
    body = client.get("/ontology.ttl").text
    assert body == resources.ontology_path().read_text(encoding="utf-8")


def test_the_ontology_answers_browsers_with_its_documentation(client: httpx.Client) -> None:
    response = client.get("/ontology", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    info = ontology_info()
    for term in info.terms:
        assert f'id="{term.name}"' in response.text
    assert '<link rel="alternate" type="text/turtle" href="/ontology.ttl"' in response.text


def test_the_ontology_version_iri_answers_too(client: httpx.Client) -> None:
    version = ontology_info().version
    assert client.get(f"/ontology/{version}", headers={"Accept": "text/turtle"}).status_code == 200
    assert client.get("/ontology/9.9.9", headers={"Accept": "text/turtle"}).status_code == 404


# --- graphs and downloads --------------------------------------------------------------------------


def test_a_graph_name_answers_its_content(client: httpx.Client) -> None:
    response = client.get(f"/graph/article/{ARTICLE}/inferred", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert "Accept" in response.headers["vary"]
    graph = parse(response)
    assert (iri("entity/sergey-shoigu"), RDF.type, SCHEMA.Person) not in graph  # the authority's inference
    assert (iri(f"{A}/event/syrian-war"), RDF.type, SCHEMA.Event) in graph
    page = client.get(f"/graph/article/{ARTICLE}", headers={"Accept": BROWSER})
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert client.get("/graph/article/nope", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/graph/authority.nt").headers["content-type"] == "application/n-triples"


@pytest.mark.parametrize(
    ("name", "media"),
    [
        ("kg.ttl", "text/turtle"),
        ("kg.trig", "application/trig"),
        ("kg.nq", "application/n-quads"),
        ("kg.jsonld", "application/ld+json"),
    ],
)
def test_the_whole_dataset_downloads(client: httpx.Client, name: str, media: str) -> None:
    response = client.get(f"/download/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    if name.endswith((".trig", ".nq")):
        dataset = Dataset()
        dataset.parse(data=response.content, format="trig" if name.endswith("trig") else "nquads")
        names = {str(g.identifier) for g in dataset.graphs()}
        assert f"{BASE}graph/article/{ARTICLE}/inferred" in names
        assert f"{BASE}graph/authority" in names
    elif name.endswith(".ttl"):
        assert len(Graph().parse(data=response.content, format="turtle")) > 3000


def test_an_unknown_download_is_404(client: httpx.Client) -> None:
    assert client.get("/download/kg.exe").status_code == 404


# --- home, static files, the query form's format ------------------------------------------------


def test_the_home_keeps_its_json_for_programs(client: httpx.Client) -> None:
    for accept in ("application/json", "*/*"):
        response = client.get("/", headers={"Accept": accept})
        assert response.status_code == 200
        assert response.json()["sparql"].endswith("/sparql")
        assert "Accept" in response.headers["vary"]


def test_the_home_is_a_page_for_browsers(client: httpx.Client) -> None:
    response = client.get("/", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    for link in ('href="/query"', 'href="/ontology"', 'href="/.well-known/void"', 'href="/download/kg.trig"'):
        assert link in response.text
    assert f'href="/page/{A}"' in response.text
    counts = dict(re.findall(r"<li><strong>([\d,]+)</strong> ([^<]+)</li>", response.text))
    assert {v.split(":")[0] for v in counts.values()} >= {"articles", "entities", "events", "statements"}
    assert {k for k, v in counts.items() if v == "articles"} == {"1"}


def test_the_stylesheet_is_served(client: httpx.Client) -> None:
    response = client.get("/static/kg.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "prefers-color-scheme: dark" in response.text


@pytest.mark.parametrize(("name", "media"), list(FORMAT_ACCEPT.items()))
def test_the_query_forms_format_chooses_the_result_syntax(client: httpx.Client, name: str, media: str) -> None:
    graph_result = name in ("text", "turtle", "ntriples", "jsonld", "rdfxml")
    query = "CONSTRUCT WHERE { ?s a ?o } LIMIT 1" if graph_result else "ASK { ?s ?p ?o }"
    response = client.get("/sparql", params={"query": query, "format": name}, headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media


def test_without_format_the_accept_header_still_rules(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")


# --- pages made ahead -------------------------------------------------------------------------------


def test_pages_are_made_ahead_articles_first(tmp_path_factory: pytest.TempPathFactory) -> None:
    from kg.namespaces import IRIs
    from kg.server import linked
    from kg.server.pages import page_paths
    from kg.server.workers import WorkerConfig
    from kg.store import open_store
    from tests.serving import built_store

    location = built_store(tmp_path_factory)
    config = WorkerConfig(str(location), BASE, IRIs(BASE).prefixes(), 64_000_000)
    store = open_store(location, read_only=True)
    try:
        paths = page_paths(store, IRIs(BASE), 10_000)
        assert paths[0].startswith("article/") and paths[0].count("/") == 1  # the article page first
        assert "entity/sergey-shoigu" in paths
        assert len(paths) == len(set(paths)) > 100
        assert linked.warm(store, config, 5, lambda: store) == 5
        assert all(linked.PAGES.get(store, path) is not None for path in paths[:5])
        assert linked.PAGES.get(store, paths[5]) is None
        served = linked.page(store, config, paths[0])
        assert served.body == linked.PAGES.get(store, paths[0])
        other = object()
        assert linked.warm(store, config, 5, lambda: other) == 0  # a view a write made old is left alone
        assert linked.warm(store, config, 0, lambda: store) == 0
    finally:
        store.close()


def test_a_running_server_makes_its_pages_ahead(client: httpx.Client) -> None:
    def made() -> float:
        match = re.search(r"^kg_pages_made_ahead (\S+)$", client.get("/metrics").text, re.MULTILINE)
        return float(match.group(1)) if match else 0.0

    for _ in range(600):  # each of the two server processes makes every page of the seed once
        if made() >= 200:
            break
        time.sleep(0.1)
    assert made() >= 200
    assert client.get("/page/entity/sergey-shoigu").status_code == 200


def test_the_page_cache_keeps_to_its_bounds_and_to_one_view() -> None:
    from kg.server.linked import PageCache

    cache, view = PageCache(size=3, max_bytes=220), object()
    for key in "abc":
        cache.put(view, key, b"x" * 100)  # the third pushes the first out: 300 bytes > 220
    assert [cache.get(view, k) is not None for k in "abc"] == [False, True, True]
    assert cache.full()
    cache.put(view, "b", b"y")  # replacing a page counts its new size only
    cache.put(view, "d", b"z" * 100)
    assert [cache.get(view, k) is not None for k in "bcd"] == [True, True, True]
    assert cache.get(object(), "b") is None  # another view (after a write) has none of them
    cache.put(other := object(), "e", b"e")
    assert cache.get(view, "b") is None and cache.get(other, "e") == b"e"
