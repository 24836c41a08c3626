"""kg.store: atomic replacement of named graphs, union-default queries, exports that parse back;
each on the embedded store and on a real remote engine (Oxigraph server on 127.0.0.1)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.errors import QueryError, StoreError
from kg.formats import RDF_SYNTAXES
from kg.namespaces import IRIs
from kg.pipeline import Built
from kg.store import Store, open_store
from tests.engines import Engine, oxigraph_server, virtuoso_server

EX = "http://example.org/"


def graph(*objects: str) -> Graph:
    g = Graph()
    for i, o in enumerate(objects):
        g.add((URIRef(f"{EX}s{i}"), URIRef(f"{EX}p"), Literal(o)))
    return g


def snapshot(store: Store) -> dict[str, Graph]:
    out = {}
    for name in store.graph_names():
        g = Graph()
        g.parse(data=store.export(next(s for s in RDF_SYNTAXES if s.name == "ntriples"), [name]), format="nt")
        out[name] = g
    return out


@pytest.fixture(scope="session")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine | None]:
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as engine:
        yield engine


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine | None]:
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as engine:
        yield engine


def _open(kind: str, tmp_path: Path, engines: dict[str, Engine | None], base: str) -> Store:
    if kind == "embedded":
        return open_store(tmp_path / "store")
    engine = engines[kind]
    if engine is None:
        missing = f"no {kind} here (pip install oxigraph; apt-get install virtuoso-opensource)"
        if os.environ.get("CI"):  # .ci/run installs both: a missing one is a broken install step
            pytest.fail(missing)
        pytest.skip(missing)
    store = open_store(engine.location, base_iri=base)
    store.replace_graphs({}, drop=[URIRef(n) for n in store.graph_names()])  # each test starts empty
    return store


STORES = ["embedded", "oxigraph", "virtuoso"]


@pytest.fixture(params=STORES)
def store(
    request: pytest.FixtureRequest, tmp_path: Path, oxigraph: Engine | None, virtuoso: Engine | None
) -> Iterator[Store]:
    opened = _open(request.param, tmp_path, {"oxigraph": oxigraph, "virtuoso": virtuoso}, EX)
    yield opened
    opened.close()


@pytest.fixture(params=STORES)
def seeded(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    oxigraph: Engine | None,
    virtuoso: Engine | None,
    iris: IRIs,
    _authority_built: Built,
    _seed_built: Built,
) -> Iterator[Store]:
    """A store of each kind holding the authority and the built seed article."""
    opened = _open(request.param, tmp_path, {"oxigraph": oxigraph, "virtuoso": virtuoso}, iris.base)
    opened.replace_graphs({**_authority_built.graphs(), **_seed_built.graphs()})
    yield opened
    opened.close()


def test_replace_graphs_replaces_only_the_graphs_named(store: Store) -> None:
    store.replace_graphs({URIRef(EX + "a"): graph("a1", "a2"), URIRef(EX + "b"): graph("b1")})
    store.replace_graphs({URIRef(EX + "a"): graph("a3")})
    assert store.graph_names() == [EX + "a", EX + "b"]
    assert len(store) == 2
    rows = sorted(store.query(f"SELECT ?o WHERE {{ GRAPH <{EX}b> {{ ?s ?p ?o }} }}").rows())
    assert rows == [('"b1"',)]


def test_a_failed_write_changes_nothing(store: Store) -> None:
    store.replace_graphs({URIRef(EX + "a"): graph("a1")})
    before = snapshot(store)
    broken = graph("a2")
    broken.add((URIRef("http://example.org/not an iri"), URIRef(EX + "p"), Literal("x")))
    with pytest.raises(StoreError):
        store.replace_graphs({URIRef(EX + "a"): broken, URIRef(EX + "c"): graph("c1")})
    after = snapshot(store)
    assert before.keys() == after.keys()
    assert all(isomorphic(before[k], after[k]) for k in before)


def test_default_graph_is_the_union(store: Store) -> None:
    store.replace_graphs({URIRef(EX + "a"): graph("a1"), URIRef(EX + "b"): graph("b1")})
    rows = store.query(f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }}").rows()  # an engine may hold graphs of its own
    assert sorted(rows) == [('"a1"',), ('"b1"',)]


def test_malformed_query_is_a_query_error(store: Store) -> None:
    with pytest.raises(QueryError, match="malformed query"):
        store.query("SELEKT * WHERE { ?s ?p ?o }")


def test_the_store_is_held_by_one_process_at_a_time(tmp_path: Path) -> None:
    first = open_store(tmp_path / "store")
    with pytest.raises(StoreError, match="in use by another kg process"):
        open_store(tmp_path / "store")
    first.close()


@pytest.mark.parametrize("syntax", RDF_SYNTAXES, ids=lambda s: s.name)
def test_every_export_parses_back_to_the_same_data(seeded: Store, syntax: object) -> None:
    from kg.formats import RdfSyntax

    assert isinstance(syntax, RdfSyntax)
    data = seeded.export(syntax)
    names = seeded.graph_names()
    expected = snapshot(seeded)
    if syntax.datasets:
        dataset = Dataset()
        dataset.parse(data=data, format=syntax.rdflib)
        found = {str(g.identifier): g for g in dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)}
        assert sorted(found) == names
        for name in names:
            assert isomorphic(found[name], expected[name]), name
    else:
        parsed = Graph().parse(data=data, format=syntax.rdflib)
        union = Graph()
        for g in expected.values():
            union += g
        assert isomorphic(parsed, union)


def test_the_stored_graphs_are_the_built_graphs(seeded: Store, seed_built: Built, authority_built: Built) -> None:
    """No term changes on the way in (pyoxigraph rewrites some datatypes: kg avoids them)."""
    stored = snapshot(seeded)
    for built in (seed_built, authority_built):
        for name, graph in built.graphs().items():
            assert isomorphic(stored[str(name)], graph), name


def test_a_remote_location_names_its_endpoints_and_never_shows_a_password() -> None:
    from kg.store import shown
    from kg.store.remote import Endpoint

    location = "sparql+http://dba:s3cret@localhost:8890/sparql?update=http://localhost:8890/sparql-auth"
    endpoint = Endpoint.parse(location)
    assert (endpoint.query, endpoint.update) == ("http://localhost:8890/sparql", "http://localhost:8890/sparql-auth")
    assert (endpoint.user, endpoint.password) == ("dba", "s3cret")
    assert "s3cret" not in repr(endpoint) and "s3cret" not in shown(location)
    inside = Endpoint.parse("sparql+https://h/q?update=https://u:p%40ss@h/u")  # credentials on the update URL
    assert (inside.update, inside.user, inside.password) == ("https://h/u", "u", "p@ss")
    assert endpoint.queries_signed and not inside.queries_signed  # update credentials sign updates only
    assert "p%40ss" not in shown("sparql+https://h/q?update=https://u:p%40ss@h/u")
    with pytest.raises(StoreError):
        Endpoint.parse("http://h/q")
