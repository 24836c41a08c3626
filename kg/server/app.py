"""The HTTP edge: SPARQL 1.1 Protocol (query, update), Graph Store Protocol, Service
Description, VoID, health and metrics. One instance runs in each server process
(kg/server/supervisor.py): reads in its threads, writes through the writer process
(kg/server/workers.py).

Routes: ``/sparql`` (GET, POST), ``/update`` (POST), ``/gsp`` (GET, HEAD, PUT, POST,
DELETE with ``?graph=`` or ``?default``), ``/.well-known/void``, ``/healthz``, ``/metrics``.
Every error is JSON ``{"error", "message"}`` with the protocol's status.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import AsyncIterator, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from email import policy as email_policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg import __version__
from kg.errors import KGError, QueryTimeoutError
from kg.formats import RDF_SYNTAXES
from kg.server.describe import service_description
from kg.server.editor import mount_editor
from kg.server.linked import install, warm
from kg.server.metrics import Metrics
from kg.server.operations import absolute_iri, graph_response
from kg.server.workers import BusyError, Outcome, Readers, Shared, WriterClient, outcome_of, worker_config
from kg.settings import Settings
from kg.sparql import refusal
from kg.store import Store

WRITES = frozenset({"update", "gsp_write", "ingest_article"})
"""Operations the writer process runs; every other one is a read."""

UPLOAD_TYPES = {s.media_type: s for s in RDF_SYNTAXES if not s.datasets or s.name == "jsonld"}


class ProtocolError(Exception):
    """A request the protocol refuses before any worker sees it."""

    def __init__(self, status: int, error: str, message: str, refusal: str | None = None, **headers: str) -> None:
        self.status, self.error, self.message, self.refusal = status, error, message, refusal
        self.headers = {k.replace("_", "-"): v for k, v in headers.items()}
        super().__init__(message)


class JSONCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight in kg's JSON error shape."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code >= 400:
            message = bytes(response.body).decode("utf-8", "replace")
            headers = {k: v for k, v in response.headers.items() if k.lower() not in {"content-length", "content-type"}}
            return _json_error(response.status_code, "CORSRefused", message, headers)
        return response


class Measure:
    """Pure ASGI middleware: one request counter and latency observation per request, labelled
    by the route template Starlette matched (``scope["route"]``), never by the raw path. The
    latency is the time to the response's start (its status and headers)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, observed = time.perf_counter(), False

        def observe(status: int) -> None:
            nonlocal observed
            if not observed:  # before the response leaves: a client's next request sees it counted
                observed = True
                route = getattr(scope.get("route"), "path", "unmatched")
                self.metrics.observe(scope["method"], route, status, time.perf_counter() - start)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                observe(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            observe(500)


def _json_error(status: int, error: str, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "message": message}, status_code=status, headers=headers)


def _respond(outcome: Outcome) -> Response:
    return Response(outcome.body, status_code=outcome.status, media_type=outcome.media_type, headers=outcome.headers)


def create_app(
    settings: Settings,
    shared: Shared,
    retire: Callable[[], None],
    ready: Callable[[], None] = lambda: None,
    slot: int = 0,
) -> FastAPI:
    """The kg web application over the store named in ``settings``, for one server process.

    ``retire`` is called when a read overruns its time (the process must stop taking requests
    and exit); ``ready`` once the store is open and requests can be answered.
    """
    config = worker_config(settings)
    warming = ThreadPoolExecutor(1, thread_name_prefix="kg-warm")

    def opened(store: Store) -> None:  # pages made ahead, off the request path (kg/server/linked.py)
        def work() -> None:
            made = warm(store, config, settings.warm_pages, lambda: readers.store)
            metrics.add_gauge("kg_pages_made_ahead", made, "pages server processes made ahead since the start")

        warming.submit(work)

    cap = settings.max_concurrent_queries
    readers = Readers(config, shared.generation, shared.in_flight, slot, cap, retire, opened)
    writer = WriterClient(shared.writer) if shared.writer is not None and settings.update_token else None
    metrics = shared.metrics
    token = settings.update_token.get_secret_value().encode() if settings.update_token else None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await readers.start()
        ready()
        try:
            yield
        finally:
            readers.stop()
            warming.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(title="kg", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    app.add_middleware(
        JSONCORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
        allow_headers=["Accept", "Authorization", "Content-Type"],
        expose_headers=["Location", "Retry-After"],
    )

    app.add_middleware(Measure, metrics=metrics)

    @app.exception_handler(ProtocolError)
    async def protocol_error(_: Request, err: ProtocolError) -> JSONResponse:
        if err.refusal:
            metrics.refused(err.refusal)
        return _json_error(err.status, err.error, err.message, err.headers)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, err: StarletteHTTPException) -> JSONResponse:
        names = {404: "NotFound", 405: "MethodNotAllowed"}
        return _json_error(err.status_code, names.get(err.status_code, "HTTPError"), str(err.detail), err.headers)

    @app.exception_handler(KGError)
    async def kg_error(_: Request, err: KGError) -> Response:
        return _respond(outcome_of(err))

    async def dispatch(op: str, **args: Any) -> Response:
        try:
            if op in WRITES:
                assert writer is not None
                outcome = await writer.call(op, args, settings.update_timeout)
            else:
                outcome = await readers.call(op, args, settings.query_timeout)
        except BusyError:
            raise ProtocolError(
                429, "TooManyRequests", "too many queries at once; retry shortly", "busy", Retry_After="1"
            ) from None
        except KGError as err:
            outcome = outcome_of(err)
            if outcome.status == 503:
                outcome.headers["Retry-After"] = "1"
            if isinstance(err, QueryTimeoutError):
                metrics.timeout()
                if op not in WRITES:  # this process now retires: the client must not reuse the connection
                    outcome.headers["Connection"] = "close"
        if outcome.refusal:
            metrics.refused(outcome.refusal)
        return _respond(outcome)

    async def body_of(request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > settings.max_body_bytes:
            raise _too_large("request body", settings.max_body_bytes)
        body = b""
        try:
            async for chunk in request.stream():
                body += chunk
                if len(body) > settings.max_body_bytes:
                    raise _too_large("request body", settings.max_body_bytes)
        except ClientDisconnect:
            raise ProtocolError(400, "BadRequest", "the client went away before sending its body") from None
        return body

    def checked(text: str) -> str:
        if len(text.encode("utf-8")) > settings.max_query_bytes:
            raise _too_large("query", settings.max_query_bytes)
        refused = refusal(text)
        if refused is not None:
            raise ProtocolError(403, "Refused", refused[1], refused[0])
        return text

    def authorised(request: Request) -> None:
        if token is None:
            raise ProtocolError(403, "UpdatesDisabled", "updates are disabled: set KG_UPDATE_TOKEN", "forbidden")
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given:
            raise ProtocolError(
                401, "Unauthorized", "send Authorization: Bearer <token>", "unauthorized", WWW_Authenticate="Bearer"
            )
        if not hmac.compare_digest(given.strip().encode(), token):
            raise ProtocolError(403, "Forbidden", "the token is not valid", "forbidden")

    def endpoint(request: Request, path: str) -> str:
        return str(request.url.replace(path=path, query="", fragment=""))

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/metrics")
    def prometheus() -> Response:
        metrics.set_gauge("kg_queries_in_flight", shared.reads(), "reads running, in every server process")
        return Response(metrics.render(), media_type="text/plain; version=0.0.4")

    @app.get("/")
    def home(request: Request) -> dict[str, object]:
        return {
            "name": "kg",
            "version": __version__,
            "sparql": endpoint(request, "/sparql"),
            "update": endpoint(request, "/update") if writer else None,
            "graph_store": endpoint(request, "/gsp"),
            "void": endpoint(request, "/.well-known/void"),
        }

    @app.get("/sparql")
    async def sparql_get(request: Request) -> Response:
        params = _params(request)
        if "query" not in params:
            description = service_description(
                endpoint(request, "/sparql"),
                endpoint(request, "/update") if writer else None,
                endpoint(request, "/.well-known/void"),
                endpoint(request, "/gsp"),
            )
            return _respond(graph_response(description, request.headers.get("accept")))
        return await run_query(request, params)

    @app.post("/sparql")
    async def sparql_post(request: Request) -> Response:
        return await run_query(request, await posted(request, "query", "a query"))

    async def posted(request: Request, name: str, what: str) -> dict[str, list[str]]:
        """The protocol's parameters of a POST: the URL's, and the body's, either the ``name``
        text itself (``application/sparql-{name}``) or a form."""
        kind = _content_type(request)
        body = _utf8(await body_of(request))
        params = _params(request)
        if kind == f"application/sparql-{name}":
            params[name] = [*params.get(name, []), body]
        elif kind == "application/x-www-form-urlencoded":
            for key, values in parse_qs(body, keep_blank_values=True).items():
                params[key] = [*params.get(key, []), *values]
        else:
            raise ProtocolError(
                415, "UnsupportedMediaType", f"POST {what} as application/sparql-{name} or a form", "media_type"
            )
        return params

    async def run_query(request: Request, params: dict[str, list[str]]) -> Response:
        if "update" in params:
            raise ProtocolError(400, "MalformedQuery", "an update goes to /update, not /sparql")
        text = checked(_one(params, "query"))
        return await dispatch(
            "query",
            query=text,
            accept=request.headers.get("accept"),
            default_graphs=params.get("default-graph-uri"),
            named=params.get("named-graph-uri"),
            base_iri=endpoint(request, request.url.path),
        )

    @app.post("/update")
    async def sparql_update(request: Request) -> Response:
        authorised(request)
        params = await posted(request, "update", "an update")
        if "query" in params:
            raise ProtocolError(400, "MalformedQuery", "a query goes to /sparql, not /update")
        text = checked(_one(params, "update"))
        return await dispatch(
            "update",
            update=text,
            using=params.get("using-graph-uri", []),
            using_named=params.get("using-named-graph-uri", []),
            base_iri=endpoint(request, request.url.path),
        )

    def target(request: Request) -> tuple[str | None, bool]:
        """The graph a Graph Store request names: (IRI or None for default, create-new)."""
        params = _params(request)
        graphs, default = params.get("graph", []), "default" in params
        if len(graphs) > 1 or (graphs and default):
            raise ProtocolError(400, "BadRequest", "name one graph: ?graph=IRI or ?default")
        if graphs:
            return absolute_iri(graphs[0]), False
        if default:
            return None, False
        if request.method == "POST":
            return None, True
        raise ProtocolError(400, "BadRequest", "name a graph: ?graph=IRI or ?default")

    @app.api_route("/gsp", methods=["GET", "HEAD"])
    async def gsp_read(request: Request) -> Response:
        graph, _ = target(request)
        return await dispatch(
            "gsp_get", graph=graph, accept=request.headers.get("accept"), head=request.method == "HEAD"
        )

    @app.api_route("/gsp", methods=["PUT", "POST", "DELETE"])
    async def gsp_write(request: Request) -> Response:
        authorised(request)
        graph, create = target(request)
        data = None
        if request.method != "DELETE":
            full_type = request.headers.get("content-type", "")
            data = await run_in_threadpool(_upload, _content_type(request), await body_of(request), graph, full_type)
        return await dispatch("gsp_write", method=request.method, graph=graph, data=data, create=create)

    @app.post("/articles")
    async def post_article(request: Request) -> Response:
        """An article as ``kg ingest`` takes it: multipart/form-data with the parts ``annotation``
        (its annotation.yaml) and ``text`` (the text file it names), behind the update token."""
        authorised(request)
        if _content_type(request) != "multipart/form-data":
            raise ProtocolError(
                415, "UnsupportedMediaType", "POST an article as multipart/form-data (annotation, text)", "media_type"
            )
        parts = _form_parts(request.headers.get("content-type", ""), await body_of(request))
        missing = [name for name in ("annotation", "text") if name not in parts]
        if missing:
            raise ProtocolError(400, "BadRequest", f"an article needs the parts annotation and text; no {missing[0]}")
        return await dispatch("ingest_article", annotation=parts["annotation"], text=parts["text"])

    @app.get("/.well-known/void")
    async def void(request: Request) -> Response:
        return await dispatch(
            "void",
            base_url=endpoint(request, "/"),
            sparql_endpoint=endpoint(request, "/sparql"),
            accept=request.headers.get("accept"),
        )

    install(app, dispatch)  # linked data, pages, downloads, /static (kg/server/linked.py)
    mount_editor(app)  # the SPARQL editor (YASGUI) at /static/yasgui/ if `npm ci` installed it (kg/server/editor.py)
    return app


def _params(request: Request) -> dict[str, list[str]]:
    return {key: request.query_params.getlist(key) for key in request.query_params}


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


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


def _too_large(what: str, limit: int) -> ProtocolError:
    return ProtocolError(413, "PayloadTooLarge", f"the {what} is larger than {limit} bytes", "too_large")


def _form_parts(full_type: str, body: bytes) -> dict[str, bytes]:
    """The parts of a multipart/form-data body, by name (the first of each name)."""
    message = BytesParser(policy=email_policy.HTTP).parsebytes(f"Content-Type: {full_type}\r\n\r\n".encode() + body)
    if not message.is_multipart():
        raise ProtocolError(400, "BadRequest", "the multipart body has no parts")
    parts: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            parts.setdefault(name, payload)
    return parts


def _upload(content_type: str, body: bytes, graph: str | None, full_type: str = "") -> str:
    """An RDF upload parsed (never fetching, never expanding entities) to N-Triples.

    ``multipart/form-data`` carries several RDF documents (one per part, each with its own
    Content-Type), as the Graph Store Protocol allows for POST; they are merged.
    """
    if content_type == "multipart/form-data":
        message = BytesParser(policy=email_policy.HTTP).parsebytes(f"Content-Type: {full_type}\r\n\r\n".encode() + body)
        if not message.is_multipart():
            raise ProtocolError(400, "BadRequest", "the multipart body has no parts")
        parts = []
        for part in message.iter_parts():
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes):
                raise ProtocolError(400, "BadRequest", "each multipart part must be one RDF document")
            parts.append(_upload(part.get_content_type(), payload, graph))
        return "".join(parts)
    syntax = UPLOAD_TYPES.get(content_type)
    if syntax is None:
        raise ProtocolError(
            415, "UnsupportedMediaType", f"upload RDF as one of {', '.join(UPLOAD_TYPES)}", "media_type"
        )
    if syntax.name == "rdfxml" and (b"<!DOCTYPE" in body or b"<!ENTITY" in body):
        raise ProtocolError(400, "BadRequest", "RDF/XML with a DOCTYPE is refused (no entity expansion)", "doctype")
    try:
        quads = list(ox.parse(body, format=syntax.oxigraph, base_iri=graph))
    except (SyntaxError, ValueError) as err:
        raise ProtocolError(400, "BadRequest", f"the body is not valid {syntax.name}: {err}") from None
    scratch = ox.Store()
    scratch.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
    out = scratch.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert out is not None
    return out.decode("utf-8")
