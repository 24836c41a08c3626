"""The graph a validation sees: the data and the part of the ontology pyshacl mixes into it, indexed
once per validation with interned terms."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from kg.shacl.model import EMPTY, SUBCLASS, TYPE, Triple, terms_named

if TYPE_CHECKING:
    from kg.shacl.engine import Shapes


# pyshacl ("inoculation") copies from the ontology into its copy of the data graph: the subjects
# typed with these classes (a blank node with its whole description, an owl:NamedIndividual with
# everything it says and everything said of it, anything else with just that rdf:type triple)...
MIXED_CLASSES = terms_named(
    RDFS, "Class Container ContainerMembershipProperty Datatype Literal Resource"
) + terms_named(
    OWL,
    "AllDifferent AllDisjointClasses AllDisjointProperties Annotation AnnotationProperty AsymmetricProperty Axiom "
    "Class DataRange DatatypeProperty DeprecatedClass DeprecatedProperty FunctionalProperty "
    "InverseFunctionalProperty IrreflexiveProperty NamedIndividual NegativePropertyAssertion ObjectProperty "
    "Ontology OntologyProperty ReflexiveProperty Restriction SymmetricProperty TransitiveProperty",
)
# ...and every triple whose predicate is one of these (blank nodes copied).
MIXED_PROPERTIES = terms_named(
    RDFS, "comment domain isDefinedBy label member range seeAlso subClassOf subPropertyOf"
) + terms_named(
    OWL,
    "allValuesFrom annotatedProperty annotatedSource annotatedTarget assertionProperty cardinality complementOf "
    "datatypeComplementOf differentFrom disjointUnionOf disjointWith distinctMembers equivalentClass "
    "equivalentProperty hasKey hasSelf hasValue intersectionOf inverseOf maxCardinality maxQualifiedCardinality "
    "members minCardinality minQualifiedCardinality onClass onDataRange onDatatype onProperties onProperty oneOf "
    "propertyChainAxiom propertyDisjointWith qualifiedCardinality sameAs someValuesFrom sourceIndividual "
    "targetIndividual targetValue unionOf withRestrictions backwardCompatibleWith deprecated incompatibleWith "
    "priorVersion versionInfo bottomDataProperty topDataProperty bottomObjectProperty topObjectProperty imports "
    "versionIRI",
)
_CLONE_DEPTH = 10  # pyshacl stops copying a blank node's description this deep


class _Mixer:
    """The triples pyshacl adds to its copy of the data graph from the ontology, computed once.

    pyshacl copies blank nodes as fresh blank nodes, and a blank node met again inside another
    copy is copied again; so is it here (the copies' names differ from pyshacl's, which are random).
    """

    def __init__(self, ontology: Graph) -> None:
        self.ontology = ontology
        self.triples: set[Triple] = set()
        self.copies: dict[Node, Node] = {}
        self.individuals: dict[Node, Node] = {}

    def mix(self) -> set[Triple]:
        g = self.ontology
        for cls in MIXED_CLASSES:
            for subject in list(g.subjects(TYPE, cls)):
                copy: Node = subject
                if isinstance(subject, BNode):
                    copy = self.copy_of(subject)
                elif cls == OWL.NamedIndividual:
                    if subject not in self.individuals:
                        self.individuals[subject] = self.clone(subject, 0, deep=True)
                    copy = self.individuals[subject]
                self.triples.add((copy, TYPE, cls))
        for p in MIXED_PROPERTIES:
            for s, o in list(g.subject_objects(p)):
                self.triples.add((self.copy_of(s), p, self.copy_of(o)))
        for individual in self.individuals:
            for source, link in list(g.subject_predicates(individual)):
                if isinstance(link, URIRef):
                    self.triples.add((self.copy_of(source), link, individual))
        return self.triples

    def copy_of(self, node: Node) -> Node:
        """A blank node's one shared copy (made on first use); other nodes as they are."""
        if not isinstance(node, BNode):
            return node
        if node not in self.copies:
            self.copies[node] = self.clone_blank(node, 0)
        return self.copies[node]

    def clone(self, node: Node, depth: int, deep: bool = False) -> Node:
        if isinstance(node, Literal):
            return Literal(str(node), node.language, node.datatype)
        if isinstance(node, BNode):
            return self.clone_blank(node, depth + 1)
        if deep and depth < _CLONE_DEPTH:
            predicates = set(self.ontology.predicates(node))
            if RDF.first in predicates:
                return self.clone_list(node, depth)
            for p in predicates:
                for o in list(self.ontology.objects(node, p)):
                    self.triples.add((node, p, self.clone(o, depth + 1, deep)))
        return node

    def clone_blank(self, node: BNode, depth: int) -> Node:
        copy = BNode()
        if depth >= _CLONE_DEPTH:
            return copy
        predicates = set(self.ontology.predicates(node))
        if RDF.first in predicates:
            return self.clone_list(node, depth)
        for p in predicates:
            for o in list(self.ontology.objects(node, p)):
                self.triples.add((copy, p, self.clone(o, depth + 1)))
        return copy

    def clone_list(self, head: Node, depth: int) -> Node:
        copy: Node = BNode() if isinstance(head, BNode) else head
        cell: Node | None = None
        for item in list(self.ontology.items(head)):
            item_copy = self.clone(item, depth + 1)
            if cell is None:
                cell = copy
            else:
                rest = BNode()
                self.triples.add((cell, RDF.rest, rest))
                cell = rest
            self.triples.add((cell, RDF.first, item_copy))
        if cell is not None:
            self.triples.add((cell, RDF.rest, RDF.nil))
        return copy


_Table = dict[Node, dict[Node, set[Node]]]
_ListTable = dict[Node, dict[Node, list[Node]]]


class Terms:
    """One object per IRI and blank node, found by its text.

    rdflib compares terms in Python (``Identifier.__eq__``), and a dict or set lookup calls it
    whenever the key found is an equal but different object, which is most of the time: the data's
    triples each carry their own term objects. Interned, equal terms are identical and lookups stay
    in C. The compiled shapes' constants are interned first, so they are the canonical objects.
    """

    __slots__ = ("blanks", "iris")

    def __init__(self, iris: dict[str, Node] | None = None, blanks: dict[str, Node] | None = None) -> None:
        self.iris: dict[str, Node] = dict(iris or {})
        self.blanks: dict[str, Node] = dict(blanks or {})

    def copy(self) -> Terms:
        return Terms(self.iris, self.blanks)

    def __call__(self, term: Node) -> Node:
        kind = type(term)
        if kind is URIRef:
            table = self.iris
        elif kind is BNode:
            table = self.blanks
        else:
            return term
        key = str(term)
        found = table.get(key)
        if found is None:
            table[key] = term
            return term
        return found


@dataclass(frozen=True)
class MixedOntology:
    """The mixed-in ontology, indexed once (with interned terms). Shared by every validation: read only."""

    triples: frozenset[Triple]
    out: _ListTable
    back: _Table

    @classmethod
    def of(cls, ontology: Graph | None, terms: Terms) -> MixedOntology:
        mixed = () if ontology is None else _Mixer(ontology).mix()
        triples = frozenset((terms(s), terms(p), terms(o)) for s, p, o in mixed)
        out: _ListTable = {}
        back: _Table = {}
        for s, p, o in triples:
            out.setdefault(s, {}).setdefault(p, []).append(o)
            back.setdefault(p, {}).setdefault(o, set()).add(s)
        return cls(triples, out, back)


class ValidationGraph:
    """Data ∪ mixed-in ontology, indexed for one validation, with interned terms.

    ``out`` maps subject → predicate → objects (for every predicate, or only those the shapes
    read forwards); ``back`` maps predicate → object → subjects for the predicates read backwards;
    ``by_predicate`` (when SPARQL needs the data) lists the data's triples by predicate. The sets
    handed out may be shared with the ontology's tables: callers must not modify them.
    """

    __slots__ = ("_classes", "_subclasses", "_superclasses", "back", "by_predicate", "out", "terms")

    def __init__(self, triples: Collection[Triple], compiled: Shapes) -> None:
        terms = compiled.terms.copy()
        iris, blanks = terms.iris, terms.blanks
        forward, backward, grouped = compiled.forward, compiled.backward, compiled.grouped
        out: _ListTable = {}
        back: _Table = {p: {} for p in backward}
        by_predicate: dict[Node, list[Triple]] = {}
        grouping = grouped is None or bool(grouped)
        # One pass, interning inline (a call per term would cost as much as the rest), keyed on
        # the plain string (rdflib's own hash is slower): the predicate first, then subject and
        # object only for the triples something reads.
        for s, p, o in triples:
            if type(p) is URIRef:
                p = iris.setdefault(str(p), p)
            ahead = forward is None or p in forward
            table = back.get(p)
            listed = grouped is None or p in grouped
            if not (ahead or table is not None or listed):
                continue
            if type(s) is URIRef:
                s = iris.setdefault(str(s), s)
            elif type(s) is BNode:
                s = blanks.setdefault(str(s), s)
            if type(o) is URIRef:
                o = iris.setdefault(str(o), o)
            elif type(o) is BNode:
                o = blanks.setdefault(str(o), o)
            if ahead:
                po = out.get(s)
                if po is None:
                    out[s] = {p: [o]}
                else:
                    objects = po.get(p)
                    if objects is None:
                        po[p] = [o]
                    else:
                        objects.append(o)
            if table is not None:
                subjects = table.get(o)
                if subjects is None:
                    table[o] = {s}
                else:
                    subjects.add(s)
            if listed:
                group = by_predicate.get(p)
                if group is None:
                    by_predicate[p] = [(s, p, o)]
                else:
                    group.append((s, p, o))
        base = compiled.mixed
        for s, po in base.out.items():
            mine = out.get(s)
            if mine is None:
                out[s] = po
            else:
                for p, objects in po.items():
                    current = mine.get(p)
                    mine[p] = objects if current is None else current + [o for o in objects if o not in current]
        for p, table in back.items():
            for o, subjects in base.back.get(p, {}).items():
                present = table.get(o)
                table[o] = subjects if present is None else present | subjects
        self.terms = terms
        self.out = out
        self.back = back
        self.by_predicate: dict[Node, list[Triple]] | None = by_predicate if grouping else None
        self._superclasses: dict[Node, AbstractSet[Node]] = {}
        self._subclasses: dict[Node, AbstractSet[Node]] = {}
        self._classes: dict[Node, AbstractSet[Node]] = {}

    def objects(self, s: Node, p: Node) -> Collection[Node]:
        po = self.out.get(s)
        return EMPTY if po is None else po.get(p, EMPTY)

    def subjects(self, p: Node, o: Node) -> AbstractSet[Node]:
        return self.back[p].get(o, EMPTY)

    def superclasses(self, cls: Node) -> AbstractSet[Node]:
        """``cls`` and everything it is an rdfs:subClassOf, transitively (rdflib's transitive_objects)."""
        found = self._superclasses.get(cls)
        if found is None:
            found = self._superclasses[cls] = _reach(cls, lambda c: self.objects(c, SUBCLASS))
        return found

    def subclasses(self, cls: Node) -> AbstractSet[Node]:
        """``cls`` and everything that is an rdfs:subClassOf it, transitively (rdflib's transitive_subjects)."""
        found = self._subclasses.get(cls)
        if found is None:
            found = self._subclasses[cls] = _reach(cls, lambda c: self.subjects(SUBCLASS, c))
        return found

    def classes_of(self, node: Node) -> AbstractSet[Node]:
        """Every class ``node`` is an instance of: its types and all they are subclasses of."""
        classes = self._classes.get(node)
        if classes is None:
            classes = self._classes[node] = frozenset().union(*(self.superclasses(t) for t in self.objects(node, TYPE)))
        return classes

    def is_instance(self, node: Node, cls: Node) -> bool:
        """pyshacl's sh:class test: one of ``node``'s types is ``cls`` or a subclass of it."""
        return cls in self.classes_of(node)

    def instances(self, cls: Node) -> set[Node]:
        """The subjects typed ``cls`` or a subclass of it (a class target)."""
        out: set[Node] = set()
        for c in self.subclasses(cls):
            out |= self.subjects(TYPE, c)
        return out


def _reach(start: Node, step: Callable[[Node], Collection[Node]]) -> frozenset[Node]:
    seen = {start}
    todo = [start]
    while todo:
        for nxt in step(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return frozenset(seen)


def triples_of(data: Graph | Iterable[Triple]) -> Collection[Triple]:
    """The data's triples, as a set (kept as it is when it is one already)."""
    return data if isinstance(data, set | frozenset) else set(data)
