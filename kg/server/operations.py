"""What a worker does with a request: query, read or write a graph, describe the dataset.

Each operation takes the worker's store and plain arguments, and returns an Outcome (the
finished HTTP response). They run inside worker processes (kg/server/workers.py).
"""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg import pipeline
from kg.errors import QueryError, QueryRefusedError
from kg.formats import RDF_SYNTAXES, RESULTS_SYNTAXES, RdfSyntax
from kg.namespaces import IRIs
from kg.server import linked
from kg.server.conneg import negotiate
from kg.server.workers import Outcome, WorkerConfig, error_outcome
from kg.sparql import named_graphs, with_using
from kg.store import GraphName, Store

RESULTS_OFFERS = [s.media_type for s in RESULTS_SYNTAXES] + ["application/json"]
GRAPH_OFFERS = [s.media_type for s in RDF_SYNTAXES if not s.datasets or s.name == "jsonld"] + ["text/plain"]
ALIASES = {"application/json": "application/sparql-results+json", "text/plain": "application/n-triples"}
"""Offers served in another offer's syntax: JSON results for application/json, N-Triples
(plain text by definition) for text/plain; the response is labelled as the client asked."""


def not_acceptable(offers: list[str]) -> Outcome:
    return error_outcome(406, "NotAcceptable", f"this resource is offered as {', '.join(offers)}")


def rdf_for(accept: str | None) -> tuple[str, RdfSyntax] | None:
    """The negotiated media type and RDF syntax for one graph, or None (406)."""
    media = negotiate(accept, GRAPH_OFFERS)
    if media is None:
        return None
    served = ALIASES.get(media, media)
    return media, next(s for s in RDF_SYNTAXES if s.media_type == served)


def graph_response(graph: Graph, accept: str | None, head: bool = False) -> Outcome:
    chosen = rdf_for(accept)
    if chosen is None:
        return not_acceptable(GRAPH_OFFERS)
    media, syntax = chosen
    body = graph.serialize(format=syntax.rdflib, encoding="utf-8")
    return Outcome(200, media, b"" if head else body, {"Vary": "Accept"})


GRAPH_NAME_SCHEMES = ("http://", "https://", "urn:", "tag:")
"""Schemes a graph *name* may have. kg never dereferences a name: FROM <http://…> means the
graph of that name in this store (empty if there is none). A name with another scheme
(file:, ftp:, data:, jar:…) is refused outright, so nothing can mistake it for a place to
read from."""


def absolute_iri(name: str) -> str:
    """``name`` if it is an absolute IRI; QueryError otherwise (a graph name must be one)."""
    try:
        ox.NamedNode(name)
    except ValueError:
        raise QueryError(f"<{name}> is not an absolute IRI: graphs are named by absolute IRIs") from None
    if ":" not in name:
        raise QueryError(f"<{name}> is not an absolute IRI: graphs are named by absolute IRIs")
    return name


def _local(store: Store, graphs: list[str]) -> None:
    for name in graphs:
        absolute_iri(name)
        if not name.startswith(GRAPH_NAME_SCHEMES) and not store.has_graph(URIRef(name)):
            raise QueryRefusedError(
                "non_local_graph", f"<{name}> is not a graph name of this store: kg never reads files or fetches graphs"
            )


def query(
    store: Store,
    config: WorkerConfig,
    query: str,
    accept: str | None,
    default_graphs: list[str] | None = None,
    named: list[str] | None = None,
    base_iri: str | None = None,
) -> Outcome:
    _local(store, [*named_graphs(query), *(default_graphs or []), *(named or [])])
    result = store.query(query, default_graphs, named, base_iri)
    try:
        offers = GRAPH_OFFERS if result.kind == "graph" else RESULTS_OFFERS
        media = negotiate(accept, offers)
        if media is None:
            return not_acceptable(offers)
        served = ALIASES.get(media, media)
        if result.kind == "graph":
            rdf = next(s for s in RDF_SYNTAXES if s.media_type == served)
            body = result.serialize_graph(rdf, config.max_result_bytes)
        else:
            syntax = next(s for s in RESULTS_SYNTAXES if s.media_type == served)
            body = result.serialize_results(syntax, config.max_result_bytes)
        return Outcome(200, media, body, {"Vary": "Accept"})
    finally:
        del result  # pyoxigraph results are freed on the thread that made them


def _name(graph: str | None) -> GraphName:
    return None if graph is None else URIRef(absolute_iri(graph))


def gsp_get(store: Store, config: WorkerConfig, graph: str | None, accept: str | None, head: bool) -> Outcome:
    name = _name(graph)
    if not store.has_graph(name):
        return error_outcome(404, "NotFound", f"no graph <{graph}> in this store")
    return graph_response(store.graph(name), accept, head)


def _check(store: Store, config: WorkerConfig) -> Any:
    return pipeline.write_check(store, IRIs(config.base_iri), datetime.now(UTC))


def update(
    store: Store,
    config: WorkerConfig,
    update: str,
    using: list[str],
    using_named: list[str],
    base_iri: str | None = None,
) -> Outcome:
    _local(store, [*named_graphs(update), *using, *using_named])
    store.update(with_using(update, using, using_named), check=_check(store, config), base_iri=base_iri)
    return Outcome(204)


def gsp_write(
    store: Store, config: WorkerConfig, method: str, graph: str | None, data: str | None, create: bool = False
) -> Outcome:
    """PUT replaces, POST merges, DELETE drops a graph (None: the default graph); POST with
    ``create`` makes a new graph and says where (201 and Location)."""
    headers: dict[str, str] = {}
    if create:
        graph = f"{IRIs(config.base_iri).base}graph/user/{uuid.uuid4()}"
        headers["Location"] = graph
        method = "PUT"
    name = _name(graph)
    existed = store.has_graph(name)
    check = _check(store, config)
    if method == "DELETE":
        if not existed:
            return error_outcome(404, "NotFound", f"no graph <{graph}> in this store")
        store.write({name: None if name is not None else Graph()}, check)
        return Outcome(204)
    incoming = Graph().parse(data=data or "", format="nt")
    if method == "POST" and existed:
        incoming += store.graph(name)
    store.write({name: incoming}, check)
    created = name is not None and not existed
    return Outcome(201 if created else 204, headers=headers)


def ingest_article(store: Store, config: WorkerConfig, annotation: bytes, text: bytes) -> Outcome:
    """One article sent whole (its annotation and its text), built against the authority file of
    the articles root and stored as ``kg ingest`` stores it: in one transaction, and not at all if
    its input digest is stored already. 201 stored, 200 unchanged, 400 bad input, 422 refused."""
    from kg.annotation import ANNOTATION_FILE, authority_path
    from kg.ingest import Event, ingest

    events: list[Event] = []
    with tempfile.TemporaryDirectory(prefix="kg-article-") as tmp:
        folder = Path(tmp) / "article"
        folder.mkdir()
        (folder / ANNOTATION_FILE).write_bytes(annotation)
        name = _text_name(annotation)
        if name is not None:
            (folder / name).write_bytes(text)
        iris, authority = IRIs(config.base_iri), authority_path(Path(config.articles))
        ingest([folder], store, iris, datetime.now(UTC), authority, workers=1, on_event=events.append)
        event = events[0]
        detail = event.detail.replace(f"{folder}/", "").replace(str(folder), "the article")
    if event.kind == "refused":
        if event.cause == "shapes":
            return error_outcome(422, "NotConforming", detail, refusal="not_conforming")
        return error_outcome(400, "BadArticle", detail)
    body = json.dumps({"article": event.name, "result": event.kind, "page": f"/page/article/{event.name}"})
    return Outcome(201 if event.kind == "stored" else 200, "application/json", body.encode())


def _text_name(annotation: bytes) -> str | None:
    """The text file an annotation names (``article.text``), if it names a plain file name."""
    import yaml

    from kg.annotation import is_text_file_name

    try:
        data = yaml.safe_load(annotation)
        name = data["article"]["text"]
    except (yaml.YAMLError, TypeError, KeyError, UnicodeDecodeError):
        return None  # the loader says what is wrong, with the line
    return name if isinstance(name, str) and is_text_file_name(name) else None


def void(store: Store, config: WorkerConfig, base_url: str, sparql_endpoint: str, accept: str | None) -> Outcome:
    from kg.server.describe import void_description

    return graph_response(void_description(store, IRIs(config.base_iri), base_url, sparql_endpoint), accept)


def noop(store: Store, config: WorkerConfig) -> Outcome:
    return Outcome(204)


OPERATIONS: dict[str, Callable[..., Outcome]] = {
    "query": query,
    "gsp_get": gsp_get,
    "update": update,
    "gsp_write": gsp_write,
    "ingest_article": ingest_article,
    "void": void,
    "noop": noop,
    **linked.OPERATIONS,  # dereferenceable IRIs, pages, downloads (kg/server/linked.py)
}


def run(op: str, store: Store, config: WorkerConfig, args: dict[str, Any]) -> Outcome:
    return OPERATIONS[op](store, config, **args)
