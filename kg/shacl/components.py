"""Constraint components: one class each, evaluated the way pyshacl evaluates it (results, and
whether the focus nodes conform)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, TypeAlias

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from kg.shacl.data import ValidationGraph
from kg.shacl.model import (
    EMPTY,
    IS_RESOURCE,
    IS_TYPE,
    LANG_STRING,
    RDFS_DATATYPE,
    RDFS_LITERAL,
    STRING_DATATYPES,
    XSD_INTEGER,
    XSD_STRING,
    Path,
    PredicatePath,
    Result,
    UnsupportedDataError,
    sorted_messages,
)
from kg.shacl.sparql import SparqlQuery

if TYPE_CHECKING:
    from kg.shacl.engine import Run


Values: TypeAlias = Collection[Node]
FocusValues: TypeAlias = list[tuple[Node, Values]]
Evaluation: TypeAlias = tuple[bool, list[Result]]
PASS: Evaluation = (True, [])


class Shape:
    """A shape read from the shapes graph: what to check, on which nodes, and how to report it."""

    __slots__ = (
        "allowed",
        "components",
        "deactivated",
        "messages",
        "node",
        "path",
        "predicate",
        "severity",
        "targets",
        "tests",
        "values",
    )

    def __init__(self, node: Node, path: Path | None, severity: Node, messages: tuple[Literal, ...]) -> None:
        self.node = node
        self.path = path
        self.values: Callable[[ValidationGraph, Node], Collection[Node]] | None = None
        self.predicate: Node | None = None  # the (interned) predicate, if the path is just one, forwards
        self.tests: tuple[Callable[[Run, Node], bool], ...] | None = None  # a node shape of per-value tests only
        self.severity = severity
        self.messages = messages
        self.deactivated = False
        self.allowed = False  # a severity pyshacl lets conform (kg allows warnings)
        self.components: tuple[Component, ...] = ()
        self.targets = Targets()  # none: only checked when another shape refers to it

    def result(
        self,
        focus: Node,
        component: URIRef,
        value: Node | None = None,
        path: Path | None = None,
        messages: tuple[Literal, ...] | None = None,
        source_constraint: Node | None = None,
        details: tuple[Result, ...] = (),
    ) -> Result:
        return Result(
            severity=self.severity,
            focus=focus,
            path=path if path is not None else self.path,
            messages=self.messages if messages is None else messages,
            value=value,
            source_shape=self.node,
            component=component,
            source_constraint=source_constraint,
            details=details,
        )


class Component:
    """One constraint of a shape. ``evaluate`` gives pyshacl's (conforms, results) for a batch of
    focus nodes and their values; ``holds`` only says whether it is met for one focus node."""

    iri: ClassVar[URIRef]  # the SHACL constraint component, for the classes that implement just one
    __slots__ = ("component", "shape")

    def __init__(self, shape: Shape, component: URIRef | None = None) -> None:
        self.shape = shape
        self.component = component if component is not None else self.iri

    def evaluate(self, run: Run, fv: FocusValues) -> Evaluation:
        raise NotImplementedError

    def holds(self, run: Run, focus: Node, values: Values) -> bool:
        return self.evaluate(run, [(focus, values)])[0]

    def prepare(self) -> None:
        """Once every shape is read: precompute what depends on other shapes."""


class ValueConstraint(Component):
    """A constraint each value node meets or not on its own; one result per failing value."""

    __slots__ = ()

    def ok(self, run: Run, value: Node) -> bool:
        raise NotImplementedError

    def evaluate(self, run: Run, fv: FocusValues) -> Evaluation:
        ok = self.ok
        failed = [self.shape.result(f, self.component, v) for f, values in fv for v in values if not ok(run, v)]
        return not failed, failed

    def holds(self, run: Run, focus: Node, values: Values) -> bool:
        ok = self.ok
        return all(ok(run, v) for v in values)


class ClassConstraint(ValueConstraint):
    iri = SH.ClassConstraintComponent
    __slots__ = ("cls",)

    def __init__(self, shape: Shape, cls: Node) -> None:
        super().__init__(shape)
        self.cls = cls

    def ok(self, run: Run, value: Node) -> bool:
        return not isinstance(value, Literal) and self.cls in run.graph.classes_of(value)

    def evaluate(self, run: Run, fv: FocusValues) -> Evaluation:
        cls, classes_of = self.cls, run.graph.classes_of
        failed = [
            self.shape.result(f, self.component, v)
            for f, values in fv
            for v in values
            if isinstance(v, Literal) or cls not in classes_of(v)
        ]
        return not failed, failed


# The Python types of rdflib literal values pyshacl checks a datatype against; other datatypes
# pass whenever rdflib did not flag the literal ill-typed. Keyed by plain str: compared as text,
# rdflib terms would go through Identifier.__eq__.
_VALUE_TYPES: dict[str, type | tuple[type, ...]] = {
    str(XSD.string): (str, bytes),
    str(RDF.langString): (str, bytes),
    str(XSD.integer): int,
    str(XSD.float): float,
    str(XSD.decimal): Decimal,
    str(XSD.boolean): bool,
    str(XSD.date): date,
    str(XSD.time): time,
    str(XSD.dateTime): datetime,
}


class DatatypeConstraint(ValueConstraint):
    """pyshacl's sh:datatype test: the literal's datatype is the IRI and its value has the Python
    type rdflib gives that datatype (so "abc"^^xsd:integer fails), with pyshacl's special cases
    (rdfs:Literal, rdfs:Datatype, plain literals as xsd:string, language-tagged as rdf:langString)."""

    iri = SH.DatatypeConstraintComponent
    __slots__ = ("datatype", "expected")

    def __init__(self, shape: Shape, datatype: Node) -> None:
        super().__init__(shape)
        self.datatype = str(datatype) if isinstance(datatype, URIRef) else None
        self.expected = _VALUE_TYPES.get(self.datatype or "")

    def fits(self, value: Literal) -> bool:
        return self.expected is None or isinstance(value.value, self.expected)

    def ok(self, run: Run, value: Node) -> bool:
        if not isinstance(value, Literal) or self.datatype is None:
            return False
        datatype, own = self.datatype, value.datatype
        if own is not None and str.__eq__(own, datatype):
            expected = self.expected
            return value.ill_typed is not True and (expected is None or isinstance(value.value, expected))
        if datatype == RDFS_LITERAL or (datatype == RDFS_DATATYPE and own):
            return True
        if own is None and value.language is None and datatype == XSD_STRING:
            return self.fits(value)
        return bool(datatype == LANG_STRING and value.language and self.fits(value))


NODE_KINDS: dict[Node, tuple[type, ...]] = {
    SH.IRI: (URIRef,),
    SH.BlankNode: (BNode,),
    SH.Literal: (Literal,),
    SH.BlankNodeOrIRI: (BNode, URIRef),
    SH.BlankNodeOrLiteral: (BNode, Literal),
    SH.IRIOrLiteral: (URIRef, Literal),
}


class NodeKindConstraint(ValueConstraint):
    iri = SH.NodeKindConstraintComponent
    __slots__ = ("kinds",)

    def __init__(self, shape: Shape, kinds: tuple[type, ...]) -> None:
        super().__init__(shape)
        self.kinds = kinds

    def ok(self, run: Run, value: Node) -> bool:
        return isinstance(value, self.kinds)


def _is_integer(literal: Literal) -> bool:
    datatype = literal.datatype
    return datatype is not None and str.__eq__(datatype, XSD_INTEGER)


def _compare(value: Literal, bound: Literal) -> int:
    """pyshacl's literal comparison: 0 if equal, 1 if greater, else -1 (may raise TypeError)."""
    if value.eq(bound):
        return 0
    if type(value.value) in (datetime, time):
        if value.value == bound.value:
            return 0
        if value.value > bound.value:
            return 1
    elif value > bound:
        return 1
    return -1


class RangeConstraint(ValueConstraint):
    """sh:minExclusive, sh:minInclusive, sh:maxExclusive, sh:maxInclusive: one bound each."""

    __slots__ = ("accept", "bound", "bound_is_string", "integer_bound")
    TESTS: ClassVar[dict[URIRef, tuple[URIRef, Callable[[int], bool]]]] = {
        SH.minExclusive: (SH.MinExclusiveConstraintComponent, lambda c: c > 0),
        SH.minInclusive: (SH.MinInclusiveConstraintComponent, lambda c: c >= 0),
        SH.maxExclusive: (SH.MaxExclusiveConstraintComponent, lambda c: c < 0),
        SH.maxInclusive: (SH.MaxInclusiveConstraintComponent, lambda c: c <= 0),
    }

    def __init__(self, shape: Shape, parameter: URIRef, bound: Literal) -> None:
        component, self.accept = self.TESTS[parameter]
        super().__init__(shape, component)
        self.bound = bound
        self.bound_is_string = isinstance(bound.value, str)
        self.integer_bound: int | None = bound.value if type(bound.value) is int and _is_integer(bound) else None

    def ok(self, run: Run, value: Node) -> bool:
        if not isinstance(value, Literal):
            return False
        number = value.value
        if isinstance(number, str) != self.bound_is_string:
            return False
        bound = self.integer_bound
        if bound is not None and type(number) is int and _is_integer(value):
            # rdflib compares two well-typed xsd:integer literals by value: the same, without its overhead
            return self.accept((number > bound) - (number < bound))
        try:
            return self.accept(_compare(value, self.bound))
        except (TypeError, NotImplementedError):
            return False


def _string_of(value: Node) -> str:
    """pyshacl's text of a value node for sh:pattern and the length constraints."""
    if isinstance(value, Literal) and value.value is not None:
        datatype = value.datatype
        if datatype is None or str(datatype) in STRING_DATATYPES:
            return str(value.value)
    return str(value)


class LengthConstraint(ValueConstraint):
    __slots__ = ("limit", "minimum")

    def __init__(self, shape: Shape, limit: int, minimum: bool) -> None:
        super().__init__(shape, SH.MinLengthConstraintComponent if minimum else SH.MaxLengthConstraintComponent)
        self.limit = limit
        self.minimum = minimum

    def ok(self, run: Run, value: Node) -> bool:
        if self.minimum:
            return self.limit == 0 or (not isinstance(value, BNode) and len(_string_of(value)) >= self.limit)
        return not isinstance(value, BNode) and len(_string_of(value)) <= self.limit


class PatternConstraint(ValueConstraint):
    iri = SH.PatternConstraintComponent
    __slots__ = ("regex",)

    def __init__(self, shape: Shape, regex: re.Pattern[str]) -> None:
        super().__init__(shape)
        self.regex = regex

    def ok(self, run: Run, value: Node) -> bool:
        return not isinstance(value, BNode) and self.regex.search(_string_of(value)) is not None


class LanguageInConstraint(ValueConstraint):
    iri = SH.LanguageInConstraintComponent
    __slots__ = ("languages",)

    def __init__(self, shape: Shape, languages: frozenset[str]) -> None:
        super().__init__(shape)
        self.languages = languages

    def ok(self, run: Run, value: Node) -> bool:
        if not isinstance(value, Literal) or not value.language:
            return False
        language = str(value.language).lower()
        return "*" in self.languages or language in self.languages or language.split("-")[0] in self.languages


class InConstraint(ValueConstraint):
    iri = SH.InConstraintComponent
    __slots__ = ("members",)

    def __init__(self, shape: Shape, members: frozenset[Node]) -> None:
        super().__init__(shape)
        self.members = members

    def ok(self, run: Run, value: Node) -> bool:
        return value in self.members


class NotConstraint(ValueConstraint):
    iri = SH.NotConstraintComponent
    __slots__ = ("other",)

    def __init__(self, shape: Shape, other: Shape) -> None:
        super().__init__(shape)
        self.other = other

    def ok(self, run: Run, value: Node) -> bool:
        return not run.conforms(self.other, value)


class LogicalConstraint(ValueConstraint):
    """sh:and, sh:or, sh:xone over one list of shapes (every member is checked, as pyshacl does)."""

    __slots__ = ("classes", "members", "test")

    def __init__(self, shape: Shape, parameter: URIRef, members: tuple[Shape, ...]) -> None:
        component = {SH["and"]: SH.AndConstraintComponent, SH["or"]: SH.OrConstraintComponent}
        super().__init__(shape, component.get(parameter, SH.XoneConstraintComponent))
        self.members = members
        self.classes: tuple[Node, ...] | None = None  # set by prepare() if every member is one sh:class
        self.test: Callable[[list[bool]], bool] = (
            all if parameter == SH["and"] else any if parameter == SH["or"] else lambda c: c.count(True) == 1
        )

    def prepare(self) -> None:
        """Members that are just ``[ sh:class C ]`` (the usual case) are tested on the value's classes at once."""
        classes = []
        for member in self.members:
            only = member.components[0] if len(member.components) == 1 else None
            if (
                member.values is not None
                or member.deactivated
                or member.allowed
                or not isinstance(only, ClassConstraint)
            ):
                return
            classes.append(only.cls)
        self.classes = tuple(classes)

    def ok(self, run: Run, value: Node) -> bool:
        if self.classes is not None:
            found = EMPTY if isinstance(value, Literal) else run.graph.classes_of(value)
            return self.test([cls in found for cls in self.classes])
        return self.test([run.conforms(member, value) for member in self.members])


class CountConstraint(Component):
    __slots__ = ("limit", "minimum")

    def __init__(self, shape: Shape, limit: int, minimum: bool) -> None:
        super().__init__(shape, SH.MinCountConstraintComponent if minimum else SH.MaxCountConstraintComponent)
        self.limit = limit
        self.minimum = minimum

    def holds(self, run: Run, focus: Node, values: Values) -> bool:
        return len(values) >= self.limit if self.minimum else len(values) <= self.limit

    def evaluate(self, run: Run, fv: FocusValues) -> Evaluation:
        limit = self.limit
        if self.minimum:
            failed = [self.shape.result(f, self.component) for f, values in fv if len(values) < limit]
        else:
            failed = [self.shape.result(f, self.component) for f, values in fv if len(values) > limit]
        return not failed, failed


class HasValueConstraint(Component):
    iri = SH.HasValueConstraintComponent
    __slots__ = ("term",)

    def __init__(self, shape: Shape, term: Node) -> None:
        super().__init__(shape)
        self.term = term

    def holds(self, run: Run, focus: Node, values: Values) -> bool:
        return any(v == self.term for v in values)

    def evaluate(self, run: Run, fv: FocusValues) -> Evaluation:
        failed = [self.shape.result(f, self.component) for f, values in fv if not self.holds(run, f, values)]
        return not failed, failed


class UniqueLangConstraint(Component):
    iri = SH.UniqueLangConstraintComponent
    __slots__ = ()

    @staticmethod
    def duplicates(values: Values) -> set[str]:
        seen: set[str] = set()
        twice: set[str] = set()
        for v in values:
            if isinstance(v, Literal) and v.language:
                language = str(v.language).lower()
                (twice if language in seen else seen).add(language)
        return twice

    def holds(self, run: Run, focus: Node, values: Values) -> bool:
        return not self.duplicates(values)

    def evaluate(self, run: Run, fv: FocusValues) -> Evaluation:
        failed = [self.shape.result(f, self.component) for f, values in fv for _ in self.duplicates(values)]
        return not failed, failed


class PropertyPairConstraint(Component):
    """sh:equals and sh:disjoint against the focus node's values of another predicate."""

    __slots__ = ("predicate",)

    def __init__(self, shape: Shape, parameter: URIRef, predicate: Node) -> None:
        equals = parameter == SH.equals
        super().__init__(shape, SH.EqualsConstraintComponent if equals else SH.DisjointConstraintComponent)
        self.predicate = predicate

    def offending(self, run: Run, focus: Node, values: Values) -> list[Node]:
        mine, other = set(values), set(run.graph.objects(focus, self.predicate))
        if self.component == SH.DisjointConstraintComponent:
            return list(mine & other)
        return [*(mine - other), *(other - mine)]

    def holds(self, run: Run, focus: Node, values: Values) -> bool:
        return not self.offending(run, focus, values)

    def evaluate(self, run: Run, fv: FocusValues) -> Evaluation:
        failed = [self.shape.result(f, self.component, v) for f, values in fv for v in self.offending(run, f, values)]
        return not failed, failed


def _comparable(node: Node) -> tuple[bool, object]:
    if isinstance(node, BNode):
        raise UnsupportedDataError(f"sh:lessThan cannot compare the blank node {node.n3()} (pyshacl fails too)")
    if isinstance(node, URIRef):
        return True, str(node)
    if isinstance(node, Literal) and isinstance(node.value, str):
        return True, node.value
    return False, node


def _integer(node: Node) -> int | None:
    """The value of a well-typed xsd:integer literal (else None)."""
    if type(node) is Literal:
        value = node.value
        if type(value) is int and _is_integer(node):
            return value
    return None


class LessThanConstraint(Component):
    """sh:lessThan / sh:lessThanOrEquals: one result per (value, other value) pair that fails."""

    __slots__ = ("or_equal", "predicate")

    def __init__(self, shape: Shape, parameter: URIRef, predicate: Node) -> None:
        self.or_equal = parameter == SH.lessThanOrEquals
        super().__init__(
            shape, SH.LessThanOrEqualsConstraintComponent if self.or_equal else SH.LessThanConstraintComponent
        )
        self.predicate = predicate

    def failures(self, run: Run, focus: Node, values: Values) -> list[Node]:
        out: list[Node] = []
        others = [(_comparable(o), _integer(o)) for o in run.graph.objects(focus, self.predicate)]
        for value in values:
            (value_is_string, left), number = _comparable(value), _integer(value)
            for (other_is_string, right), other_number in others:
                if number is not None and other_number is not None:
                    # rdflib compares well-typed xsd:integer literals by value: the same, faster
                    less = number <= other_number if self.or_equal else number < other_number
                else:
                    try:
                        less = value_is_string == other_is_string and (
                            left <= right if self.or_equal else left < right  # type: ignore[operator]
                        )
                    except TypeError as error:
                        raise UnsupportedDataError(f"{self.predicate.n3()}: {error} (pyshacl fails too)") from error
                if not less:
                    out.append(value)
        return out

    def holds(self, run: Run, focus: Node, values: Values) -> bool:
        return not self.failures(run, focus, values)

    def evaluate(self, run: Run, fv: FocusValues) -> Evaluation:
        failed = [self.shape.result(f, self.component, v) for f, values in fv for v in self.failures(run, f, values)]
        return not failed, failed


class ClosedConstraint(Component):
    iri = SH.ClosedConstraintComponent
    __slots__ = ("allowed_predicates",)

    def __init__(self, shape: Shape, allowed_predicates: frozenset[Node]) -> None:
        super().__init__(shape)
        self.allowed_predicates = allowed_predicates

    def offending(self, run: Run, values: Values) -> Iterator[tuple[Node, Node]]:
        allowed, out = self.allowed_predicates, run.graph.out
        for v in values:
            po = out.get(v)
            if po is None or not po.keys() - allowed:  # the usual case, in C
                continue
            for p, objects in po.items():
                if p not in allowed:
                    for o in objects:
                        if not (p in IS_TYPE and o in IS_RESOURCE):
                            yield p, o

    def holds(self, run: Run, focus: Node, values: Values) -> bool:
        return next(self.offending(run, values), None) is None

    def evaluate(self, run: Run, fv: FocusValues) -> Evaluation:
        failed = [
            self.shape.result(f, self.component, o, PredicatePath(p))  # type: ignore[arg-type]
            for f, values in fv
            for p, o in self.offending(run, values)
        ]
        return not failed, failed


class PropertyConstraint(Component):
    """sh:property: the property shape's own results, for each value node as focus node."""

    iri = SH.PropertyConstraintComponent
    __slots__ = ("other",)

    def __init__(self, shape: Shape, other: Shape) -> None:
        super().__init__(shape)
        self.other = other

    def holds(self, run: Run, focus: Node, values: Values) -> bool:
        return all(run.conforms(self.other, v) for v in values)

    def evaluate(self, run: Run, fv: FocusValues) -> Evaluation:
        # One batch: pyshacl validates each value on its own, and a value reached from two focus
        # nodes twice, which the list keeps; conformance and results come out the same.
        return run.validate(self.other, [v for _, values in fv for v in values])


class NodeConstraint(Component):
    """sh:node: a result for each value node that fails the node shape or gets any result from it."""

    iri = SH.NodeConstraintComponent
    __slots__ = ("other",)

    def __init__(self, shape: Shape, other: Shape) -> None:
        super().__init__(shape)
        self.other = other

    def holds(self, run: Run, focus: Node, values: Values) -> bool:
        return all(run.validate(self.other, [v]) == PASS for v in values)

    def evaluate(self, run: Run, fv: FocusValues) -> Evaluation:
        failed = []
        for f, values in fv:
            for v in values:
                conforms, details = run.validate(self.other, [v])
                if not conforms or details:
                    failed.append(self.shape.result(f, self.component, v, details=tuple(details)))
        return not failed, failed


class QualifiedConstraint(Component):
    """sh:qualifiedValueShape with sh:qualifiedMinCount/MaxCount (and sh:qualifiedValueShapesDisjoint)."""

    __slots__ = ("disjoint", "maximum", "minimum", "other", "siblings")

    def __init__(self, shape: Shape, other: Shape, minimum: int | None, maximum: int | None, disjoint: bool) -> None:
        super().__init__(shape, SH.QualifiedMinCountConstraintComponent)  # each result names Min or Max
        self.other = other
        self.minimum = minimum
        self.maximum = maximum
        self.disjoint = disjoint
        self.siblings: tuple[Shape, ...] = ()

    def counted(self, run: Run, values: Values) -> int:
        return sum(1 for v in values if run.conforms(self.other, v) and not any(self.conforming_siblings(run, v)))

    def conforming_siblings(self, run: Run, value: Node) -> list[bool]:
        return [run.conforms(s, value) for s in self.siblings]  # all of them, as pyshacl checks them

    def failures(self, run: Run, values: Values) -> list[URIRef]:
        if not self.disjoint and not values and (self.minimum is None or self.minimum < 1):
            return []
        count = self.counted(run, values)
        out = []
        if self.maximum is not None and count > self.maximum:
            out.append(SH.QualifiedMaxCountConstraintComponent)
        if self.minimum is not None and count < self.minimum:
            out.append(SH.QualifiedMinCountConstraintComponent)
        return out

    def holds(self, run: Run, focus: Node, values: Values) -> bool:
        return not self.failures(run, values)

    def evaluate(self, run: Run, fv: FocusValues) -> Evaluation:
        if not self.disjoint and not any(values for _, values in fv) and (self.minimum is None or self.minimum < 1):
            return PASS
        failed = [self.shape.result(f, c) for f, values in fv for c in self.failures(run, values)]
        return not failed, failed


class SparqlConstraint(Component):
    """A SPARQL-based constraint (sh:sparql with sh:select), run once per focus node with $this bound."""

    iri = SH.SPARQLConstraintComponent
    __slots__ = ("query",)

    def __init__(self, shape: Shape, query: SparqlQuery) -> None:
        super().__init__(shape)
        self.query = query

    def holds(self, run: Run, focus: Node, values: Values) -> bool:
        return not self.results(run, focus)

    def evaluate(self, run: Run, fv: FocusValues) -> Evaluation:
        failed = [r for f, _ in fv for r in self.results(run, f)]
        return not failed, failed

    def results(self, run: Run, focus: Node) -> list[Result]:
        """pyshacl's reading of the solutions: ?failure, or ?this/?path/?value (deduplicated with
        the other selected variables), the value defaulting to the focus node of a node shape."""
        shape = self.shape
        default_value = focus if shape.path is None else None
        out = []
        failed = False
        seen: list[tuple[Node | None, Node | None, Node | None, dict[str, Node]]] = []
        for row in run.sparql().select(self.query, focus):
            if "failure" in row:
                del row["failure"]
                if not failed:
                    failed = True
                    out.append(self.result(focus, default_value, None, row))
                continue
            this, path, value = row.pop("this", None), row.pop("path", None), row.pop("value", None)
            if (this, path, value) == (None, None, None) or (this, path, value, row) in seen:
                continue
            seen.append((this, path, value, row))
            value = value if value is not None else default_value
            bound = {**row, **{k: v for k, v in (("this", this), ("path", path), ("value", value)) if v is not None}}
            out.append(self.result(this or focus, value, path, bound))
        return out

    def result(self, focus: Node, value: Node | None, path: Node | None, bound: dict[str, Node]) -> Result:
        if path is not None and not isinstance(path, URIRef):
            raise UnsupportedDataError(f"a SPARQL constraint bound ?path to {path.n3()}, which is not an IRI")
        own = self.shape.messages
        messages = [m for m in self.query.messages if m not in own] + list(own)
        return self.shape.result(
            focus,
            self.component,
            value,
            PredicatePath(path) if path is not None else None,
            messages=sorted_messages(Literal(_substitute(str(m), bound)) for m in messages),
            source_constraint=self.query.node,
        )


def _substitute(message: str, bound: Mapping[str, Node]) -> str:
    """pyshacl's {$var}/{?var} substitution (re.sub, with the value's text as the replacement)."""
    for name, value in bound.items():
        message = re.sub("{[?$]%s}" % name, str(value), message)  # noqa: UP031 - as pyshacl builds it
    return message


@dataclass(frozen=True)
class Targets:
    nodes: tuple[Node, ...] = ()
    classes: tuple[Node, ...] = ()
    subjects_of: tuple[Node, ...] = ()
    objects_of: tuple[Node, ...] = ()
    queries: tuple[SparqlQuery, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.nodes or self.classes or self.subjects_of or self.objects_of or self.queries)
