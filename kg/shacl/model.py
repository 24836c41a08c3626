"""What the compiled validator speaks: results, property paths, errors, and the vocabulary constants
the other modules share."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, TypeAlias

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

Triple: TypeAlias = tuple[Node, Node, Node]
TYPE = RDF.type
SUBCLASS = RDFS.subClassOf
EMPTY: frozenset[Node] = frozenset()
# Membership tests compare hashes, then identity, before rdflib's (Python) __eq__: use them for constants.
IS_TYPE = frozenset({TYPE})
IS_RESOURCE = frozenset({RDFS.Resource})
NO_PREDICATES: dict[Node, AbstractSet[Node]] = {}
XSD_STRING = str(XSD.string)
XSD_INTEGER = str(XSD.integer)
LANG_STRING = str(RDF.langString)
RDFS_LITERAL = str(RDFS.Literal)
RDFS_DATATYPE = str(RDFS.Datatype)
STRING_DATATYPES = frozenset({XSD_STRING, LANG_STRING})


class UnsupportedShapesError(ValueError):
    """The shapes graph uses something the compiled engine does not implement (or that makes pyshacl fail).

    ``where`` names the shape (a blank node through the shape that holds it), ``why`` the feature.
    """

    def __init__(self, where: str, why: str) -> None:
        self.where = where
        self.why = why
        super().__init__(f"{where}: {why}")


class UnsupportedDataError(ValueError):
    """The data makes pyshacl fail, or holds a term pyoxigraph cannot represent for a SPARQL part."""


def terms_named(namespace: Any, names: str) -> tuple[URIRef, ...]:
    """Terms of an rdflib namespace by local name: ``terms_named(OWL, "Class Thing")``."""
    return tuple(URIRef(namespace[name]) for name in names.split())


def show_term(term: Node) -> str:
    """A term for a message: SHACL terms as sh:name, others in N-Triples."""
    return f"sh:{term[len(str(SH)) :]}" if isinstance(term, URIRef) and term.startswith(str(SH)) else term.n3()


def refuse(node: Node | str, why: str) -> UnsupportedShapesError:
    return UnsupportedShapesError(node if isinstance(node, str) else show_term(node), why)


# =================================================================================================
# Property paths
# =================================================================================================


@dataclass(frozen=True, slots=True)
class PredicatePath:
    iri: URIRef


@dataclass(frozen=True, slots=True)
class InversePath:
    path: Path


@dataclass(frozen=True, slots=True)
class SequencePath:
    paths: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class AlternativePath:
    paths: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class ZeroOrMorePath:
    path: Path


@dataclass(frozen=True, slots=True)
class OneOrMorePath:
    path: Path


@dataclass(frozen=True, slots=True)
class ZeroOrOnePath:
    path: Path


Path: TypeAlias = (
    PredicatePath | InversePath | SequencePath | AlternativePath | ZeroOrMorePath | OneOrMorePath | ZeroOrOnePath
)
_UNARY_PATHS: dict[Node, Callable[[Path], Path]] = {
    SH.inversePath: InversePath,
    SH.zeroOrMorePath: ZeroOrMorePath,
    SH.oneOrMorePath: OneOrMorePath,
    SH.zeroOrOnePath: ZeroOrOnePath,
}
_PATH_KEYS = frozenset({*_UNARY_PATHS, SH.alternativePath})
_LOCAL_NAME = re.compile(r"[A-Za-z_][\w\-.]*(?<!\.)\Z")


def rdf_list(graph: Graph, head: Node, owner: Node | str) -> list[Node]:
    """The members of a well-formed RDF list, or an UnsupportedShapesError naming ``owner``."""
    items: list[Node] = []
    seen: set[Node] = set()
    node = head
    while node != RDF.nil:
        firsts, rests = list(graph.objects(node, RDF.first)), list(graph.objects(node, RDF.rest))
        if node in seen or len(firsts) != 1 or len(rests) != 1:
            raise refuse(owner, f"{show_term(head)} is not a well-formed RDF list")
        seen.add(node)
        items.append(firsts[0])
        node = rests[0]
    return items


def path_from_graph(graph: Graph, node: Node, depth: int = 0) -> Path:
    """The SHACL property path ``node`` describes in ``graph`` (a shapes graph or a validation report).

    Raises UnsupportedShapesError for what pyshacl cannot evaluate either: literals, lists of
    fewer than two paths, blank nodes with no or several path properties, nesting past 10 levels.
    """
    if isinstance(node, URIRef):
        return PredicatePath(node)
    if not isinstance(node, BNode) or depth >= 10:
        raise refuse(node, "not a SHACL property path (or nested too deep)")
    if (node, RDF.first, None) in graph:
        members = rdf_list(graph, node, node)
        if len(members) < 2:
            raise refuse(node, "a sequence path needs at least two paths")
        return SequencePath(tuple(path_from_graph(graph, m, depth + 1) for m in members))
    keys = [(p, o) for p, o in graph.predicate_objects(node) if p in _PATH_KEYS]
    if len(keys) != 1:
        raise refuse(node, "a path node needs exactly one of sh:inversePath, sh:alternativePath, sh:*Path")
    key, value = keys[0]
    if key == SH.alternativePath:
        members = rdf_list(graph, value, node)
        if len(members) < 2:
            raise refuse(node, "sh:alternativePath needs at least two paths")
        return AlternativePath(tuple(path_from_graph(graph, m, depth + 1) for m in members))
    return _UNARY_PATHS[key](path_from_graph(graph, value, depth + 1))


def _iri_text(iri: URIRef, prefixes: Mapping[str, str]) -> str:
    """A prefixed name under the longest matching namespace, if the rest is a plain local name."""
    best: tuple[str, str] | None = None
    for prefix, namespace in prefixes.items():
        if namespace and iri.startswith(namespace) and (best is None or len(namespace) > len(best[1])):
            local = iri[len(namespace) :]
            if not local or _LOCAL_NAME.match(local):
                best = (prefix, namespace)
    return f"<{iri}>" if best is None else f"{best[0]}:{iri[len(best[1]) :]}"


def render_path(path: Path, prefixes: Mapping[str, str] | None = None, nested: bool = False) -> str:
    """``path`` as a SPARQL property path: ``^kgo:denotedBy``, ``^(kgo:partOf|kgo:containedIn)``.

    IRIs under one of ``prefixes`` (prefix → namespace) are written as prefixed names.
    """
    prefixes = prefixes or {}
    if isinstance(path, PredicatePath):
        return _iri_text(path.iri, prefixes)
    if isinstance(path, InversePath):
        return "^" + render_path(path.path, prefixes, True)
    if isinstance(path, SequencePath | AlternativePath):
        joiner = "/" if isinstance(path, SequencePath) else "|"
        text = joiner.join(render_path(p, prefixes, True) for p in path.paths)
        return f"({text})" if nested else text
    suffix = "*" if isinstance(path, ZeroOrMorePath) else "+" if isinstance(path, OneOrMorePath) else "?"
    return render_path(path.path, prefixes, True) + suffix


# =================================================================================================
# Results
# =================================================================================================


@dataclass(frozen=True, slots=True)
class Result:
    """One validation result, as pyshacl would put it in its report graph."""

    severity: Node
    focus: Node
    path: Path | None
    messages: tuple[Literal, ...]
    """The result's ``sh:resultMessage`` values (sorted); empty where pyshacl would write a generic one."""
    value: Node | None
    source_shape: Node
    component: URIRef
    source_constraint: Node | None = None
    details: tuple[Result, ...] = ()
    """For ``sh:node``: the results of the value node against the node shape (pyshacl's ``sh:detail``)."""

    @property
    def message(self) -> Literal | None:
        return self.messages[0] if self.messages else None

    def path_text(self, prefixes: Mapping[str, str] | None = None) -> str | None:
        return None if self.path is None else render_path(self.path, prefixes)


def _message_order(message: Literal) -> tuple[str, str, str]:
    return (str(message), message.language or "", str(message.datatype or ""))


def sorted_messages(messages: Iterable[Literal]) -> tuple[Literal, ...]:
    return tuple(sorted(set(messages), key=_message_order))
