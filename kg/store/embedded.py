"""The embedded store: pyoxigraph on disk (RocksDB), one process at a time."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from kg.errors import QueryError, ResultTooLargeError, StoreError
from kg.formats import RdfSyntax, ResultsSyntax
from kg.namespaces import PREFIXES
from kg.sparql import dataset_clause
from kg.store import GraphName, Payload, ResultKind, WriteCheck


class _CappedSink:
    """A binary sink that refuses to grow past ``limit`` bytes (no silent truncation)."""

    def __init__(self, limit: int | None) -> None:
        self.limit, self.size, self.parts = limit, 0, list[bytes]()

    def charge(self, size: int) -> None:
        self.size += size
        if self.limit is not None and self.size > self.limit:
            raise ResultTooLargeError(
                f"the result is larger than {self.limit} bytes (KG_MAX_RESULT_BYTES); add a LIMIT"
            )

    def write(self, data: bytes) -> int:
        self.charge(len(data))
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def value(self) -> bytes:
        return b"".join(self.parts)


@contextmanager
def _evaluation() -> Iterator[None]:
    try:
        yield
    except OSError as err:
        raise StoreError(f"the query could not be evaluated: {err}") from None


class EmbeddedResult:
    """A pyoxigraph query result behind kg's QueryResult interface.

    pyoxigraph evaluates lazily: errors of evaluation surface while reading the result,
    and are raised here as StoreError.
    """

    def __init__(
        self, result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples, prefixes: Mapping[str, str]
    ) -> None:
        self._result = result
        self._prefixes = prefixes
        self.kind: ResultKind
        if isinstance(result, ox.QuerySolutions):
            self.kind = "solutions"
            self.variables = [v.value for v in result.variables]
        elif isinstance(result, ox.QueryBoolean):
            self.kind = "boolean"
            self.variables = []
        else:
            self.kind = "graph"
            self.variables = ["subject", "predicate", "object"]

    def rows(self) -> Iterator[tuple[str | None, ...]]:
        with _evaluation():
            yield from self._rows()

    def _rows(self) -> Iterator[tuple[str | None, ...]]:
        if isinstance(self._result, ox.QuerySolutions):
            for solution in self._result:
                yield tuple(None if solution[v] is None else str(solution[v]) for v in self.variables)
        elif isinstance(self._result, ox.QueryTriples):
            for triple in self._result:
                yield (str(triple.subject), str(triple.predicate), str(triple.object))
        else:
            yield (str(bool(self._result)).lower(),)

    def boolean(self) -> bool:
        if not isinstance(self._result, ox.QueryBoolean):
            raise TypeError("not an ASK result")
        return bool(self._result)

    def serialize_results(self, syntax: ResultsSyntax, max_bytes: int | None = None) -> bytes:
        if isinstance(self._result, ox.QueryTriples):
            raise TypeError("a graph result has no SPARQL results serialisation")
        sink = _CappedSink(max_bytes)
        with _evaluation():
            self._result.serialize(cast(IO[bytes], sink), format=syntax.oxigraph)
        return sink.value()

    def serialize_graph(self, syntax: RdfSyntax, max_bytes: int | None = None) -> bytes:
        if not isinstance(self._result, ox.QueryTriples):
            raise TypeError("only CONSTRUCT and DESCRIBE results are graphs")
        scratch = ox.Store()
        budget = _CappedSink(max_bytes)
        with _evaluation():
            for t in self._result:
                budget.charge(len(t.subject.value) + len(t.predicate.value) + len(str(t.object)) + 4)
                scratch.add(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()))
        out = _dump(scratch, syntax, self._prefixes)
        _CappedSink(max_bytes).write(out)
        return out


def _dump(store: ox.Store, syntax: RdfSyntax, prefixes: Mapping[str, str] | None = None) -> bytes:
    prefixes = {**PREFIXES, **(prefixes or {})}
    if syntax.name == "jsonld":
        return _jsonld(store, prefixes)
    kwargs: dict[str, object] = {}
    if not syntax.datasets:
        kwargs["from_graph"] = ox.DefaultGraph()
    if syntax.name in {"turtle", "trig", "rdfxml"}:
        kwargs["prefixes"] = prefixes
    out = store.dump(format=syntax.oxigraph, **kwargs)  # type: ignore[arg-type]
    assert out is not None
    return out


def _jsonld(store: ox.Store, prefixes: Mapping[str, str]) -> bytes:
    """JSON-LD with the prefixes as its @context (pyoxigraph writes none): via rdflib."""
    nquads = store.dump(format=ox.RdfFormat.N_QUADS)
    assert nquads is not None
    dataset = Dataset()
    dataset.parse(data=nquads.decode("utf-8"), format="nquads")
    named = [g for g in dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)]
    target: Graph = dataset if named else dataset.default_graph
    out = target.serialize(format="json-ld", context=dict(prefixes), auto_compact=True)
    return out.encode("utf-8")


def replacement(graphs: Mapping[GraphName, Graph] | Payload, drop: Sequence[GraphName] = ()) -> str | None:
    """One SPARQL update that drops ``drop`` and every graph of ``graphs``, then writes ``graphs``
    (None when there is nothing to do): one request, so one transaction."""
    payload = graphs if isinstance(graphs, Payload) else Payload.of(graphs)
    names = list(dict.fromkeys([*drop, *payload.graphs]))
    parts = [f"DROP SILENT {_sparql_name(name)}" for name in names]
    for name in payload.graphs:
        lines = payload.lines(name)
        for start in range(0, len(lines), INSERT_CHUNK):
            body = "\n".join(lines[start : start + INSERT_CHUNK])
            parts.append(
                f"INSERT DATA {{\n{body}\n}}" if name is None else f"INSERT DATA {{ GRAPH <{name}> {{\n{body}\n}} }}"
            )
    return " ;\n".join(parts) if parts else None


INSERT_CHUNK = 1000
"""Triples per INSERT DATA operation (all in one request): Virtuoso's SPARQL compiler gives up on
one operation of some 5,000 lines."""


def _sparql_name(name: GraphName) -> str:
    return "DEFAULT" if name is None else f"GRAPH <{name}>"


def _ox_graph(name: GraphName) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if name is None else ox.NamedNode(str(name))


def _quads(store: ox.Store, name: GraphName) -> set[ox.Quad]:
    return set(store.quads_for_pattern(None, None, None, _ox_graph(name)))


def _rdflib(store: ox.Store, name: GraphName) -> Graph:
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=_ox_graph(name))
    assert data is not None
    return Graph().parse(data=data.decode("utf-8"), format="nt")


class EmbeddedStore:
    """kg's Store on pyoxigraph. Only this module knows how triples are kept."""

    def __init__(self, location: Path, *, read_only: bool = False, prefixes: Mapping[str, str] | None = None) -> None:
        self.prefixes = dict(prefixes or {})
        try:
            if read_only:
                self._store = ox.Store.read_only(str(location))
            else:
                location.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(location))
        except OSError as err:
            message = str(err)
            if "lock" in message.lower():
                message = "the store is in use by another kg process (stop kg serve first)"
            raise StoreError(f"cannot open the store at {location}: {message}") from None
        self.location = location

    def replace_graphs(self, graphs: Mapping[GraphName, Graph] | Payload, drop: Sequence[GraphName] = ()) -> None:
        payload = graphs if isinstance(graphs, Payload) else Payload.of(graphs)
        try:
            if not drop and None not in payload.graphs and not any(map(self.has_graph, payload.graphs)):
                # only new graphs: one N-Quads load, a transaction of its own, and several times
                # cheaper than the same triples through the SPARQL parser
                self._store.load(payload.nquads().encode("utf-8"), ox.RdfFormat.N_QUADS)
                return
            update = replacement(payload, drop)
            if update is not None:
                self._store.update(update)
        except (OSError, SyntaxError) as err:
            raise StoreError(f"cannot write the store at {self.location}: {err}") from None

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def has_graph(self, name: GraphName) -> bool:
        return name is None or self._store.contains_named_graph(ox.NamedNode(str(name)))

    def graph(self, name: GraphName) -> Graph:
        return _rdflib(self._store, name)

    def write(self, changes: Mapping[GraphName, Graph | None], check: WriteCheck | None = None) -> None:
        extra = dict(check(changes)) if check is not None else {}
        drop = [name for name, graph in changes.items() if graph is None and name not in extra]
        kept = {name: graph for name, graph in changes.items() if graph is not None}
        self.replace_graphs({**kept, **extra}, drop=drop)

    def update(self, sparql: str, check: WriteCheck | None = None, base_iri: str | None = None) -> list[GraphName]:
        scratch = ox.Store()
        scratch.bulk_extend(self._store.quads_for_pattern(None, None, None, None))
        try:
            scratch.update(sparql, base_iri=base_iri)
        except SyntaxError as err:
            raise QueryError(f"malformed update: {err}") from None
        except RuntimeError as err:  # evaluation refused it: CLEAR of a missing graph, CREATE of one that exists…
            raise QueryError(f"the update failed: {err}") from None
        except (OSError, ValueError) as err:
            raise StoreError(f"the update could not be evaluated: {err}") from None
        before = {None, *(g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))}
        after = {None, *(g for g in scratch.named_graphs() if isinstance(g, ox.NamedNode))}
        changes: dict[GraphName, Graph | None] = {}
        for node in before | after:
            name = None if node is None else URIRef(node.value)
            if node is not None and node not in after:
                changes[name] = None
            elif _quads(self._store, name) != _quads(scratch, name):
                changes[name] = _rdflib(scratch, name)
        if changes:
            self.write(changes, check)
        return list(changes)

    def query(
        self,
        sparql: str,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> EmbeddedResult:
        options: dict[str, Any] = {}
        if default_graphs is not None or named_graphs is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs or ()]
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or ()]
        elif not dataset_clause(sparql):
            # pyoxigraph's union option would override a FROM clause: use it only when there is none
            options["use_default_graph_as_union"] = True
        try:
            result = self._store.query(sparql, base_iri=base_iri, **options)
        except SyntaxError as err:
            raise QueryError(f"malformed query: {err}") from None
        except (OSError, ValueError) as err:
            raise StoreError(f"the query could not be evaluated: {err}") from None
        return EmbeddedResult(result, self.prefixes)

    def export(self, syntax: RdfSyntax, graphs: Sequence[str] | None = None) -> bytes:
        names = self.graph_names() if graphs is None else list(graphs)
        scratch = ox.Store()
        for name in names:
            target: ox.NamedNode | ox.DefaultGraph = ox.NamedNode(name) if syntax.datasets else ox.DefaultGraph()
            scratch.extend(
                ox.Quad(q.subject, q.predicate, q.object, target)
                for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(name))
            )
        return _dump(scratch, syntax, self.prefixes)

    def __len__(self) -> int:
        return len(self._store)

    def flush(self) -> None:
        # RocksDB keeps recent writes in memory until it flushes them: some 2 MB an article,
        # 2 GB after 1,000 articles of an ingest, without this
        try:
            self._store.flush()
        except OSError as err:
            raise StoreError(f"cannot write the store at {self.location}: {err}") from None

    def close(self) -> None:
        """Release the store (and its lock) now rather than at garbage collection."""
        del self._store
