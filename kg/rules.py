"""A fast OWL 2 RL closure: the same result as ``kg.reason.infer``, without running owlrl.

owlrl applies every OWL 2 RL rule to every triple of (data + ontology) in rounds until
nothing changes, which costs seconds for one article. Here the ontology is compiled once
into per-property and per-class rule tables, and the data is closed by semi-naive forward
chaining (each new triple is joined once with what is already known), then the filters of
``kg.reason.infer`` are applied.

Rules (OWL 2 RL names) and how they are covered:

- on the data: prp-dom, prp-rng, prp-spo1, prp-spo2 (chains of any length), prp-inv1/2,
  prp-trp, cax-sco, cax-eqc1/2, cls-hv1/2, cls-int1/2;
- on the ontology (its own triples only, once): scm-sco, scm-eqc1, scm-spo, scm-int and
  scm-cls's ``C rdfs:subClassOf owl:Thing`` become edges of the class and property tables;
  scm-dom1/2, scm-rng1/2, scm-eqc2, scm-eqp2, scm-op/dp and scm-hv add no entailment about
  individuals that the data rules above do not already give, so they need no table;
- the ontology's own assertions (``kgo:actual a kgo:FactualityValue`` …) are closed once and
  stand for "what the ontology alone entails", which ``infer`` excludes.

Everything else owlrl does only produces triples that ``infer`` drops (``owl:sameAs`` from
eq-ref, types of literals from the datatype rules, error nodes, facts about vocabulary
terms) or needs a construct outside the supported set. An ontology with such a construct
makes ``compile_rules`` raise :class:`UnsupportedOntologyError`. Data that itself speaks
the schema vocabulary (``owl:sameAs``, ``rdfs:subClassOf``, ``x a owl:Class`` … not already
in the ontology) is outside what the tables model: ``infer_fast`` then hands it to
``kg.reason.infer`` (exact, slow) and ``closure`` raises :class:`UnsupportedDataError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from threading import Lock

from owlrl.XsdDatatypes import OWL_RL_Datatypes
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from kg.mapper import new_graph
from kg.namespaces import PREFIXES
from kg.reason import infer

__all__ = [
    "Rules",
    "Triple",
    "UnsupportedDataError",
    "UnsupportedOntologyError",
    "closure",
    "compile_rules",
    "infer_fast",
]

Triple = tuple[Node, Node, Node]
_Index = dict[Node, dict[Node, set[Node]]]
_FrozenIndex = Mapping[Node, Mapping[Node, frozenset[Node]]]

TYPE = RDF.type
# Membership in a set compares hashes first: much cheaper than URIRef.__eq__, which is Python code.
_IS_TYPE = frozenset({TYPE})
_SAME_AS = frozenset({OWL.sameAs})
_THING_TYPING = frozenset({(TYPE, OWL.Thing)})
_META = (str(RDF), str(RDFS), str(OWL), str(XSD))
_DATATYPES = frozenset(URIRef(str(d)) for d in OWL_RL_Datatypes)


def _owl(*words: str) -> list[URIRef]:
    """OWL terms by local name: ``_owl("Class Thing")``."""
    return [OWL[name] for chunk in words for name in chunk.split()]


# Every predicate an owlrl rule reads by name (the schema), apart from rdf:type.
_SCHEMA_PREDICATES = frozenset(
    {
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        RDFS.domain,
        RDFS.range,
        RDF.first,
        RDF.rest,
        *_owl(
            "equivalentClass equivalentProperty inverseOf propertyChainAxiom propertyDisjointWith hasKey",
            "sourceIndividual assertionProperty targetIndividual targetValue sameAs differentFrom members",
            "distinctMembers intersectionOf unionOf complementOf someValuesFrom allValuesFrom hasValue",
            "maxCardinality maxQualifiedCardinality onClass onProperty oneOf disjointWith",
        ),
    }
)
# Every class owlrl reacts to in ``x rdf:type C`` (besides the subclass tables): metaclasses, owl:Nothing
# and the OWL 2 RL datatypes (explicit datatype typing is handled once, before the rounds).
_TYPE_TRIGGERS = frozenset(
    {
        RDF.Property,
        *_owl(
            "Class ObjectProperty DatatypeProperty FunctionalProperty InverseFunctionalProperty",
            "IrreflexiveProperty SymmetricProperty AsymmetricProperty TransitiveProperty",
            "AllDisjointProperties AllDifferent AllDisjointClasses Nothing",
        ),
        *_DATATYPES,
    }
)

# What the compiler implements.
_SUPPORTED_SCHEMA = frozenset(
    {
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        RDFS.domain,
        RDFS.range,
        RDF.first,
        RDF.rest,
        OWL.equivalentClass,
        OWL.inverseOf,
        OWL.propertyChainAxiom,
        OWL.onProperty,
        OWL.hasValue,
        OWL.intersectionOf,
    }
)
_SUPPORTED_DECLARATIONS = frozenset(
    {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property, OWL.TransitiveProperty}
)
# Vocabulary terms an ontology may use that no owlrl rule reads (annotations, declarations).
_INERT_PREDICATES = frozenset(
    {
        RDFS.label,
        RDFS.comment,
        RDFS.seeAlso,
        RDFS.isDefinedBy,
        *_owl("versionInfo versionIRI priorVersion backwardCompatibleWith incompatibleWith deprecated imports"),
    }
)
_INERT_TYPES = frozenset(
    {
        RDFS.Class,
        RDFS.Datatype,
        RDF.List,
        OWL.Thing,
        OWL.Restriction,
        OWL.Ontology,
        OWL.AnnotationProperty,
        OWL.NamedIndividual,
    }
)

_VOCABULARIES = tuple(PREFIXES.values())


class UnsupportedOntologyError(ValueError):
    """The ontology uses a construct the fast closure does not implement."""


class UnsupportedDataError(ValueError):
    """The data states schema (``owl:sameAs``, ``rdfs:subClassOf``, ``x a owl:Class``…) the tables do not model."""


def _is_meta(term: Node) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(_META)


@dataclass(frozen=True, slots=True)
class _PropertyRules:
    supers: tuple[Node, ...]  # prp-spo1
    domains: tuple[Node, ...]  # prp-dom
    ranges: tuple[Node, ...]  # prp-rng
    inverses: tuple[Node, ...]  # prp-inv1/2
    transitive: bool  # prp-trp
    chains: tuple[tuple[Node, tuple[Node, ...], int], ...]  # prp-spo2: (head, chain, position of this property)
    restrictions: Mapping[Node, tuple[Node, ...]]  # cls-hv2: value -> hasValue restrictions on this property


@dataclass(frozen=True, slots=True)
class _ClassRules:
    supers: tuple[Node, ...]  # cax-sco, cax-eqc1/2, cls-int2
    values: tuple[tuple[Node, Node], ...]  # cls-hv1: (property, value)
    intersections: tuple[tuple[Node, tuple[Node, ...]], ...]  # cls-int1: (intersection, its members)


@dataclass(frozen=True, slots=True)
class _State:
    seen: frozenset[Triple]
    forward: _FrozenIndex
    backward: _FrozenIndex


_EMPTY = _State(frozenset(), {}, {})


@dataclass(frozen=True)
class Rules:
    """An ontology compiled for :func:`closure`: rule tables and the closure of its own assertions."""

    properties: Mapping[Node, _PropertyRules]
    classes: Mapping[Node, _ClassRules]
    joined: frozenset[Node]  # properties that join with themselves or others (transitive, chain members)
    base: _State  # the ontology's own assertions, closed
    schema: frozenset[Triple]  # the ontology's schema triples (data repeating them changes nothing)
    list_nodes: frozenset[Node]

    def unsupported(self, triple: Triple) -> bool:
        """Whether a data triple speaks schema the tables do not model (and is not already in the ontology)."""
        s, p, o = triple
        if p in _IS_TYPE:
            special = o in _TYPE_TRIGGERS
        else:
            special = p in _SCHEMA_PREDICATES and (p not in (RDF.first, RDF.rest) or s in self.list_nodes)
        return special and triple not in self.schema

    def saturate(self, data: Iterable[Triple]) -> set[Triple]:
        """Close ``data`` together with the ontology's own assertions; return what the ontology alone does not entail
        (the data and everything that follows from it)."""
        return self._saturate(data, self.base)[0]

    def _saturate(self, data: Iterable[Triple], base: _State) -> tuple[set[Triple], _Index, _Index]:
        """Semi-naive forward chaining on top of ``base`` (closed): every new triple is indexed when it is
        found and joined with what is known when it is processed, so each join is seen by its later premise."""
        properties, classes, is_type = self.properties, self.classes, _IS_TYPE
        base_seen, base_forward, base_backward = base.seen, base.forward, base.backward
        seen: set[Triple] = set()
        forward: _Index = {p: {} for p in self.joined}
        backward: _Index = {p: {} for p in self.joined}
        work: list[Triple] = []
        no_index: dict[Node, frozenset[Node]] = {}

        def add(triple: Triple) -> None:
            if triple in seen or triple in base_seen:
                return
            seen.add(triple)
            work.append(triple)
            s, p, o = triple
            index = forward.get(p)
            if index is not None:
                index.setdefault(s, set()).add(o)
                backward[p].setdefault(o, set()).add(s)

        def successors(p: Node, x: Node) -> list[Node]:
            return [*forward[p].get(x, ()), *base_forward.get(p, no_index).get(x, ())]

        def predecessors(p: Node, x: Node) -> list[Node]:
            return [*backward[p].get(x, ()), *base_backward.get(p, no_index).get(x, ())]

        for triple in data:
            add(triple)
        while work:
            s, p, o = work.pop()
            if p in is_type:
                rules = classes.get(o)
                if rules is None:
                    continue
                for c in rules.supers:
                    add((s, TYPE, c))
                for q, v in rules.values:
                    add((s, q, v))
                for intersection, members in rules.intersections:
                    if all((s, TYPE, m) in seen or (s, TYPE, m) in base_seen for m in members):
                        add((s, TYPE, intersection))
                continue
            prop = properties.get(p)
            if prop is None:
                continue
            for q in prop.supers:
                add((s, q, o))
            for c in prop.domains:
                add((s, TYPE, c))
            for c in prop.ranges:
                add((o, TYPE, c))
            for q in prop.inverses:
                add((o, q, s))
            for r in prop.restrictions.get(o, ()):
                add((s, TYPE, r))
            if prop.transitive:
                for z in successors(p, o):
                    add((s, p, z))
                for w in predecessors(p, s):
                    add((w, p, o))
            for head, chain, position in prop.chains:
                lefts: set[Node] = {s}
                for j in range(position - 1, -1, -1):
                    lefts = {w for x in lefts for w in predecessors(chain[j], x)}
                rights: set[Node] = {o}
                for j in range(position + 1, len(chain)):
                    rights = {z for x in rights for z in successors(chain[j], x)}
                for left in lefts:
                    for right in rights:
                        add((left, head, right))
        return seen, forward, backward


class _Compiler:
    """Reads an ontology into rule tables, refusing what the tables cannot express."""

    def __init__(self, ontology: Graph) -> None:
        self.ontology = ontology
        self.class_supers: dict[Node, set[Node]] = {}
        self.property_supers: dict[Node, set[Node]] = {}
        self.domains: dict[Node, set[Node]] = {}
        self.ranges: dict[Node, set[Node]] = {}
        self.inverses: dict[Node, set[Node]] = {}
        self.transitive: set[Node] = set()
        self.chains: list[tuple[Node, tuple[Node, ...]]] = []
        self.intersections: list[tuple[Node, tuple[Node, ...]]] = []
        self.list_nodes: set[Node] = set()
        self.declared_classes: set[Node] = {OWL.Thing, OWL.Nothing}  # cls-thing, cls-nothing
        self.restrictions: set[Node] = set()
        self.schema: set[Triple] = set()
        self.assertions: list[Triple] = []

    @staticmethod
    def refuse(triple: Triple, why: str) -> UnsupportedOntologyError:
        s, p, o = triple
        return UnsupportedOntologyError(f"{s.n3()} {p.n3()} {o.n3()}: {why}")

    def a_class(self, term: Node, triple: Triple, datatype: bool = False) -> Node:
        if isinstance(term, Literal):
            raise self.refuse(triple, "a literal is not a class")
        if term == OWL.Thing or (datatype and (term in _DATATYPES or str(term).startswith(str(XSD)))):
            return term
        if _is_meta(term):
            raise self.refuse(triple, f"{term.n3()} is not supported as a class here")
        return term

    def a_property(self, term: Node, triple: Triple) -> Node:
        if not isinstance(term, URIRef):
            raise self.refuse(triple, "only named properties are supported (no inverse property expressions)")
        if term == TYPE or term in _SCHEMA_PREDICATES:
            raise self.refuse(triple, f"{term.n3()} is schema vocabulary, not supported as a property here")
        return term

    def a_list(self, head: Node, triple: Triple) -> tuple[Node, ...]:
        items: list[Node] = []
        node = head
        while node != RDF.nil:
            if node in self.list_nodes:
                raise self.refuse(triple, "cyclic or shared rdf:List")
            self.list_nodes.add(node)
            firsts = list(self.ontology.objects(node, RDF.first))
            rests = list(self.ontology.objects(node, RDF.rest))
            if len(firsts) != 1 or len(rests) != 1:
                raise self.refuse(triple, "malformed rdf:List")
            items.append(firsts[0])
            node = rests[0]
        return tuple(items)

    def read(self) -> None:
        for triple in self.ontology:
            _, p, o = triple
            if p == TYPE:
                if o in _TYPE_TRIGGERS:
                    self.declaration(triple)
                    continue
                if isinstance(o, URIRef) and _is_meta(o) and o not in _INERT_TYPES:
                    raise self.refuse(triple, f"{o.n3()} is not supported")
            elif p in _SUPPORTED_SCHEMA:
                self.schema.add(triple)
                self.axiom(triple)
                if p not in (RDF.first, RDF.rest):
                    continue
            elif p in _SCHEMA_PREDICATES or (_is_meta(p) and p not in _INERT_PREDICATES):
                raise self.refuse(triple, f"{p.n3()} is not supported")
            self.assertions.append(triple)

    def declaration(self, triple: Triple) -> None:
        s, _, o = triple
        if o not in _SUPPORTED_DECLARATIONS:
            raise self.refuse(triple, f"{o.n3()} is not supported")
        self.schema.add(triple)
        if o == OWL.Class:
            self.declared_classes.add(self.a_class(s, triple))
        elif o == OWL.TransitiveProperty:
            self.transitive.add(self.a_property(s, triple))

    def axiom(self, triple: Triple) -> None:
        s, p, o = triple
        if p == RDFS.subClassOf:
            self.class_supers.setdefault(self.a_class(s, triple), set()).add(self.a_class(o, triple))
        elif p == OWL.equivalentClass:
            self.class_supers.setdefault(self.a_class(s, triple), set()).add(self.a_class(o, triple))
            self.class_supers.setdefault(o, set()).add(s)
        elif p == RDFS.subPropertyOf:
            self.property_supers.setdefault(self.a_property(s, triple), set()).add(self.a_property(o, triple))
        elif p == RDFS.domain:
            self.domains.setdefault(self.a_property(s, triple), set()).add(self.a_class(o, triple, datatype=True))
        elif p == RDFS.range:
            self.ranges.setdefault(self.a_property(s, triple), set()).add(self.a_class(o, triple, datatype=True))
        elif p == OWL.inverseOf:
            self.inverses.setdefault(self.a_property(s, triple), set()).add(self.a_property(o, triple))
            self.inverses.setdefault(o, set()).add(s)
        elif p == OWL.propertyChainAxiom:
            chain = tuple(self.a_property(q, triple) for q in self.a_list(o, triple))
            self.chains.append((self.a_property(s, triple), chain))
        elif p in (OWL.onProperty, OWL.hasValue):
            self.restrictions.add(self.a_class(s, triple))
            if p == OWL.onProperty:
                self.a_property(o, triple)
        elif p == OWL.intersectionOf:
            members = tuple(self.a_class(c, triple) for c in self.a_list(o, triple))
            self.intersections.append((self.a_class(s, triple), members))

    def compile(self) -> Rules:
        self.read()
        for c in self.declared_classes - {OWL.Nothing}:  # scm-cls (owl:Nothing is never an individual's type here)
            self.class_supers.setdefault(c, set()).add(OWL.Thing)
        for intersection, members in self.intersections:  # scm-int
            self.class_supers.setdefault(intersection, set()).update(members)
        values: dict[Node, set[tuple[Node, Node]]] = {}
        by_value: dict[Node, dict[Node, set[Node]]] = {}
        for r in self.restrictions:  # cls-hv1/2, for every owl:onProperty x owl:hasValue pair, as owlrl does
            for q in self.ontology.objects(r, OWL.onProperty):
                for v in self.ontology.objects(r, OWL.hasValue):
                    values.setdefault(r, set()).add((q, v))
                    by_value.setdefault(q, {}).setdefault(v, set()).add(r)
        member_of: dict[Node, list[tuple[Node, tuple[Node, ...]]]] = {}
        for intersection, members in self.intersections:
            if members:  # owlrl: an empty intersection entails nothing
                for m in set(members):
                    member_of.setdefault(m, []).append((intersection, members))
        chains_of: dict[Node, list[tuple[Node, tuple[Node, ...], int]]] = {}
        for head, chain in self.chains:
            for position, q in enumerate(chain):
                chains_of.setdefault(q, []).append((head, chain, position))

        names = set(self.property_supers) | set(self.domains) | set(self.ranges) | set(self.inverses)
        names |= self.transitive | set(chains_of) | set(by_value)
        properties = {
            q: _PropertyRules(
                supers=tuple(self.property_supers.get(q, set()) - {q}),
                domains=tuple(self.domains.get(q, ())),
                ranges=tuple(self.ranges.get(q, ())),
                inverses=tuple(self.inverses.get(q, ())),
                transitive=q in self.transitive,
                chains=tuple(chains_of.get(q, ())),
                restrictions={v: tuple(rs) for v, rs in by_value.get(q, {}).items()},
            )
            for q in names
        }
        classes = {
            c: _ClassRules(
                supers=tuple(self.class_supers.get(c, set()) - {c}),
                values=tuple(values.get(c, ())),
                intersections=tuple(member_of.get(c, ())),
            )
            for c in set(self.class_supers) | set(values) | set(member_of)
        }
        joined = frozenset(self.transitive | {q for _, chain in self.chains for q in chain})
        rules = Rules(properties, classes, joined, _EMPTY, frozenset(self.schema), frozenset(self.list_nodes))
        seen, forward, backward = rules._saturate(self.assertions, _EMPTY)
        base = _State(
            frozenset(seen),
            {p: {x: frozenset(ys) for x, ys in index.items()} for p, index in forward.items()},
            {p: {x: frozenset(ys) for x, ys in index.items()} for p, index in backward.items()},
        )
        return Rules(properties, classes, joined, base, rules.schema, rules.list_nodes)


_CACHE: dict[int, tuple[Graph, int, Rules]] = {}
_CACHE_SIZE = 16
_CACHE_LOCK = Lock()


def compile_rules(ontology: Graph) -> Rules:
    """Compile ``ontology`` (cached per graph object while its size is unchanged).

    Raises UnsupportedOntologyError naming the first triple that uses a construct outside
    subclass/subproperty, domain/range, equivalent classes, inverses, transitive properties,
    property chains, owl:hasValue restrictions and owl:intersectionOf.
    """
    key = id(ontology)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
    if hit is not None and hit[0] is ontology and hit[1] == len(ontology):
        return hit[2]
    rules = _Compiler(ontology).compile()
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = (ontology, len(ontology), rules)
    return rules


def _data(asserted: Graph, context: Graph | None) -> set[Triple]:
    data = set(asserted)
    if context is not None:
        data.update(context)
    return data


def _refuse_data(rules: Rules, data: Iterable[Triple]) -> Triple | None:
    return next((triple for triple in data if rules.unsupported(triple)), None)


def closure(asserted: Graph, rules: Rules, context: Graph | None = None) -> set[Triple]:
    """Every triple of the OWL 2 RL closure of (asserted + context + ontology) that the ontology alone
    does not entail: the data itself and what follows from it, before any filtering.

    Raises UnsupportedDataError if the data states schema the tables do not model.
    """
    data = _data(asserted, context)
    refused = _refuse_data(rules, data)
    if refused is not None:
        s, p, o = refused
        raise UnsupportedDataError(f"{s.n3()} {p.n3()} {o.n3()}: schema in the data is not modelled")
    return rules.saturate(data)


def infer_fast(asserted: Graph, ontology: Graph, context: Graph | None = None, known: Graph | None = None) -> Graph:
    """``kg.reason.infer`` without owlrl: the same triples, in milliseconds.

    Data that ``closure`` does not model (see UnsupportedDataError) goes to ``kg.reason.infer``.
    Raises UnsupportedOntologyError if the ontology uses a construct the rules do not implement.
    """
    rules = compile_rules(ontology)
    triples = list(asserted)  # rdflib's iteration is the slow part: once
    data = set(triples)
    if context is not None:
        data.update(context)
    if _refuse_data(rules, data) is not None:
        return infer(asserted, ontology, context=context, known=known)
    derived = rules.saturate(data)
    # The filters of kg.reason.infer: new triples about the asserted graph's own nodes, artefacts dropped.
    # (Triples the ontology alone entails are not in ``derived``: they are in ``rules.base``.)
    nodes = {s for s, _, _ in triples} | {o for _, _, o in triples}
    subjects = {n for n in nodes if not isinstance(n, Literal) and not str(n).startswith(_VOCABULARIES)}
    candidates = [
        triple
        for triple in derived
        if triple[0] in subjects
        and triple not in data
        and triple[1] not in _SAME_AS
        and (triple[1], triple[2]) not in _THING_TYPING
        and not (triple[1] == TYPE and isinstance(triple[2], BNode))
    ]
    if known is not None:
        excluded: Graph | set[Triple] = set(known) if len(known) <= 4 * len(candidates) else known
        candidates = [triple for triple in candidates if triple not in excluded]
    inferred = new_graph()
    for triple in candidates:
        inferred.add(triple)
    return inferred
