"""rdflib-endpoint as an anchor for bench/http_bench.py: the N-Quads file in an rdflib Dataset whose
default graph is the union, served at ``/sparql`` by rdflib-endpoint's own FastAPI app.

Run as ``python -P bench/anchor_rdflib.py --port N --nquads FILE``.
"""

from __future__ import annotations

import argparse

import uvicorn
from rdflib import Dataset
from rdflib_endpoint import SparqlEndpoint

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--nquads", required=True)
    args = parser.parse_args()
    dataset = Dataset(default_union=True)
    dataset.parse(args.nquads, format="nquads")
    app = SparqlEndpoint(graph=dataset, path="/sparql", public_url=f"http://127.0.0.1:{args.port}/sparql")
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
