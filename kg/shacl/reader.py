"""Reading a shapes graph the way pyshacl harvests it, into shapes and constraint components,
refusing what the compiled validator does not implement."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TypeAlias

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg.shacl.components import (
    NODE_KINDS,
    ClassConstraint,
    ClosedConstraint,
    Component,
    CountConstraint,
    DatatypeConstraint,
    HasValueConstraint,
    InConstraint,
    LanguageInConstraint,
    LengthConstraint,
    LessThanConstraint,
    LogicalConstraint,
    NodeConstraint,
    NodeKindConstraint,
    NotConstraint,
    PatternConstraint,
    PropertyConstraint,
    PropertyPairConstraint,
    QualifiedConstraint,
    RangeConstraint,
    Shape,
    SparqlConstraint,
    Targets,
    UniqueLangConstraint,
    ValueConstraint,
)
from kg.shacl.data import Terms, ValidationGraph
from kg.shacl.model import (
    EMPTY,
    SUBCLASS,
    TYPE,
    AlternativePath,
    InversePath,
    Path,
    PredicatePath,
    SequencePath,
    UnsupportedShapesError,
    ZeroOrMorePath,
    ZeroOrOnePath,
    path_from_graph,
    rdf_list,
    render_path,
    show_term,
    terms_named,
)
from kg.shacl.sparql import (
    BINDS_CURRENT_SHAPE,
    BINDS_THIS,
    PATH_VARIABLE,
    Footprint,
    SparqlQuery,
    declared_prefixes,
    read_query,
    string_literal,
)

_SHACL = str(SH)
_KNOWN_SHACL = frozenset(
    terms_named(
        SH,
        "targetClass targetNode targetSubjectsOf targetObjectsOf target path severity message deactivated name "
        "description order group defaultValue inversePath alternativePath zeroOrMorePath oneOrMorePath "
        "zeroOrOnePath class datatype nodeKind minCount maxCount minExclusive minInclusive maxExclusive "
        "maxInclusive minLength maxLength pattern flags languageIn uniqueLang equals disjoint lessThan "
        "lessThanOrEquals not and or xone node property qualifiedValueShape qualifiedMinCount qualifiedMaxCount "
        "qualifiedValueShapesDisjoint closed ignoredProperties hasValue in sparql select prefixes declare prefix "
        "namespace NodeShape PropertyShape Shape SPARQLConstraint SPARQLTarget PropertyGroup Violation Warning "
        "Info IRI BlankNode Literal BlankNodeOrIRI BlankNodeOrLiteral IRIOrLiteral",
    )
)
_SHAPE_EXPECTING = (SH.property, SH.node, SH["not"], SH.qualifiedValueShape)
_LIST_OF_SHAPES = (SH["and"], SH["or"], SH.xone)
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetObjectsOf, SH.targetSubjectsOf)
_WHOLE_INTEGERS = frozenset(
    terms_named(
        XSD,
        "integer int long negativeInteger nonNegativeInteger nonPositiveInteger positiveInteger short "
        "unsignedByte unsignedInt unsignedLong unsignedShort",
    )
)
_QUALIFIED = (SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint)
_SPARQL_NODE_TERMS = frozenset({SH.select, SH.prefixes, SH.message, SH.deactivated})
_MAX_NESTING = 15  # pyshacl stops with "Validation path too deep" at this many nested shapes
_ValueFunction: TypeAlias = Callable[[ValidationGraph, Node], Collection[Node]]


@dataclass
class Needs:
    """What the shapes read from the data: predicates forwards (or all), backwards, and SPARQL's footprint."""

    forward: set[Node] = field(default_factory=lambda: {TYPE})
    forward_all: bool = False
    backward: set[Node] = field(default_factory=set)
    footprint: Footprint = field(default_factory=Footprint)
    sparql: bool = False
    terms: Terms = field(default_factory=lambda: _seeded_terms())

    def classes(self) -> None:
        self.forward |= {TYPE, SUBCLASS}
        self.backward |= {TYPE, SUBCLASS}


def _seeded_terms() -> Terms:
    terms = Terms()
    for constant in (TYPE, SUBCLASS, RDFS.Resource):  # so that the module's constants are the canonical objects
        terms(constant)
    return terms


def _path_function(path: Path, needs: Needs, inverse: bool = False) -> _ValueFunction:
    """How pyshacl collects a path's value nodes: an inverse is pushed down to every step, so it
    turns ``^(a/b)`` into ``^a/^b`` (not ``^b/^a``)."""
    if isinstance(path, PredicatePath):
        return _step(path.iri, needs, inverse)
    if isinstance(path, InversePath):
        return _path_function(path.path, needs, not inverse)
    if isinstance(path, SequencePath | AlternativePath):
        parts = [_path_function(p, needs, inverse) for p in path.paths]
        return _sequence(parts) if isinstance(path, SequencePath) else _alternative(parts)
    inner = _path_function(path.path, needs, inverse)
    if isinstance(path, ZeroOrOnePath):
        return lambda g, n: {n, *inner(g, n)}
    return _repeat(inner, isinstance(path, ZeroOrMorePath))


def _step(iri: URIRef, needs: Needs, inverse: bool) -> _ValueFunction:
    p = needs.terms(iri)
    if inverse:
        needs.backward.add(p)

        def backward(g: ValidationGraph, n: Node) -> Collection[Node]:
            return g.back[p].get(n, EMPTY)

        return backward
    needs.forward.add(p)

    def forward(g: ValidationGraph, n: Node) -> Collection[Node]:
        po = g.out.get(n)
        return EMPTY if po is None else po.get(p, EMPTY)

    return forward


def _sequence(parts: list[_ValueFunction]) -> _ValueFunction:
    def values(g: ValidationGraph, n: Node) -> Collection[Node]:
        current: Collection[Node] = (n,)
        for part in parts:
            reached: set[Node] = set()
            for node in current:
                reached.update(part(g, node))
            current = reached
        return current

    return values


def _alternative(parts: list[_ValueFunction]) -> _ValueFunction:
    def values(g: ValidationGraph, n: Node) -> Collection[Node]:
        out: set[Node] = set()
        for part in parts:
            out.update(part(g, n))
        return out

    return values


def _repeat(inner: _ValueFunction, zero: bool) -> _ValueFunction:
    def values(g: ValidationGraph, n: Node) -> Collection[Node]:
        out: set[Node] = {n} if zero else set()
        todo = set(inner(g, n))
        while todo:
            node = todo.pop()
            if node not in out:
                out.add(node)
                todo.update(inner(g, node))
        return out

    return values


class Reader:
    """Reads a shapes graph the way pyshacl harvests it, refusing what the engine does not implement."""

    def __init__(self, graph: Graph, allowed: frozenset[Node]) -> None:
        self.g = graph
        self.allowed = allowed
        self.shapes: dict[Node, Shape] = {}
        self.references: dict[Node, list[Node]] = {}
        self.needs = Needs()

    def read(self) -> list[Shape]:
        self.check_vocabulary()
        for node, path in self.harvest().items():
            self.shapes[node] = self.new_shape(node, path)
        for shape in self.shapes.values():
            shape.components = tuple(self.components(shape))
            shape.targets = self.targets(shape)
            if shape.values is None and all(isinstance(c, ValueConstraint) for c in shape.components):
                shape.tests = tuple(c.ok for c in shape.components if isinstance(c, ValueConstraint))
        for shape in self.shapes.values():
            for component in shape.components:
                component.prepare()
        self.check_nesting()
        return list(self.shapes.values())

    def check_vocabulary(self) -> None:
        """Refuse every SHACL term the engine does not know (rules, functions, custom components, JS...)."""
        unknown: dict[Node, set[str]] = {}
        for triple in self.g:
            for term in triple:
                if isinstance(term, URIRef) and term.startswith(_SHACL) and term not in _KNOWN_SHACL:
                    unknown.setdefault(triple[0], set()).add(show_term(term))
        if unknown:
            subject = min(unknown, key=lambda n: (not isinstance(n, URIRef), str(n)))
            terms = sorted(set().union(*unknown.values()))
            raise self.refuse(subject, f"{', '.join(terms)} {'is' if len(terms) == 1 else 'are'} not supported")

    def term(self, node: Node) -> Node:
        return self.needs.terms(node)

    def describe(self, node: Node, depth: int = 0) -> str:
        """A shape for a message: a blank node through the shape that holds it (``ex:S sh:property [ex:p]``)."""
        if not isinstance(node, BNode) or depth > 5:
            return show_term(node)
        paths = list(self.g.objects(node, SH.path))
        try:
            label = f"[{render_path(path_from_graph(self.g, paths[0]))}]" if len(paths) == 1 else "[]"
        except UnsupportedShapesError:
            label = "[]"
        for link in (*_SHAPE_EXPECTING, SH.sparql, SH.target):
            for parent in self.g.subjects(link, node):
                return f"{self.describe(parent, depth + 1)} {show_term(link)} {label}"
        head = self.list_holding(node)
        for owner, through in self.g.subject_predicates(head) if head is not None else ():
            if through in _LIST_OF_SHAPES:
                return f"{self.describe(owner, depth + 1)} {show_term(through)} member {label}"
        return show_term(node)

    def list_holding(self, member: Node) -> Node | None:
        """The head of the RDF list ``member`` is in, if any."""
        cells: list[Node] = list(self.g.subjects(RDF.first, member))
        seen: set[Node] = set()
        while cells and cells[0] not in seen:
            seen.add(cells[0])
            previous: list[Node] = list(self.g.subjects(RDF.rest, cells[0]))
            if not previous:
                return cells[0]
            cells = previous
        return None

    def refuse(self, node: Node, why: str) -> UnsupportedShapesError:
        return UnsupportedShapesError(self.describe(node), why)

    def one(self, node: Node, p: URIRef) -> Node | None:
        values = list(self.g.objects(node, p))
        if len(values) > 1:
            raise self.refuse(node, f"more than one {show_term(p)}")
        return values[0] if values else None

    def harvest(self) -> dict[Node, Node | None]:
        """Every shape (node → its sh:path, None for a node shape), found as pyshacl finds them."""
        g = self.g
        declared_nodes = set(g.subjects(TYPE, SH.NodeShape))
        declared_properties = set(g.subjects(TYPE, SH.PropertyShape))
        implied = {s for p in (*_TARGETS, SH.property, SH.node) for s in g.subjects(p, None)}
        implied |= {o for p in _SHAPE_EXPECTING for o in g.objects(None, p)}
        for p in _LIST_OF_SHAPES:
            for owner, head in g.subject_objects(p):
                members = rdf_list(g, head, self.describe(owner))
                if not members:
                    raise self.refuse(owner, f"{show_term(p)} needs a non-empty list of shapes")
                implied.update(members)
        found: dict[Node, Node | None] = {}
        for node in declared_nodes | declared_properties | implied:
            if isinstance(node, Literal):
                raise self.refuse(node, "a literal cannot be a shape")
            paths = list(g.objects(node, SH.path))
            if node in declared_nodes and (paths or node in declared_properties):
                raise self.refuse(node, "a sh:NodeShape cannot have a sh:path or be a sh:PropertyShape")
            if len(paths) > 1 or (node in declared_properties and not paths):
                raise self.refuse(node, "a property shape needs exactly one sh:path")
            found[node] = paths[0] if paths else None
        return found

    def new_shape(self, node: Node, path_node: Node | None) -> Shape:
        severity = self.one(node, SH.severity) or SH.Violation
        messages = tuple(self.messages(node))
        try:
            path = None if path_node is None else path_from_graph(self.g, path_node)
        except UnsupportedShapesError as error:
            raise self.refuse(node, f"{error.why} (in its sh:path)") from error
        shape = Shape(node, path, severity, messages)
        shape.allowed = severity in self.allowed
        deactivated = self.one(node, SH.deactivated)
        if deactivated is not None:
            if not isinstance(deactivated, Literal):
                raise self.refuse(node, "sh:deactivated must be a literal")
            shape.deactivated = bool(deactivated.value)
        if path is not None:
            shape.values = _path_function(path, self.needs)
            if isinstance(path, PredicatePath):
                shape.predicate = self.term(path.iri)
        return shape

    def messages(self, node: Node) -> list[Literal]:
        out = []
        for message in self.g.objects(node, SH.message):
            if not isinstance(message, Literal) or not isinstance(message.value, str):
                raise self.refuse(node, f"sh:message {show_term(message)} is not a string")
            out.append(message)
        return out

    def shape(self, owner: Node, node: Node, kind: str | None = None) -> Shape:
        """The shape ``owner`` refers to (``kind`` "node" or "property" if it must be one)."""
        shape = self.shapes.get(node)
        if shape is None or (kind == "node" and shape.path is not None) or (kind == "property" and shape.path is None):
            raise self.refuse(owner, f"{show_term(node)} is not a {kind or 'SHACL'} shape")
        self.references.setdefault(owner, []).append(node)
        return shape

    def literal(self, node: Node, p: URIRef, check: Callable[[Literal], bool]) -> Literal:
        value = self.one(node, p)
        if not isinstance(value, Literal) or not check(value):
            raise self.refuse(
                node, f"{show_term(p)} has an invalid value {show_term(value) if value is not None else '(none)'}"
            )
        return value

    def components(self, shape: Shape) -> list[Component]:
        node, g = shape.node, self.g
        present = set(g.predicates(node))
        out: list[Component] = []
        for cls in g.objects(node, SH["class"]):
            self.needs.classes()
            out.append(ClassConstraint(shape, self.term(cls)))
        if SH.datatype in present:
            out.append(DatatypeConstraint(shape, self.one(node, SH.datatype)))  # type: ignore[arg-type]
        if SH.nodeKind in present:
            out.append(NodeKindConstraint(shape, NODE_KINDS.get(self.one(node, SH.nodeKind), ())))  # type: ignore[arg-type]
        for p, minimum in ((SH.minCount, True), (SH.maxCount, False)):
            if p in present:
                self.property_only(shape, p)
                count = self.literal(node, p, lambda v: v.datatype == XSD.integer and isinstance(v.value, int))
                if int(count.value) < 0:
                    raise self.refuse(node, f"{show_term(p)} must not be negative")
                out.append(CountConstraint(shape, int(count.value), minimum))
        for p in RangeConstraint.TESTS:
            for bound in g.objects(node, p):
                if not isinstance(bound, Literal):
                    raise self.refuse(node, f"{show_term(p)} must be a literal")
                out.append(RangeConstraint(shape, p, bound))
        out += [NotConstraint(shape, self.shape(node, other)) for other in g.objects(node, SH["not"])]
        for p in _LIST_OF_SHAPES:
            for head in g.objects(node, p):
                members = [self.shape(node, m) for m in rdf_list(g, head, self.describe(node))]
                if p != SH.xone:  # pyshacl reads sh:and and sh:or lists as sets
                    members = list(dict.fromkeys(members))
                out.append(LogicalConstraint(shape, p, tuple(members)))
        out += self.string_components(shape, present)
        out += self.pair_components(shape)
        out += [NodeConstraint(shape, self.shape(node, other, "node")) for other in g.objects(node, SH.node)]
        out += [
            PropertyConstraint(shape, self.shape(node, other, "property")) for other in g.objects(node, SH.property)
        ]
        if shape.path is not None and any(p in present for p in _QUALIFIED):
            out += self.qualified(shape)
        if SH.closed in present or SH.ignoredProperties in present:
            out += self.closed(shape)
        out += [HasValueConstraint(shape, self.term(value)) for value in g.objects(node, SH.hasValue)]
        if SH["in"] in present:
            listed = rdf_list(g, self.one(node, SH["in"]), self.describe(node))  # type: ignore[arg-type]
            out.append(InConstraint(shape, frozenset(self.term(m) for m in listed)))
        for constraint in g.objects(node, SH.sparql):
            query = self.sparql_constraint(shape, constraint)
            if query is not None:
                out.append(SparqlConstraint(shape, query))
        return out

    def property_only(self, shape: Shape, p: URIRef) -> None:
        if shape.path is None:
            raise self.refuse(shape.node, f"{show_term(p)} is only allowed on property shapes")

    def string_components(self, shape: Shape, present: set[Node]) -> list[Component]:
        node, g = shape.node, self.g
        out: list[Component] = []
        for p, minimum in ((SH.minLength, True), (SH.maxLength, False)):
            if p in present:
                limit = self.literal(
                    node,
                    p,
                    lambda v: (
                        getattr(v, "ill_typed", False) is not True
                        and v.datatype in _WHOLE_INTEGERS
                        and isinstance(v.value, int)
                        and v.value >= 0
                    ),
                )
                out.append(LengthConstraint(shape, int(limit.value), minimum))
        flags = 0
        if SH.flags in present:
            text = str(self.literal(node, SH.flags, lambda v: True).value).lower()
            flags = (re.IGNORECASE if "i" in text else 0) | (re.MULTILINE if "m" in text else 0)
        for pattern in g.objects(node, SH.pattern):
            if not isinstance(pattern, Literal) or not isinstance(pattern.value, str):
                raise self.refuse(node, f"sh:pattern {show_term(pattern)} is not a string")
            try:
                out.append(PatternConstraint(shape, re.compile(str(pattern), flags)))
            except re.error as error:
                raise self.refuse(node, f"sh:pattern {show_term(pattern)}: {error}") from error
        if SH.languageIn in present:
            languages = rdf_list(g, self.one(node, SH.languageIn), self.describe(node))  # type: ignore[arg-type]
            if not all(isinstance(v, Literal) and isinstance(v.value, str) for v in languages):
                raise self.refuse(node, "sh:languageIn members must be strings")
            out.append(LanguageInConstraint(shape, frozenset(str(v).lower() for v in languages)))
        if SH.uniqueLang in present:
            self.property_only(shape, SH.uniqueLang)
            if self.literal(node, SH.uniqueLang, lambda v: isinstance(v.value, bool)).value:
                out.append(UniqueLangConstraint(shape))
        return out

    def pair_components(self, shape: Shape) -> list[Component]:
        out: list[Component] = []
        for p in (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals):
            for predicate in self.g.objects(shape.node, p):
                if not isinstance(predicate, URIRef):
                    raise self.refuse(shape.node, f"{show_term(p)} must be an IRI")
                predicate = self.term(predicate)
                self.needs.forward.add(predicate)
                if p in (SH.equals, SH.disjoint):
                    out.append(PropertyPairConstraint(shape, p, predicate))
                else:
                    self.property_only(shape, p)
                    out.append(LessThanConstraint(shape, p, predicate))
        return out

    def qualified(self, shape: Shape) -> list[Component]:
        node, g = shape.node, self.g
        counts: list[int | None] = []
        for p in (SH.qualifiedMinCount, SH.qualifiedMaxCount):
            value = self.one(node, p)
            if value is not None and (not isinstance(value, Literal) or not isinstance(value.value, int)):
                raise self.refuse(node, f"{show_term(p)} must be an integer")
            counts.append(None if value is None else int(value.value))
        others = list(g.objects(node, SH.qualifiedValueShape))
        if not others or counts == [None, None]:
            raise self.refuse(node, "sh:qualifiedValueShape needs sh:qualifiedMinCount or sh:qualifiedMaxCount")
        disjoint = any(
            isinstance(d, Literal) and isinstance(d.value, bool) and d.value
            for d in g.objects(node, SH.qualifiedValueShapesDisjoint)
        )
        out: list[Component] = []
        for other in others:
            component = QualifiedConstraint(shape, self.shape(node, other), counts[0], counts[1], disjoint)
            if disjoint:
                siblings = {
                    s
                    for parent in g.subjects(SH.property, node)
                    for sibling in g.objects(parent, SH.property)
                    for s in g.objects(sibling, SH.qualifiedValueShape)
                    if s != other
                }
                component.siblings = tuple(self.shape(node, s) for s in siblings)
            out.append(component)
        return out

    def closed(self, shape: Shape) -> list[Component]:
        node, g = shape.node, self.g
        if SH.closed not in set(g.predicates(node)):
            raise self.refuse(node, "sh:ignoredProperties needs sh:closed")
        if not self.literal(node, SH.closed, lambda v: True).value:
            return []
        ignored = {p for head in g.objects(node, SH.ignoredProperties) for p in rdf_list(g, head, self.describe(node))}
        declared = {self.shape(node, p, "property").path for p in g.objects(node, SH.property)}
        self.needs.forward_all = True
        paths = {p.iri for p in declared if isinstance(p, PredicatePath)}
        return [ClosedConstraint(shape, frozenset(self.term(p) for p in ignored | paths))]

    def sparql_constraint(self, shape: Shape, node: Node) -> SparqlQuery | None:
        """The constraint's query, or None if it is deactivated."""
        g = self.g
        for p in set(g.predicates(node)):
            if isinstance(p, URIRef) and p.startswith(_SHACL) and p not in _SPARQL_NODE_TERMS:
                raise self.refuse(node, f"{show_term(p)} on a SPARQL constraint is not supported (pyshacl ignores it)")
        where = self.describe(node)
        select = string_literal(g, node, SH.select, where)
        if select is None:
            raise self.refuse(node, "a SPARQL constraint needs one sh:select")
        deactivated = self.one(node, SH.deactivated)
        if deactivated is not None and not (isinstance(deactivated, Literal) and isinstance(deactivated.value, bool)):
            raise self.refuse(node, "sh:deactivated must be a boolean")
        text = select
        if PATH_VARIABLE.search(text):
            if shape.path is None:
                raise self.refuse(node, "$PATH in a SPARQL constraint of a node shape")
            path_text = render_path(shape.path)
            text = PATH_VARIABLE.sub(lambda m: m.group(1) + path_text, text)
        binds_this, binds_shape = BINDS_THIS.search(select) is not None, BINDS_CURRENT_SHAPE.search(select) is not None
        prebound = tuple(n for n, bound in (("this", binds_this), ("currentShape", binds_shape)) if bound)
        full, footprint, hidden = read_query(text, where, declared_prefixes(g, node, where), False, prebound)
        if deactivated is not None and deactivated.value:
            return None
        self.needs.footprint |= footprint
        self.needs.sparql = True
        return SparqlQuery(
            node,
            full,
            binds_this=binds_this,
            current_shape=shape.node if binds_shape else None,
            footprint=footprint,
            messages=tuple(self.messages(node)),
            hidden=hidden,
        )

    def targets(self, shape: Shape) -> Targets:
        node, g = shape.node, self.g
        classes = [self.term(c) for c in g.objects(node, SH.targetClass)]
        class_types = {RDFS.Class, OWL.Class, *g.subjects(SUBCLASS, RDFS.Class)}
        if any(t in class_types for t in g.objects(node, TYPE)):
            classes.append(self.term(node))  # an implicit class target
        if classes:
            self.needs.classes()
        subjects_of = [self.term(p) for p in g.objects(node, SH.targetSubjectsOf)]
        objects_of = [self.term(p) for p in g.objects(node, SH.targetObjectsOf)]
        self.needs.backward.update(subjects_of, objects_of)
        queries = []
        for target in g.objects(node, SH.target):
            if not ((target, SH.select, None) in g or (target, TYPE, SH.SPARQLTarget) in g):
                raise self.refuse(
                    node, f"sh:target {show_term(target)} is not a SPARQL target (no other kind is supported)"
                )
            where = self.describe(target)
            select = string_literal(g, target, SH.select, where)
            if select is None:
                raise self.refuse(target, "a SPARQL target needs one sh:select")
            full, footprint, _ = read_query(select, where, declared_prefixes(g, target, where), target=True)
            self.needs.footprint |= footprint
            self.needs.sparql = True
            queries.append(SparqlQuery(target, full, binds_this=False, current_shape=None, footprint=footprint))
        return Targets(
            tuple(self.term(n) for n in g.objects(node, SH.targetNode)),
            tuple(classes),
            tuple(subjects_of),
            tuple(objects_of),
            tuple(queries),
        )

    def check_nesting(self) -> None:
        """Refuse recursive shapes (pyshacl's recursion handling is heuristic) and nesting too deep for it."""
        depth: dict[Node, int] = {}
        active: list[Node] = []

        def visit(node: Node) -> int:
            if node in active:
                cycle = " -> ".join(self.describe(n) for n in [*active[active.index(node) :], node])
                raise UnsupportedShapesError(self.describe(node), f"recursive shapes are not supported: {cycle}")
            if node not in depth:
                active.append(node)
                depth[node] = 1 + max((visit(n) for n in self.references.get(node, ())), default=0)
                active.pop()
            return depth[node]

        for node in self.shapes:
            if visit(node) > _MAX_NESTING:
                raise self.refuse(node, f"shapes nested more than {_MAX_NESTING} deep")
