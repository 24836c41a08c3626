"""A store kept by another SPARQL engine, spoken to over the SPARQL 1.1 Protocol.

Any engine that answers SPARQL 1.1 Query and Update over HTTP will do: Oxigraph server,
Virtuoso, Fuseki, GraphDB, QLever. kg asks it for what the embedded store does itself, and
reads its answers with pyoxigraph's parsers, so that the rest of kg cannot tell the two apart.

- The engine must treat the default graph as the union of its named graphs (``oxigraph serve
  --union-default-graph``; Virtuoso and GraphDB do by default; Fuseki with
  ``tdb:unionDefaultGraph true``), as the embedded store does.
- kg sees only the named graphs under its base IRI: an engine's own graphs (Virtuoso keeps
  several) stay out of exports, counts and descriptions.
- A partial answer is an error: Virtuoso answers a query cut by its own limits with HTTP 206
  or an ``X-SQL-State`` header, which is raised as StoreError, never passed on as a result.
- Writing a set of graphs is one update request (DROP, then INSERT DATA): it is one
  transaction on engines that run an update request in one (Oxigraph; Virtuoso by default).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, parse_qs, unquote, urlencode, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox
from rdflib import Graph

from kg.errors import QueryError, StoreError
from kg.formats import RDF_SYNTAXES, RdfSyntax
from kg.sparql import query_form
from kg.store import GraphName, Payload, WriteCheck
from kg.store.embedded import EmbeddedResult, _dump, replacement

RESULTS_JSON = "application/sparql-results+json"
GRAPH_TYPES = ("application/n-triples", "text/turtle", "text/plain")
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
ASK_VARIABLE = "__ASK_RETVAL"
"""Virtuoso answers ASK as one solution of this variable, 1 or 0, in SPARQL JSON and XML."""


@dataclass(frozen=True)
class Endpoint:
    """Where the engine answers, and how to sign in for updates."""

    query: str
    update: str
    user: str | None = None
    password: str | None = None
    queries_signed: bool = True
    """Whether queries are signed in too, or only updates (credentials given on the update URL)."""
    timeout: float = 300.0

    @classmethod
    def parse(cls, location: str) -> Endpoint:
        """``sparql+http://[user:password@]host:port/path[?update=URL]`` (or ``sparql+https://``): the
        query endpoint; updates go to ``update`` when given, else to the same URL. A user and
        password sign requests in (HTTP Digest, as Virtuoso's /sparql-auth wants): all of them
        when given on the store's URL, only updates when given on the update URL."""
        if not location.startswith(("sparql+http://", "sparql+https://")):
            raise StoreError(f"{location}: a remote store is named sparql+http://host:port/path")
        url = urlsplit(location.removeprefix("sparql+"))
        netloc = _netloc(url)
        params = parse_qs(url.query)
        query = urlunsplit((url.scheme, netloc, url.path, "", ""))
        user = unquote(url.username) if url.username else None
        password = unquote(url.password) if url.password else None
        update, signed = query, True
        if "update" in params:
            given = urlsplit(params["update"][0])
            if given.username and user is None:
                user, password, signed = unquote(given.username), unquote(given.password or ""), False
            update = urlunsplit((given.scheme, _netloc(given), given.path, given.query, ""))
        return cls(query, update, user, password, queries_signed=signed)

    def __repr__(self) -> str:  # never the password
        return f"Endpoint(query={self.query!r}, update={self.update!r}, user={self.user!r})"


class RemoteStore:
    """kg's Store on a SPARQL 1.1 Protocol endpoint (see the module)."""

    def __init__(self, endpoint: Endpoint, base_iri: str, prefixes: Mapping[str, str] | None = None) -> None:
        self.endpoint, self.base = endpoint, base_iri
        self.prefixes = dict(prefixes or {})
        self._auth: Any = None
        if endpoint.user is not None:
            self._auth = httpx.DigestAuth(endpoint.user, endpoint.password or "")
        self._http = httpx.Client(timeout=endpoint.timeout, trust_env=False)

    # --- the protocol ---

    def _post(self, url: str, form: list[tuple[str, str]], accept: str, writing: bool = False) -> httpx.Response:
        try:
            signed = writing or self.endpoint.queries_signed
            response = self._http.post(
                url,
                content=urlencode(form).encode(),
                headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
                auth=self._auth if signed and self._auth is not None else httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.HTTPError as err:
            raise StoreError(f"the SPARQL endpoint {url} did not answer: {err}") from None
        if response.status_code == 206 or "x-sql-state" in response.headers or "x-sparql-maxrows" in response.headers:
            # Virtuoso cuts results at its ResultSetMaxRows and says so in X-SPARQL-MaxRows, with a 200
            raise StoreError(f"the SPARQL endpoint {url} gave a partial answer (HTTP {response.status_code})")
        if response.status_code == 400 and writing:
            raise StoreError(f"the SPARQL endpoint refused the write: {_first_line(response.text)}")
        if response.status_code == 400:
            raise QueryError(f"malformed query (the SPARQL endpoint says: {_first_line(response.text)})")
        if response.status_code >= 300:
            raise StoreError(
                f"the SPARQL endpoint {url} answered HTTP {response.status_code}: {_first_line(response.text)}"
            )
        return response

    def _update(self, sparql: str) -> None:
        self._post(self.endpoint.update, [("update", sparql)], "*/*", writing=True)

    def query(
        self,
        sparql: str,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> EmbeddedResult:
        form = [("query", sparql)]
        form += [("default-graph-uri", g) for g in default_graphs or ()]
        form += [("named-graph-uri", g) for g in named_graphs or ()]
        form_of = query_form(sparql)
        graph = form_of in ("CONSTRUCT", "DESCRIBE")
        response = self._post(self.endpoint.query, form, GRAPH_ACCEPT if graph else RESULTS_JSON)
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if media in (RESULTS_JSON, "application/json"):
                parsed = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON)
                if form_of == "ASK" and isinstance(parsed, ox.QuerySolutions):
                    parsed = _boolean(parsed)
                return EmbeddedResult(parsed, self.prefixes)
            if media in GRAPH_TYPES:
                syntax = ox.RdfFormat.TURTLE if media == "text/turtle" else ox.RdfFormat.N_TRIPLES
                scratch = ox.Store()
                scratch.load(response.content, format=syntax)
                return EmbeddedResult(scratch.query("CONSTRUCT WHERE { ?s ?p ?o }"), self.prefixes)
        except (SyntaxError, ValueError) as err:
            raise StoreError(f"the SPARQL endpoint's answer could not be read: {err}") from None
        raise StoreError(f"the SPARQL endpoint answered in {media or 'no media type'}, not SPARQL results or RDF")

    # --- graphs ---

    def replace_graphs(self, graphs: Mapping[GraphName, Graph] | Payload, drop: Sequence[GraphName] = ()) -> None:
        update = replacement(graphs, drop)
        if update is not None:
            self._update(update)

    def graph_names(self) -> list[str]:
        rows = self.query(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {_string(self.base)})) }}"
        ).rows()
        return sorted(row[0][1:-1] for row in rows if row[0] is not None)

    def has_graph(self, name: GraphName) -> bool:
        if name is None:
            return True
        return self.query(f"ASK {{ GRAPH <{name}> {{ ?s ?p ?o }} }}").boolean()

    def graph(self, name: GraphName) -> Graph:
        if name is None:  # the engine's default graph is the union of all (the module says why)
            raise StoreError("a remote store's default graph is the union of its graphs: name a graph")
        where = f"GRAPH <{name}> {{ ?s ?p ?o }}"
        data = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}").serialize_graph(_NTRIPLES)
        return Graph().parse(data=data.decode("utf-8"), format="nt")

    def write(self, changes: Mapping[GraphName, Graph | None], check: WriteCheck | None = None) -> None:
        extra = check(changes) if check is not None else {}
        graphs = {name: graph for name, graph in changes.items() if graph is not None}
        self.replace_graphs({**graphs, **extra}, drop=[name for name, graph in changes.items() if graph is None])

    def update(self, sparql: str, check: WriteCheck | None = None, base_iri: str | None = None) -> list[GraphName]:
        """Not on a remote store: kg could not see what an update changes before it is committed,
        so it could not pass it through the gate. Write through kg build or kg ingest."""
        raise StoreError("SPARQL updates through kg are not supported on a remote store: use kg build or kg ingest")

    def export(self, syntax: RdfSyntax, graphs: Sequence[str] | None = None) -> bytes:
        scratch = ox.Store()
        for name in self.graph_names() if graphs is None else list(graphs):
            data = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}").serialize_graph(
                _NTRIPLES
            )
            target: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(name) if syntax.datasets else ox.DefaultGraph()
            scratch.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=target)
        return _dump(scratch, syntax, self.prefixes)

    def __len__(self) -> int:
        rows = self.query(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {_string(self.base)})) }}"
        ).rows()
        first = next(iter(rows))[0] or '"0"'
        return int(first.split('"')[1])

    def flush(self) -> None:
        """Nothing to do: each write was one request, done when it was answered."""

    def close(self) -> None:
        self._http.close()


def _boolean(solutions: ox.QuerySolutions) -> ox.QueryBoolean:
    """An ASK answered as solutions (Virtuoso): true when its one value is a true or non-zero literal."""
    values = [solution[ASK_VARIABLE] for solution in solutions]
    value = values[0] if len(values) == 1 else None
    if not isinstance(value, ox.Literal) or [v.value for v in solutions.variables] not in ([], [ASK_VARIABLE]):
        raise StoreError("the SPARQL endpoint answered an ASK query with solutions, not a boolean")
    truth = value.value.strip().lower() not in ("0", "false", "")
    answer = ox.parse_query_results(
        b'{"head":{},"boolean":%s}' % (b"true" if truth else b"false"), format=ox.QueryResultsFormat.JSON
    )
    assert isinstance(answer, ox.QueryBoolean)
    return answer


def _netloc(url: SplitResult) -> str:
    """Host and port, without credentials."""
    host = url.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    return host if url.port is None else f"{host}:{url.port}"


def _string(text: str) -> str:
    """``text`` as a SPARQL string literal."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:300] if text.strip() else "(no message)"


_NTRIPLES = next(s for s in RDF_SYNTAXES if s.name == "ntriples")
