"""SHACL-SPARQL parts: reading the queries as pyshacl runs them, what their patterns can match, and
a pyoxigraph store of just that for each validation."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Collection, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.paths import AlternativePath as _RdflibAlternative
from rdflib.paths import InvPath as _RdflibInverse
from rdflib.paths import MulPath as _RdflibMul
from rdflib.paths import SequencePath as _RdflibSequence
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import translateGroupGraphPattern
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node, Variable

from kg.shacl.data import MixedOntology, ValidationGraph
from kg.shacl.model import EMPTY, LANG_STRING, TYPE, XSD_STRING, Triple, UnsupportedDataError, refuse, show_term

BINDS_THIS = re.compile(r"[\s{}()][$?]this")
BINDS_CURRENT_SHAPE = re.compile(r"[\s{}()][$?]currentShape")
_SHAPES_GRAPH = re.compile(r"[\s{}()][$?]shapesGraph")
PATH_VARIABLE = re.compile(r"([\s{}()])[$?]PATH")
# pyshacl refuses these in SPARQL constraints (with a ValidationFailure); refused here at compile
# time, more broadly (a keyword anywhere, a comment included).
_FORBIDDEN_IN_CONSTRAINTS = re.compile(r"\b(MINUS|VALUES|SERVICE)\b", re.IGNORECASE)
_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)
_REBINDS = re.compile(r"\bAS\s*[$?](this|value|path|PATH|shapesGraph|currentShape)\b", re.IGNORECASE)
_OX_THIS = ox.Variable("this")
_OX_CURRENT_SHAPE = ox.Variable("currentShape")


@dataclass(frozen=True)
class Footprint:
    """The triples a query's patterns can match: those with one of ``predicates``, those whose
    predicate is an object of a ``objects_of`` predicate, or ``everything``."""

    predicates: frozenset[URIRef] = frozenset()
    objects_of: frozenset[URIRef] = frozenset()
    everything: bool = False

    def __or__(self, other: Footprint) -> Footprint:
        return Footprint(
            self.predicates | other.predicates, self.objects_of | other.objects_of, self.everything or other.everything
        )


_PatternTriple = tuple[object, object, object]


class _FootprintReader:
    """Reads a query's algebra (rdflib's, as pyshacl parses it) for the predicates its patterns use.

    A query's results only depend on the triples its patterns can match, unless a pattern can
    match any triple (a variable predicate, a negated property set) or a zero-length path can
    produce any node of the graph; those make the footprint ``everything``, with two exceptions
    that keep it exact: a variable predicate inside FILTER (NOT) EXISTS that the enclosing group
    binds as the object of a fixed predicate ``q`` (it can only be an object of ``q``), and a
    zero-length path with one end fixed or bound by a plain pattern of the same group.
    """

    def __init__(self) -> None:
        self.predicates: set[URIRef] = set()
        self.objects_of: set[URIRef] = set()
        self.everything = False

    def footprint(self) -> Footprint:
        return Footprint(frozenset(self.predicates), frozenset(self.objects_of), self.everything)

    def walk(self, node: object, outer: tuple[_PatternTriple, ...] | None) -> None:
        if isinstance(node, list | tuple):
            for item in node:
                self.walk(item, outer)
            return
        if not isinstance(node, CompValue):
            return
        name = node.name
        if name == "BGP":
            triples = tuple(node.get("triples") or ())
            for triple in triples:
                self.pattern(triple, triples + (outer or ()), outer)
        elif name in ("Builtin_EXISTS", "Builtin_NOTEXISTS"):
            graph = node.get("graph")
            if isinstance(graph, CompValue) and graph.name == "GroupGraphPatternSub":
                graph = translateGroupGraphPattern(graph)
            self.walk(graph, outer or ())
        elif name == "Filter":
            self.walk(node.get("expr"), _mandatory(node.get("p")) + (outer or ()))
            self.walk(node.get("p"), outer)
        elif name in ("SelectQuery", "Project"):  # a sub-select does not see the outer bindings
            for key, value in node.items():
                if key != "_vars":
                    self.walk(value, None)
        elif name in ("Graph", "ServiceGraphPattern", "TriplesBlock", "GroupGraphPatternSub"):
            self.everything = True
        else:
            for key, value in node.items():
                if key != "_vars":
                    self.walk(value, outer)

    def pattern(
        self, triple: _PatternTriple, group: tuple[_PatternTriple, ...], outer: tuple[_PatternTriple, ...] | None
    ) -> None:
        s, p, o = triple
        if isinstance(p, URIRef):
            self.predicates.add(p)
        elif isinstance(p, Variable):
            binders = [q for _, q, x in outer or () if x == p and isinstance(q, URIRef)]
            if outer is None or not binders:
                self.everything = True
            self.predicates.update(binders)
            self.objects_of.update(binders)
        else:
            iris, zero_length = _path_iris(p)
            if iris is None or (zero_length and not (_fixed(s, group) or _fixed(o, group))):
                self.everything = True
            self.predicates.update(iris or ())


def _mandatory(node: object) -> tuple[_PatternTriple, ...]:
    """The triple patterns every solution of a group matches (not those under OPTIONAL, UNION...)."""
    if not isinstance(node, CompValue):
        return ()
    if node.name == "BGP":
        return tuple(node.get("triples") or ())
    if node.name == "Join":
        return _mandatory(node.get("p1")) + _mandatory(node.get("p2"))
    if node.name == "LeftJoin":
        return _mandatory(node.get("p1"))
    if node.name in ("Filter", "Extend"):
        return _mandatory(node.get("p"))
    return ()


def _fixed(term: object, group: tuple[_PatternTriple, ...]) -> bool:
    """A path end that is a constant, or a variable some plain (non-path) pattern of the group binds."""
    if not isinstance(term, Variable):
        return True
    return any(isinstance(q, URIRef) and term in (s, o) for s, q, o in group)


def _path_iris(path: object) -> tuple[set[URIRef] | None, bool]:
    """The IRIs in an rdflib property path and whether it has a zero-length part; None if it can match any predicate."""
    if isinstance(path, URIRef):
        return {path}, False
    if isinstance(path, _RdflibInverse):
        return _path_iris(path.arg)
    if isinstance(path, _RdflibMul):
        iris, zero = _path_iris(path.path)
        return iris, zero or path.mod in ("*", "?")
    if isinstance(path, _RdflibSequence | _RdflibAlternative):
        out: set[URIRef] = set()
        zero = False
        for arg in path.args:
            iris, z = _path_iris(arg)
            if iris is None:
                return None, True
            out |= iris
            zero = zero or z
        return out, zero
    return None, True


@dataclass(frozen=True)
class SparqlQuery:
    """A SELECT query of a SPARQL constraint or target, ready to run as pyshacl would run it."""

    node: Node
    text: str
    binds_this: bool
    current_shape: Node | None
    footprint: Footprint
    messages: tuple[Literal, ...] = ()
    hidden: tuple[str, ...] = ()  # pre-bound but not selected: pyshacl's solutions do not have them


def declared_prefixes(shapes: Graph, node: Node, where: str) -> dict[str, str]:
    """pyshacl's prefixes for a query: rdf, rdfs, owl, then the sh:declare reached through sh:prefixes."""
    prefixes = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
    values = set(shapes.objects(node, SH.prefixes))
    if not values:
        return prefixes
    graph_declares = set(shapes.objects(shapes.identifier, SH.declare))
    ontologies = set(shapes.subjects(TYPE, OWL.Ontology))
    every_declare = graph_declares | {d for o in ontologies for d in shapes.objects(o, SH.declare)}
    declares: set[Node] = set()
    for value in values:
        own = set(shapes.objects(value, SH.declare))
        declares |= own | graph_declares if own and value in ontologies else every_declare | own
    declared: dict[str, str] = {}
    for declare in declares:
        prefix, namespace = _declaration(shapes, declare, where)
        if declared.get(prefix, namespace) != namespace:
            raise refuse(where, f"prefix {prefix!r} is declared with two namespaces (pyshacl would pick one at random)")
        declared[prefix] = namespace
    return prefixes | declared


def _declaration(shapes: Graph, declare: Node, owner: str) -> tuple[str, str]:
    prefixes, namespaces = list(shapes.objects(declare, SH.prefix)), list(shapes.objects(declare, SH.namespace))
    if isinstance(declare, Literal) or len(prefixes) != 1 or len(namespaces) != 1:
        raise refuse(owner, f"sh:declare {show_term(declare)} needs exactly one sh:prefix and one sh:namespace")
    prefix, namespace = prefixes[0], namespaces[0]
    if not isinstance(prefix, Literal) or not isinstance(prefix.value, str):
        raise refuse(owner, f"sh:prefix {show_term(prefix)} is not a string")
    if not isinstance(namespace, Literal) or not (
        namespace.datatype in (XSD.anyURI, XSD.string) or namespace.language or isinstance(namespace.value, str)
    ):
        raise refuse(owner, f"sh:namespace {show_term(namespace)} is not an xsd:anyURI or a string")
    return str(prefix.value), str(namespace.value) if namespace.value is not None else str(namespace)


def string_literal(shapes: Graph, node: Node, p: URIRef, owner: str) -> str | None:
    values = list(shapes.objects(node, p))
    if not values:
        return None
    if len(values) > 1 or not isinstance(values[0], Literal) or not isinstance(values[0].value, str):
        raise refuse(owner, f"{show_term(p)} needs exactly one string")
    return values[0].value


def read_query(
    text: str, owner: str, prefixes: Mapping[str, str], target: bool, prebound: tuple[str, ...] = ()
) -> tuple[str, Footprint, tuple[str, ...]]:
    """The query as pyshacl sends it (PREFIX lines, then the select), what it can match, and which
    pre-bound variables it does not select.

    rdflib binds those and leaves them out of the solutions; pyoxigraph only substitutes selected
    variables. So they are added to the projection of the text pyoxigraph runs, and dropped from
    its solutions again.
    """
    if re.search(r"\bSERVICE\b", text, re.IGNORECASE):
        raise refuse(owner, "SERVICE is not supported")
    if not target:
        if _FORBIDDEN_IN_CONSTRAINTS.search(text) or len(_SELECT.findall(text)) != 1 or _REBINDS.search(text):
            raise refuse(owner, "a SPARQL constraint may not use MINUS, VALUES, SERVICE, sub-selects or AS $this")
        if _SHAPES_GRAPH.search(text):
            raise refuse(owner, "$shapesGraph is not supported (nor by pyshacl)")
    header = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items()) + "\n"
    try:
        algebra = prepareQuery(header + text).algebra
    except Exception as error:  # rdflib's parser raises several types; pyshacl would fail the same way
        raise refuse(owner, f"rdflib cannot parse the query: {error}") from error
    if algebra.name != "SelectQuery":
        raise refuse(owner, "only SELECT queries are supported")
    selected = algebra.get("PV") or ()
    if target and Variable("this") not in selected:
        raise refuse(owner, "a SPARQL target must select ?this")
    hidden = tuple(name for name in prebound if Variable(name) not in selected)
    if hidden:
        select = re.search(r"\bSELECT\s+((DISTINCT|REDUCED)\s+)?", text, re.IGNORECASE)
        if select is None or text[select.end() :].startswith("*"):
            raise refuse(owner, f"pre-bound {', '.join(hidden)} must be selected (or not used) with SELECT *")
        text = text[: select.end()] + "".join(f"?{name} " for name in hidden) + text[select.end() :]
    try:
        ox.Store().query(header + text)
    except SyntaxError as error:
        raise refuse(owner, f"pyoxigraph cannot parse the query: {error}") from error
    reader = _FootprintReader()
    reader.walk(algebra.get("p"), None)
    return header + text, reader.footprint(), hidden


def _escaped(text: str) -> str:
    """A lexical form inside N-Triples quotes (str.replace runs in C; a translate table does not)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


_NOT_IN_IRIREF = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _nt(term: Node) -> str | None:
    """``term`` in N-Triples, or None if it must go to the store as a term object (blank nodes, odd IRIs)."""
    if isinstance(term, URIRef):
        return None if _NOT_IN_IRIREF.search(term) else f"<{term}>"
    if isinstance(term, Literal):
        text = '"' + _escaped(str(term)) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None:
            return None if _NOT_IN_IRIREF.search(term.datatype) else f"{text}^^<{term.datatype}>"
        return text
    return None


@dataclass(frozen=True)
class OntologyLines:
    """The mixed-in ontology's triples by predicate, ready to load: N-Triples lines, and triples
    with blank nodes (loaded as term objects); and each predicate's objects."""

    lines: Mapping[Node, str]
    blank: Mapping[Node, tuple[Triple, ...]]
    objects: Mapping[Node, frozenset[Node]]

    @classmethod
    def of(cls, base: MixedOntology) -> OntologyLines:
        lines: dict[Node, list[str]] = {}
        blank: dict[Node, list[Triple]] = {}
        objects: dict[Node, set[Node]] = {}
        for triple in base.triples:
            objects.setdefault(triple[1], set()).add(triple[2])
            texts = [_nt(t) for t in triple]
            if None in texts:
                blank.setdefault(triple[1], []).append(triple)
            else:
                lines.setdefault(triple[1], []).append(" ".join(texts) + " .\n")  # type: ignore[arg-type]
        return cls(
            {p: "".join(v) for p, v in lines.items()},
            {p: tuple(v) for p, v in blank.items()},
            {p: frozenset(v) for p, v in objects.items()},
        )


class SparqlStore:
    """A pyoxigraph store of the triples a validation's queries can match, built on first use."""

    def __init__(
        self,
        graph: ValidationGraph,
        footprint: Footprint,
        base: OntologyLines,
        stores: threading.local,
        ontology_out: Mapping[Node, object],
    ) -> None:
        self.graph = graph
        self.ontology_out = ontology_out
        self.footprint = footprint
        self.base = base
        self.stores = stores
        self.blank_nodes: dict[Node, ox.BlankNode] = {}
        self.blank_back: dict[ox.BlankNode, Node] = {}
        self.loaded_literals: list[Literal] = []
        self._literals: dict[tuple[str, str, str | None], Literal] | None = None
        self._store: ox.Store | None = None

    def store(self) -> ox.Store:
        if self._store is None:
            self._store = self._load()
        return self._store

    def empty_store(self) -> ox.Store:
        """This thread's store, emptied (refilling a store is cheaper than making one). A forked
        worker process makes its own."""
        held: tuple[int, ox.Store] | None = getattr(self.stores, "store", None)
        if held is None or held[0] != os.getpid():
            held = self.stores.store = (os.getpid(), ox.Store())
        held[1].clear()
        return held[1]

    def footprint_groups(self, wanted: AbstractSet[Node] | None) -> Iterator[tuple[Node, Node, Collection[Node]]]:
        """The footprint's triples as (subject, predicate, objects): from the forward index if it holds
        every predicate (it has the ontology's triples too), else the data's grouped triples and the
        ontology's triples with blank nodes (its others are ready as N-Triples)."""
        graph = self.graph
        if graph.by_predicate is None:
            ontology = self.ontology_out
            for s, po in graph.out.items():
                if po is ontology.get(s):  # all the ontology's: loaded from its ready lines
                    continue
                for p, objects in po.items():
                    if wanted is None or p in wanted:
                        yield s, p, objects
            return
        for p in graph.by_predicate if wanted is None else wanted:
            for s, _, o in graph.by_predicate.get(p, ()):
                yield s, p, (o,)
        for p, triples in self.base.blank.items():
            if wanted is None or p in wanted:
                for s, _, o in triples:
                    yield s, p, (o,)

    def _wanted(self) -> AbstractSet[Node] | None:
        if self.footprint.everything:
            return None
        wanted: set[Node] = {self.graph.terms(p) for p in self.footprint.predicates}
        graph = self.graph
        for binder in self.footprint.objects_of:
            q = graph.terms(binder)
            if graph.by_predicate is None:
                wanted.update(o for po in graph.out.values() for o in po.get(q, ()))
            else:
                wanted.update(o for _, _, o in graph.by_predicate.get(q, ()))
                wanted |= self.base.objects.get(q, EMPTY)
        return wanted

    def _load(self) -> ox.Store:
        """One N-Triples document of the footprint (pyoxigraph parses it much faster than it takes
        term objects one by one), plus the few triples N-Triples cannot carry as they are."""
        wanted = self._wanted()
        # The ontology's triples are ready as N-Triples (a triple loaded twice is still one triple).
        lines: list[str] = [text for p, text in self.base.lines.items() if wanted is None or p in wanted]
        odd: list[Triple] = []
        texts: dict[Node, str | None] = {}  # IRIs, interned: these lookups are cheap, literals' are not
        suffixes: dict[str, str | None] = {}
        literals = self.loaded_literals
        for s, p, objects in self.footprint_groups(wanted):
            subject = texts.get(s, "")
            if subject == "":
                subject = texts[s] = _nt(s)
            predicate = texts.get(p, "")
            if predicate == "":
                predicate = texts[p] = _nt(p)
            for o in objects:
                if type(o) is Literal:
                    literals.append(o)
                    value = _literal_nt(o, suffixes)
                else:
                    value = texts.get(o, "")
                    if value == "":
                        value = texts[o] = _nt(o)
                if subject is None or predicate is None or value is None:
                    odd.append((s, p, o))
                else:
                    lines.append(f"{subject} {predicate} {value} .\n")
        store = self.empty_store()
        try:
            store.load("".join(lines), format=ox.RdfFormat.N_TRIPLES, lenient=True)
            store.extend([ox.Quad(self.to_ox(s), self.to_ox(p), self.to_ox(o)) for s, p, o in odd])  # type: ignore[arg-type]
        except (SyntaxError, ValueError, TypeError) as error:
            raise UnsupportedDataError(f"pyoxigraph cannot hold the data for a SPARQL query: {error}") from error
        return store

    def to_ox(self, term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        try:
            if isinstance(term, URIRef):
                return ox.NamedNode(term)
            if isinstance(term, Literal):
                if term.language:
                    return ox.Literal(term, language=term.language)
                return ox.Literal(term, datatype=ox.NamedNode(term.datatype or XSD.string))
        except ValueError as error:
            raise UnsupportedDataError(f"pyoxigraph cannot hold {show_term(term)}: {error}") from error
        copy = self.blank_nodes.get(term)
        if copy is None:
            copy = self.blank_nodes[term] = ox.BlankNode()
            self.blank_back[copy] = term
        return copy

    def from_ox(self, term: object) -> Node:
        if isinstance(term, ox.NamedNode):
            return self.graph.terms(URIRef(term.value))
        if isinstance(term, ox.BlankNode):
            return self.blank_back.get(term) or BNode(term.value)
        if isinstance(term, ox.Literal):
            datatype, language = term.datatype.value, term.language
            if self._literals is None:
                self._literals = {_literal_key(t): t for t in self.loaded_literals}
            known = self._literals.get((term.value, datatype, language))
            if known is not None:
                return known
            if language or datatype == XSD_STRING:
                return Literal(term.value, lang=language)
            return Literal(term.value, datatype=URIRef(datatype))
        raise UnsupportedDataError(f"a SPARQL query returned {term!r}, which is not an RDF term")

    def select(self, query: SparqlQuery, this: Node | None = None) -> list[dict[str, Node]]:
        """The query's solutions (bound variables only), with $this and $currentShape pre-bound."""
        substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {}
        if this is not None and query.binds_this:
            substitutions[_OX_THIS] = self.to_ox(this)
        if query.current_shape is not None:
            substitutions[_OX_CURRENT_SHAPE] = self.to_ox(query.current_shape)
        solutions = self.store().query(query.text, substitutions=substitutions)
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables if v.value not in query.hidden]
        rows = []
        for solution in solutions:
            row: dict[str, Node] = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = self.from_ox(term)
            rows.append(row)
        return rows


def _literal_nt(literal: Literal, suffixes: dict[str, str | None]) -> str | None:
    """A literal in N-Triples (``_nt``, faster: no regular expression per literal, datatypes cached as text)."""
    text = str(literal)
    if '"' in text or "\\" in text or "\n" in text or "\r" in text:
        text = _escaped(text)
    language = literal.language
    if language:
        return f'"{text}"@{language}'
    datatype = literal.datatype
    if datatype is None:
        return f'"{text}"'
    key = str(datatype)
    suffix = suffixes.get(key, "")
    if suffix == "":
        suffix = suffixes[key] = None if _NOT_IN_IRIREF.search(key) else f"^^<{key}>"
    return None if suffix is None else f'"{text}"{suffix}'


def _literal_key(literal: Literal) -> tuple[str, str, str | None]:
    if literal.language:
        return (str(literal), LANG_STRING, literal.language)
    return (str(literal), str(literal.datatype or XSD_STRING), None)
