"""Linked data: every IRI kg mints dereferences, to RDF for programs and HTML for people.

Resources (``{base}id/…``: entities, positions, articles, events, statements, quantities,
times, tenures, participations, mentions) follow the 303 pattern. ``GET /id/{path}`` answers
``303 See Other`` to ``/page/{path}`` when the client prefers HTML and to ``/data/{path}``
otherwise (``Vary: Accept``); ``/data/{path}`` is the resource's description, negotiated
(Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads) or fixed by a suffix (``.ttl``, ``.nt``,
``.jsonld``, ``.rdf``, ``.trig``, ``.nq``). The description is the concise bounded description:
outgoing triples, the blank nodes they reach, and incoming triples; in TriG and N-Quads each
triple stays in its graph, so inferred triples (``…/inferred`` graphs) are told from asserted
ones. Documents rather than things need no 303: graph names (``{base}graph/…``) answer the
graph's content (or, for a browser, a page about it) and the ontology (``/ontology``, its terms
``/ontology#Term``) answers the ontology. An IRI that names nothing gets 404: an HTML page for
browsers, JSON otherwise.

:func:`install` adds the routes to the app; the worker operations (:data:`OPERATIONS`) do the
work where the store is. This module never imports :mod:`kg.server.operations`, which imports it.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any
from urllib.parse import parse_qs, quote

import pyoxigraph as ox
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from rdflib import URIRef
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from kg.errors import ResultTooLargeError
from kg.formats import RDF_SYNTAXES, RdfSyntax
from kg.namespaces import ONTOLOGY_IRI, IRIs
from kg.resources import ontology, ontology_path
from kg.server import pages
from kg.server.conneg import negotiate
from kg.server.workers import Outcome, WorkerConfig, error_outcome
from kg.store import Store

HTML_TYPES = ("text/html", "application/xhtml+xml")
HTML = "text/html; charset=utf-8"
SUFFIXES: dict[str, RdfSyntax] = {s.suffix: s for s in RDF_SYNTAXES}
"""``ttl``, ``trig``, ``nq``, ``nt``, ``jsonld``, ``rdf``: the suffixes a data document may take."""
DATA_OFFERS = [
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/trig",
    "application/n-quads",
    "text/plain",
    "application/json",
]
"""What a description is offered as, the first for clients that accept anything."""
SERVED_AS = {"text/plain": "application/n-triples", "application/json": "application/ld+json"}
GRAPH_OFFERS = [m for m in DATA_OFFERS if m not in ("application/trig", "application/n-quads")]
ONTOLOGY_OFFERS = ["text/turtle", "application/rdf+xml", "application/n-triples", "application/ld+json"]
DOWNLOADS = ("ttl", "trig", "nq", "nt", "jsonld", "rdf")

PATH = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@%/\-]+")
"""The paths looked up: IRI characters only, nothing that could break out of ``<…>`` in SPARQL."""

Read = Callable[..., Awaitable[Response]]
EDITOR_PATH = "/static/yasgui"
"""Where the SPARQL editor's files are mounted when it is installed."""


def prefers_html(accept: str | None) -> bool:
    """True when the client ranks HTML above every RDF syntax (a browser); no Accept or ``*/*`` is a program."""
    return negotiate(accept, [*DATA_OFFERS, *HTML_TYPES]) in HTML_TYPES


def split_suffix(path: str, allowed: dict[str, RdfSyntax] = SUFFIXES) -> tuple[str, RdfSyntax | None]:
    """``entity/x.ttl`` → (``entity/x``, Turtle); a path without a known suffix is kept whole."""
    stem, dot, suffix = path.rpartition(".")
    if dot and suffix in allowed and stem and not stem.endswith("/"):
        return stem, allowed[suffix]
    return path, None


def _syntax_for(media: str) -> RdfSyntax:
    served = SERVED_AS.get(media, media)
    return next(s for s in RDF_SYNTAXES if s.media_type == served)


def serialize(quads: list[ox.Quad], syntax: RdfSyntax, prefixes: dict[str, str]) -> bytes:
    """Quads in ``syntax``: merged into one graph unless the syntax keeps graphs (TriG, N-Quads)."""
    keeps_graphs = syntax.name in ("trig", "nquads")
    if keeps_graphs:
        items: list[Any] = quads
    else:
        items = list(dict.fromkeys(q.triple for q in quads))
    used: dict[str, str] = {}
    if syntax.name in ("turtle", "trig", "rdfxml"):
        iris = {
            t.value
            for q in quads
            for t in (q.subject, q.predicate, q.object, q.graph_name)
            if isinstance(t, ox.NamedNode)
        }
        iris |= {q.object.datatype.value for q in quads if isinstance(q.object, ox.Literal)}
        spaces = {i[: max(i.rfind("#"), i.rfind("/")) + 1] for i in iris}
        used = {p: ns for p, ns in prefixes.items() if ns in spaces}
    out = ox.serialize(items, format=syntax.oxigraph, prefixes=used or None)
    assert out is not None
    return out


# --- responses for clients that are not browsers, and for browsers ------------------------------


def not_found(accept: str | None, iri: str | None, what: str = "resource") -> Outcome:
    """404 as a page for browsers, JSON otherwise."""
    message = f"no {what} <{iri}> in this dataset" if iri else f"no such {what} in this dataset"
    if prefers_html(accept):
        body = pages.error_page(404, "Not found", message, iri)
        return Outcome(404, HTML, body, {"Vary": "Accept"})
    outcome = error_outcome(404, "NotFound", message)
    outcome.headers["Vary"] = "Accept"
    return outcome


def _links(path: str) -> str:
    """``Link`` header of a description: its page and its documents in each syntax."""
    links = [f'</page/{path}>; rel="alternate"; type="text/html"']
    links += [f'</data/{path}.{s}>; rel="alternate"; type="{m}"' for s, m, _ in pages.RDF_FORMATS]
    return ", ".join(links)


def _iri(config: WorkerConfig, path: str) -> str:
    return f"{IRIs(config.base_iri).base}id/{path}"


# --- worker operations --------------------------------------------------------------------------


class PageCache:
    """The pages and data documents a server process made from one open store, most recently used
    last, up to ``size`` of them and ``max_bytes`` in all. A process reopens its store (a new
    object) after every write, which empties the cache."""

    def __init__(self, size: int = 256, max_bytes: int = 64 << 20) -> None:
        self.size, self.max_bytes = size, max_bytes
        self.store: object | None = None
        self.pages: OrderedDict[str, bytes] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()

    def get(self, store: object, key: str) -> bytes | None:
        with self.lock:
            if store is not self.store:
                return None
            body = self.pages.get(key)
            if body is not None:
                self.pages.move_to_end(key)
            return body

    def put(self, store: object, key: str, body: bytes) -> None:
        with self.lock:
            if store is not self.store:
                self.store, self.pages, self.bytes = store, OrderedDict(), 0
            old = self.pages.pop(key, None)
            self.bytes += len(body) - (len(old) if old is not None else 0)
            self.pages[key] = body
            while len(self.pages) > self.size or (self.bytes > self.max_bytes and len(self.pages) > 1):
                self.bytes -= len(self.pages.popitem(last=False)[1])

    def full(self) -> bool:
        """Whether one more page would push another out."""
        with self.lock:
            return len(self.pages) >= self.size or self.bytes >= self.max_bytes * 0.9


PAGES = PageCache(4096)

RENDERING = threading.Lock()
"""Held while a page or document is made: the node cache of kg/server/pages.py is one per
process, and a page must not see another thread's half-loaded or cleared entries. (Python runs
one thread at a time anyway; served pages come from :data:`PAGES` without it.)"""


def see_other(store: Store, config: WorkerConfig, path: str, accept: str | None) -> Outcome:
    """``/id/{path}``: 303 to the page or to the data, or 404."""
    iri = _iri(config, path)
    if not pages.exists(store, iri):
        return not_found(accept, iri)
    target = f"/page/{path}" if prefers_html(accept) else f"/data/{path}"
    headers = {
        "Location": quote(target, safe="/:@!$&'()*+,;=-._~%"),
        "Vary": "Accept",
        "Link": f'</data/{path}>; rel="describedby"',
    }
    return Outcome(303, "text/plain; charset=utf-8", f"See Other: {target}\n".encode(), headers)


def data(store: Store, config: WorkerConfig, path: str, accept: str | None, suffix: str | None = None) -> Outcome:
    """``/data/{path}[.suffix]``: the description of ``{base}id/{path}`` in RDF."""
    iri = _iri(config, path)
    headers = {"Link": _links(path) + f', <{iri}>; rel="about"'}
    if suffix is not None:
        syntax, media = SUFFIXES[suffix], SUFFIXES[suffix].media_type
    else:
        chosen = negotiate(accept, DATA_OFFERS)
        headers["Vary"] = "Accept"
        if chosen is None:
            outcome = error_outcome(406, "NotAcceptable", f"this resource is offered as {', '.join(DATA_OFFERS)}")
            outcome.headers.update(headers)
            return outcome
        syntax, media = _syntax_for(chosen), chosen
        headers["Content-Location"] = f"/data/{path}.{syntax.suffix}"
    key = f"data {syntax.suffix} {path}"
    body = PAGES.get(store, key)
    if body is None:
        with RENDERING:
            desc = pages.describe(store, IRIs(config.base_iri), iri)
        if not desc:
            return not_found(accept, iri)
        body = serialize(desc.quads(), syntax, config.prefixes)
        PAGES.put(store, key, body)
    return Outcome(200, media, body, headers)


def page(store: Store, config: WorkerConfig, path: str) -> Outcome:
    """``/page/{path}``: the HTML page of ``{base}id/{path}`` (rendered once per store generation)."""
    iris = IRIs(config.base_iri)
    iri = _iri(config, path)
    headers = {"Link": f'</data/{path}>; rel="alternate"; type="text/turtle", <{iri}>; rel="about"'}
    body = PAGES.get(store, path)
    if body is None:
        with RENDERING:
            desc = pages.describe(store, iris, iri)
            if not desc:
                return not_found("text/html", iri)
            body = pages.resource_page(store, iris, desc, path)
        PAGES.put(store, path, body)
    return Outcome(200, HTML, body, headers)


def graph(store: Store, config: WorkerConfig, path: str, accept: str | None, suffix: str | None = None) -> Outcome:
    """``/graph/{path}``: a named graph's content in RDF, or a page about it for browsers."""
    iris = IRIs(config.base_iri)
    name = f"{iris.base}graph/{path}"
    if not pages.SAFE_IRI.fullmatch(name) or not store.has_graph(URIRef(name)):
        return not_found(accept, name, "graph")
    headers = {"Link": f'<{name}>; rel="about"'}
    if suffix is None and prefers_html(accept):
        rows = pages.select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {pages.ref(name)} {{ ?s ?p ?o }} }}")
        triples = pages.number(rows[0].get("n")) if rows else 0
        with RENDERING:
            body = pages.graph_page(store, iris, pages.describe(store, iris, name), name, triples or 0)
        headers["Vary"] = "Accept"
        return Outcome(200, HTML, body, headers)
    if suffix is not None:
        syntax, media = SUFFIXES[suffix], SUFFIXES[suffix].media_type
    else:
        chosen = negotiate(accept, [*GRAPH_OFFERS, *HTML_TYPES])
        headers["Vary"] = "Accept"
        if chosen is None or chosen in HTML_TYPES:
            return error_outcome(406, "NotAcceptable", f"this graph is offered as {', '.join(GRAPH_OFFERS)}")
        syntax, media = _syntax_for(chosen), chosen
    body = store.export(syntax, [name])
    if len(body) > config.max_result_bytes:
        raise ResultTooLargeError(f"the graph is larger than {config.max_result_bytes} bytes (KG_MAX_RESULT_BYTES)")
    return Outcome(200, media, body, headers)


def home(store: Store, config: WorkerConfig, base_url: str, update: bool) -> Outcome:
    """``/`` for browsers: what the dataset is, its figures and articles, where to go next."""
    key = f"home {update} {base_url}"
    body = PAGES.get(store, key)
    if body is None:
        with RENDERING:
            body = pages.home_page(store, IRIs(config.base_iri), base_url, update)
        PAGES.put(store, key, body)
    return Outcome(200, HTML, body, {"Vary": "Accept"})


def warm(store: Store, config: WorkerConfig, limit: int, current: Callable[[], object]) -> int:
    """Render the pages of up to ``limit`` resources of this store into the page cache, articles
    first, while ``current()`` is still this store; the number rendered.

    A page costs milliseconds to make and microseconds to serve from the cache: a server process
    makes them in the background after it opens a view, so that readers rarely wait for one.
    """
    if limit <= 0:
        return 0
    done = 0
    for path in pages.page_paths(store, IRIs(config.base_iri), limit):
        if current() is not store or PAGES.full():
            break  # a write made this view old (its pages are of no use), or there is no room
        page(store, config, path)
        done += 1
    return done


def download(store: Store, config: WorkerConfig, suffix: str) -> Outcome:
    """``/download/kg.{suffix}``: the whole dataset, every graph (named in TriG, N-Quads, JSON-LD)."""
    syntax = SUFFIXES[suffix]
    body = store.export(syntax)
    if len(body) > config.max_result_bytes:
        raise ResultTooLargeError(f"the dataset is larger than {config.max_result_bytes} bytes (KG_MAX_RESULT_BYTES)")
    headers = {"Content-Disposition": f'attachment; filename="kg.{suffix}"'}
    return Outcome(200, syntax.media_type, body, headers)


OPERATIONS: dict[str, Callable[..., Outcome]] = {
    "linked_see_other": see_other,
    "linked_data": data,
    "linked_page": page,
    "linked_graph": graph,
    "linked_home": home,
    "linked_download": download,
}
"""Worker operations of this module, by name (kg/server/operations.py registers them)."""


# --- the ontology (no store needed) ---------------------------------------------------------------


@cache
def ontology_document(suffix: str) -> bytes:
    """The ontology in a syntax: its Turtle file as written (comments kept), others from rdflib."""
    if suffix == "ttl":
        return ontology_path().read_bytes()
    syntax = SUFFIXES[suffix]
    return ontology().serialize(format=syntax.rdflib, encoding="utf-8")


def ontology_response(accept: str | None, suffix: str | None) -> Response:
    headers = {"Link": f'<{ONTOLOGY_IRI}>; rel="about"'}
    if suffix is None:
        headers["Vary"] = "Accept"
        chosen = negotiate(accept, [*ONTOLOGY_OFFERS, *HTML_TYPES])
        if chosen is None:
            message = f"the ontology is offered as {', '.join([*ONTOLOGY_OFFERS, 'text/html'])}"
            return JSONResponse({"error": "NotAcceptable", "message": message}, 406, headers=headers)
        if chosen in HTML_TYPES:
            headers["Link"] += ", " + ", ".join(
                f'</ontology.{s}>; rel="alternate"; type="{m}"'
                for s, m in (("ttl", "text/turtle"), ("rdf", "application/rdf+xml"))
            )
            return Response(pages.ontology_page(), 200, headers, HTML)
        syntax = _syntax_for(chosen)
        headers["Content-Location"] = f"/ontology.{syntax.suffix}"
        suffix = syntax.suffix
        media = chosen
    else:
        media = SUFFIXES[suffix].media_type
    return Response(ontology_document(suffix), 200, headers, media)


# --- the result format of the query form ----------------------------------------------------------

FORMAT_ACCEPT = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "text": "text/plain",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
"""``format=`` of a GET ``/sparql`` (the query page's select) as the Accept it stands for."""


class FormatParameter:
    """Pure ASGI middleware: ``GET /sparql?format=csv`` is answered as if it had sent
    ``Accept: text/csv``, so that a plain HTML form can choose the result format. Any other
    request, and an unknown or empty ``format``, passes untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/sparql" and scope["method"] in ("GET", "HEAD"):
            chosen = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("format", [""])[-1]
            if chosen in FORMAT_ACCEPT:
                headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept"]
                headers.append((b"accept", FORMAT_ACCEPT[chosen].encode("latin-1")))
                scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


# --- the routes -----------------------------------------------------------------------------------


def _html(body: bytes, status: int = 200) -> Response:
    return Response(body, status, media_type=HTML)


def install(app: FastAPI, read: Read) -> None:
    """Add the linked-data routes, the pages, the downloads and ``/static`` to ``app``.

    ``read(op, **kwargs)`` runs a worker operation on a reader and returns its response. The
    JSON home (``GET /`` for programs) is kept: browsers get the HTML home instead.
    """
    app.add_middleware(FormatParameter)
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")
    json_home: Callable[[Request], Any] | None = None
    for route in list(app.router.routes):
        if isinstance(route, APIRoute) and route.path == "/" and "GET" in (route.methods or ()):
            json_home = route.endpoint
            app.router.routes.remove(route)

    def accept_of(request: Request) -> str | None:
        return request.headers.get("accept")

    def bad_path(request: Request, what: str = "resource") -> Response:
        message = f"no such {what} in this dataset"
        if prefers_html(accept_of(request)):
            return _html(pages.error_page(404, "Not found", message, None), 404)
        return JSONResponse({"error": "NotFound", "message": message}, 404, headers={"Vary": "Accept"})

    @app.get("/", response_model=None)
    async def home_route(request: Request) -> Response:
        if prefers_html(accept_of(request)) or json_home is None:
            base_url = str(request.url.replace(path="/", query="", fragment=""))
            update = False
            if json_home is not None:
                update = bool(json_home(request).get("update"))
            return await read("linked_home", base_url=base_url, update=update)
        return JSONResponse(json_home(request), headers={"Vary": "Accept"})

    @app.api_route("/id/{path:path}", methods=["GET", "HEAD"])
    async def dereference(request: Request, path: str) -> Response:
        if not PATH.fullmatch(path):
            return bad_path(request)
        return await read("linked_see_other", path=path, accept=accept_of(request))

    @app.api_route("/page/{path:path}", methods=["GET", "HEAD"])
    async def page_route(request: Request, path: str) -> Response:
        if not PATH.fullmatch(path):
            return _html(pages.error_page(404, "Not found", "no such resource in this dataset"), 404)
        return await read("linked_page", path=path)

    @app.api_route("/data/{path:path}", methods=["GET", "HEAD"])
    async def data_route(request: Request, path: str) -> Response:
        if not PATH.fullmatch(path):
            return bad_path(request)
        stem, syntax = split_suffix(path)
        suffix = syntax.suffix if syntax else None
        return await read("linked_data", path=stem, accept=accept_of(request), suffix=suffix)

    @app.api_route("/graph/{path:path}", methods=["GET", "HEAD"])
    async def graph_route(request: Request, path: str) -> Response:
        if not PATH.fullmatch(path):
            return bad_path(request, "graph")
        stem, syntax = split_suffix(path, {k: v for k, v in SUFFIXES.items() if k not in ("trig", "nq")})
        return await read(
            "linked_graph",
            path=stem,
            accept=accept_of(request),
            suffix=syntax.suffix if syntax else None,
        )

    @app.api_route("/ontology", methods=["GET", "HEAD"])
    def ontology_route(request: Request) -> Response:
        return ontology_response(accept_of(request), None)

    @app.api_route("/ontology.{suffix}", methods=["GET", "HEAD"])
    def ontology_file(request: Request, suffix: str) -> Response:
        if suffix not in ("ttl", "rdf", "nt", "jsonld"):
            return bad_path(request, "ontology document")
        return ontology_response(accept_of(request), suffix)

    @app.api_route("/ontology/{version}", methods=["GET", "HEAD"])
    def ontology_version(request: Request, version: str) -> Response:
        if version != pages.ontology_info().version:
            return bad_path(request, "ontology version")
        return ontology_response(accept_of(request), None)

    def editor_installed() -> bool:
        """Whether the SPARQL editor (YASGUI) is served at /static/yasgui (kg/server/editor.py)."""
        return any(getattr(route, "path", None) == EDITOR_PATH for route in app.router.routes)

    @app.api_route("/query", methods=["GET", "HEAD"])
    def query_route(request: Request) -> Response:
        return _html(pages.query_page(editor_installed()))

    @app.api_route("/download/kg.{suffix}", methods=["GET", "HEAD"])
    async def download_route(request: Request, suffix: str) -> Response:
        if suffix not in DOWNLOADS:
            return bad_path(request, "download")
        return await read("linked_download", suffix=suffix)
