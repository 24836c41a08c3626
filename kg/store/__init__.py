"""Persistence behind one door.

The rest of kg speaks to :class:`Store`: replace some named graphs atomically,
drop graphs, list them, query, export. :func:`open_store` picks the
implementation; today that is the embedded pyoxigraph store on disk.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Literal, Protocol

from rdflib import Graph, URIRef

from kg.formats import RdfSyntax, ResultsSyntax

ResultKind = Literal["solutions", "boolean", "graph"]


class QueryResult(Protocol):
    """The answer to one SPARQL query, readable once."""

    kind: ResultKind
    variables: list[str]

    def rows(self) -> Iterator[tuple[str | None, ...]]:
        """Solutions as display strings (N-Triples terms), or None for unbound."""
        ...

    def boolean(self) -> bool: ...

    def serialize_results(self, syntax: ResultsSyntax) -> bytes: ...

    def serialize_graph(self, syntax: RdfSyntax) -> bytes: ...


class Store(Protocol):
    """What kg needs from a quad store."""

    def replace_graphs(self, graphs: Mapping[URIRef, Graph], drop: Sequence[URIRef] = ()) -> None:
        """In one transaction: drop ``drop`` and every graph in ``graphs``, then write ``graphs``."""
        ...

    def graph_names(self) -> list[str]: ...

    def query(
        self, sparql: str, default_graphs: Sequence[str] | None = None, named_graphs: Sequence[str] | None = None
    ) -> QueryResult:
        """Evaluate a query. Its dataset is, in order of precedence: the graphs given here (the
        protocol's default-graph-uri / named-graph-uri), the query's FROM / FROM NAMED, or the
        union of all graphs as the default graph with every graph available by name."""
        ...

    def export(self, syntax: RdfSyntax, graphs: Sequence[str] | None = None) -> bytes:
        """Serialise the given graphs (all when None); merged into one graph for triple syntaxes."""
        ...

    def __len__(self) -> int: ...

    def close(self) -> None: ...


def open_store(location: Path, *, read_only: bool = False, prefixes: Mapping[str, str] | None = None) -> Store:
    """Open (creating if needed) the store at ``location``; ``prefixes`` are used when writing RDF."""
    from kg.store.embedded import EmbeddedStore

    return EmbeddedStore(location, read_only=read_only, prefixes=prefixes)
