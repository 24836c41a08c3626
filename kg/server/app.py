"""FastAPI application: the SPARQL 1.1 Protocol (query) over the store, and a health check."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from kg import __version__
from kg.errors import KGError, QueryError, StoreError
from kg.formats import RDF_SYNTAXES, RESULTS_SYNTAXES
from kg.namespaces import IRIs
from kg.server.conneg import negotiate
from kg.settings import Settings
from kg.store import Store, open_store

RESULTS_OFFERS = [s.media_type for s in RESULTS_SYNTAXES] + ["application/json"]
GRAPH_OFFERS = [s.media_type for s in RDF_SYNTAXES if not s.datasets or s.name == "jsonld"] + ["text/plain"]
ALIASES = {"application/json": "application/sparql-results+json", "text/plain": "application/n-triples"}
"""Offers served in another offer's syntax: JSON results for application/json, N-Triples
(plain text by definition) for text/plain; the response is labelled as the client asked."""

STATUS: tuple[tuple[type[KGError], int], ...] = ((QueryError, 400), (StoreError, 503), (KGError, 500))


class ProtocolError(Exception):
    """A request the SPARQL protocol refuses, with its HTTP status."""

    def __init__(self, status: int, error: str, message: str) -> None:
        self.status, self.error, self.message = status, error, message
        super().__init__(message)


def _error(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status)


def create_app(settings: Settings, store: Store | None = None) -> FastAPI:
    """The kg web application over ``store`` (opened from settings when not given)."""
    owned = store is None
    prefixes = IRIs(settings.base_iri).prefixes()
    the_store: Store = store if store is not None else open_store(settings.store, prefixes=prefixes)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            the_store.close()

    app = FastAPI(title="kg", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)

    @app.exception_handler(ProtocolError)
    async def protocol_error(_: Request, err: ProtocolError) -> JSONResponse:
        return _error(err.status, err.error, err.message)

    @app.exception_handler(KGError)
    async def kg_error(_: Request, err: KGError) -> JSONResponse:
        status = next(code for kind, code in STATUS if isinstance(err, kind))
        message = str(err) if status < 500 else "the server could not answer this request"
        return _error(status, type(err).__name__, message)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/")
    def home(request: Request) -> dict[str, object]:
        return {
            "name": "kg",
            "version": __version__,
            "sparql": str(request.url_for("sparql_get")),
            "graphs": the_store.graph_names(),
            "triples": len(the_store),
        }

    @app.get("/sparql")
    def sparql_get(request: Request) -> Response:
        params = {k: request.query_params.getlist(k) for k in request.query_params}
        if "query" not in params:
            return _service_description(str(request.url.replace(query="")))
        return _answer(the_store, params, request.headers.get("accept"))

    @app.post("/sparql")
    async def sparql_post(request: Request) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = _utf8(await request.body())
        params = {k: request.query_params.getlist(k) for k in request.query_params}
        if content_type == "application/sparql-query":
            params["query"] = [body]
        elif content_type == "application/x-www-form-urlencoded":
            params = parse_qs(body, keep_blank_values=True)
        else:
            raise ProtocolError(
                415,
                "UnsupportedMediaType",
                "POST a query as application/sparql-query or application/x-www-form-urlencoded",
            )
        # evaluation blocks: run it on a worker thread, never on the event loop
        return await run_in_threadpool(_answer, the_store, params, request.headers.get("accept"))

    return app


def _utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ProtocolError(400, "MalformedQuery", f"the request body is not UTF-8 (byte {err.start})") from None


def _one(params: dict[str, list[str]], name: str) -> str:
    values = params.get(name, [])
    if len(values) != 1:
        raise ProtocolError(400, "MalformedQuery", f"give exactly one {name} parameter")
    return values[0]


def _answer(store: Store, params: dict[str, list[str]], accept: str | None) -> Response:
    """Evaluate and serialise on the calling thread; pyoxigraph results must not cross threads."""
    query = _one(params, "query")
    default_graphs, named_graphs = params.get("default-graph-uri"), params.get("named-graph-uri")
    result = store.query(query, default_graphs, named_graphs)
    try:
        offers = GRAPH_OFFERS if result.kind == "graph" else RESULTS_OFFERS
        media = negotiate(accept, offers)
        if media is None:
            raise ProtocolError(406, "NotAcceptable", f"this result is offered as {', '.join(offers)}")
        served = ALIASES.get(media, media)
        if result.kind == "graph":
            rdf = next(s for s in RDF_SYNTAXES if s.media_type == served)
            return Response(result.serialize_graph(rdf), media_type=media)
        syntax = next(s for s in RESULTS_SYNTAXES if s.media_type == served)
        return Response(result.serialize_results(syntax), media_type=media)
    finally:
        del result  # freed here, on this thread, even when an error is raised


def _service_description(endpoint: str) -> Response:
    formats = "\n".join(
        f"    sd:resultFormat <http://www.w3.org/ns/formats/{name}> ;"
        for name in (
            "SPARQL_Results_JSON",
            "SPARQL_Results_XML",
            "SPARQL_Results_CSV",
            "SPARQL_Results_TSV",
            "Turtle",
            "N-Triples",
            "RDF_XML",
            "JSON-LD",
        )
    )
    body = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
[] a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
{formats}
    sd:feature sd:UnionDefaultGraph .
"""
    return Response(body, media_type="text/turtle")
