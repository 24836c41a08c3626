"""Persistence behind one door.

The rest of kg speaks to :class:`Store`: replace some named graphs atomically,
drop graphs, list them, query, export. :func:`open_store` picks the
implementation; today that is the embedded pyoxigraph store on disk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from rdflib import Graph, URIRef

from kg.errors import StoreError
from kg.formats import RdfSyntax, ResultsSyntax
from kg.namespaces import DEFAULT_BASE

ResultKind = Literal["solutions", "boolean", "graph"]

GraphName = URIRef | None
"""A named graph, or None for the store's default graph."""

WriteCheck = Callable[[Mapping[GraphName, Graph | None]], Mapping[GraphName, Graph]]
"""Called with the new content of every graph a write would change (None: the graph goes);
returns further graphs to write in the same transaction, or raises to refuse the write."""


@dataclass(frozen=True)
class Payload:
    """Graphs written out as N-Triples, ready to store: made wherever there is CPU to spare (an
    ingest's worker processes), written by the one process that holds the store, which then only
    has to load text. Small to send between processes, unlike rdflib graphs."""

    graphs: dict[GraphName, str]
    """Each graph's N-Triples (one triple a line), by name."""

    @classmethod
    def of(cls, graphs: Mapping[GraphName, Graph]) -> Payload:
        return cls({name: _ntriples(name, graph) for name, graph in graphs.items()})

    def lines(self, name: GraphName) -> list[str]:
        return self.graphs[name].splitlines()

    def nquads(self) -> str:
        """Every graph's triples as N-Quads (the default graph's without a graph name)."""
        out: list[str] = []
        for name, text in self.graphs.items():
            graph = "" if name is None else f"<{name}> "
            out.extend(f"{line[:-1]}{graph}.\n" for line in text.splitlines() if line)  # "s p o ." → "s p o g ."
        return "".join(out)

    def __len__(self) -> int:
        return sum(text.count("\n") for text in self.graphs.values())


def _ntriples(name: GraphName, graph: Graph) -> str:
    try:
        return graph.serialize(format="nt")
    except Exception as err:  # rdflib raises bare Exception for terms it cannot write
        where = "DEFAULT" if name is None else f"GRAPH <{name}>"
        raise StoreError(f"graph {where} cannot be written: {err}") from None


class QueryResult(Protocol):
    """The answer to one SPARQL query, readable once."""

    kind: ResultKind
    variables: list[str]

    def rows(self) -> Iterator[tuple[str | None, ...]]:
        """Solutions as display strings (N-Triples terms), or None for unbound."""
        ...

    def boolean(self) -> bool: ...

    def serialize_results(self, syntax: ResultsSyntax, max_bytes: int | None = None) -> bytes:
        """Serialised solutions or boolean; ResultTooLargeError past ``max_bytes``."""
        ...

    def serialize_graph(self, syntax: RdfSyntax, max_bytes: int | None = None) -> bytes:
        """Serialised CONSTRUCT/DESCRIBE triples; ResultTooLargeError past ``max_bytes``."""
        ...


class Store(Protocol):
    """What kg needs from a quad store."""

    def replace_graphs(self, graphs: Mapping[GraphName, Graph] | Payload, drop: Sequence[GraphName] = ()) -> None:
        """In one transaction: drop ``drop`` and every graph in ``graphs``, then write ``graphs``."""
        ...

    def graph_names(self) -> list[str]: ...

    def has_graph(self, name: GraphName) -> bool:
        """Whether a named graph exists (the default graph always does)."""
        ...

    def graph(self, name: GraphName) -> Graph:
        """A copy of one graph's triples."""
        ...

    def write(self, changes: Mapping[GraphName, Graph | None], check: WriteCheck | None = None) -> None:
        """Replace (or, for None, drop) graphs after ``check`` accepted them, in one transaction."""
        ...

    def update(
        self,
        sparql: str,
        check: WriteCheck | None = None,
        base_iri: str | None = None,
    ) -> list[GraphName]:
        """Run a SPARQL update on a scratch copy, let ``check`` see every graph it changes, then
        commit those graphs (and what ``check`` adds) in one transaction. Returns the changed
        graphs. Nothing is written when the update fails or ``check`` raises."""
        ...

    def query(
        self,
        sparql: str,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Evaluate a query. Its dataset is, in order of precedence: the graphs given here (the
        protocol's default-graph-uri / named-graph-uri), the query's FROM / FROM NAMED, or the
        union of all graphs as the default graph with every graph available by name. Relative
        IRIs resolve against ``base_iri`` (the endpoint, for the protocol)."""
        ...

    def export(self, syntax: RdfSyntax, graphs: Sequence[str] | None = None) -> bytes:
        """Serialise the given graphs (all when None); merged into one graph for triple syntaxes."""
        ...

    def __len__(self) -> int: ...

    def flush(self) -> None:
        """Write what the store buffers in memory to disk (a long run of writes calls it now and then)."""
        ...

    def close(self) -> None: ...


def is_remote(location: Path | str) -> bool:
    """Whether ``location`` names a remote SPARQL engine (``sparql+http://…``) rather than a folder."""
    return isinstance(location, str) and location.startswith(REMOTE_SCHEMES)


REMOTE_SCHEMES = ("sparql+http://", "sparql+https://")


def shown(location: Path | str) -> str:
    """``location`` as kg prints it: a remote store's passwords left out, wherever they are."""
    text = str(location)
    if not is_remote(text):
        return text
    return re.sub(r"(//[^/?#@:]*:)[^/?#]*@", r"\1***@", text)


def open_store(
    location: Path | str,
    *,
    read_only: bool = False,
    prefixes: Mapping[str, str] | None = None,
    base_iri: str = DEFAULT_BASE,
) -> Store:
    """Open the store at ``location``: a folder (the embedded store, created if needed) or
    ``sparql+http://…`` (a remote engine; see kg/store/remote.py). ``prefixes`` are used when
    writing RDF; ``base_iri`` says which graphs of a remote engine are kg's."""
    if is_remote(location):
        from kg.store.remote import Endpoint, RemoteStore

        return RemoteStore(Endpoint.parse(str(location)), base_iri, prefixes)
    from kg.store.embedded import EmbeddedStore

    return EmbeddedStore(Path(location), read_only=read_only, prefixes=prefixes)
