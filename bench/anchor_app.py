"""Anchors for bench/http_bench.py (and bench/scale.py's memory), one uvicorn process each, same
uvicorn settings as ``kg serve``.

``--store DIR``: bare FastAPI + pyoxigraph, ``GET /sparql?query=`` evaluated in the request's
thread (a sync endpoint, so Starlette's thread pool) over the union of the graphs, answered as
SPARQL JSON. Without it: the floor, ``GET /constant`` answering a fixed small JSON (async, no work).
Run as ``python -P bench/anchor_app.py --port N [--store DIR]``.
"""

from __future__ import annotations

import argparse

import pyoxigraph as ox
import uvicorn
from fastapi import FastAPI
from fastapi.responses import Response

CONSTANT = b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"1"}}]}}'
JSON = "application/sparql-results+json"


def create_app(store_path: str | None) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    if store_path is None:

        @app.get("/constant")
        async def constant() -> Response:
            return Response(CONSTANT, media_type=JSON)

        return app
    store = ox.Store.read_only(store_path)

    @app.get("/sparql")
    def sparql(query: str) -> Response:
        result = store.query(query, use_default_graph_as_union=True)
        assert not isinstance(result, ox.QueryTriples)  # the benchmarks send SELECT and ASK only
        return Response(result.serialize(format=ox.QueryResultsFormat.JSON), media_type=JSON)

    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--store")
    args = parser.parse_args()
    uvicorn.run(create_app(args.store), host="127.0.0.1", port=args.port, log_level="warning")
