"""A validation: focus nodes, shapes evaluated on them, results; and compiling a shapes graph."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable

from rdflib import Graph
from rdflib.namespace import SH
from rdflib.term import Node

from kg.shacl.components import PASS, Evaluation, FocusValues, Shape, Targets, Values
from kg.shacl.data import MixedOntology, ValidationGraph, triples_of
from kg.shacl.model import EMPTY, NO_PREDICATES, Result, Triple, UnsupportedDataError
from kg.shacl.reader import Needs, Reader
from kg.shacl.sparql import OntologyLines, SparqlStore


class Run:
    """One validation: the indexed data, and the SPARQL store once a query needs it."""

    __slots__ = ("_sparql", "allowed", "compiled", "graph")

    def __init__(self, compiled: Shapes, triples: Collection[Triple]) -> None:
        self.compiled = compiled
        self.allowed = compiled.allowed
        self.graph = ValidationGraph(triples, compiled)
        self._sparql: SparqlStore | None = None

    def sparql(self) -> SparqlStore:
        if self._sparql is None:
            compiled = self.compiled
            lines = compiled.ontology_lines
            assert lines is not None, "only shapes with SPARQL parts run queries"
            self._sparql = SparqlStore(self.graph, compiled.footprint, lines, compiled.stores, compiled.mixed.out)
        return self._sparql

    def focus(self, targets: Targets) -> set[Node]:
        """A shape's focus nodes: its target nodes, instances of its classes, subjects/objects of its
        predicates, and what its SPARQL targets select as ?this."""
        graph = self.graph
        out = set(targets.nodes)
        for cls in targets.classes:
            out |= graph.instances(cls)
        for p in targets.subjects_of:
            for subjects in graph.back[p].values():
                out |= subjects
        for p in targets.objects_of:
            out.update(graph.back[p])
        for query in targets.queries:
            for row in self.sparql().select(query):
                if "this" not in row:
                    raise UnsupportedDataError(f"the SPARQL target {query.node.n3()} left ?this unbound")
                out.add(row["this"])
        return out

    def validate(self, shape: Shape, focus: Collection[Node]) -> Evaluation:
        """pyshacl's Shape.validate: the results, and whether the focus nodes conform (a failed
        constraint counts only if the shape's severity is not allowed and it reported one that is not)."""
        if shape.deactivated or not focus:
            return PASS
        graph, values, predicate = self.graph, shape.values, shape.predicate
        fv: FocusValues
        if values is None:
            fv = [(f, (f,)) for f in focus]
        elif predicate is not None:  # a plain predicate path: the index lookup inline
            out = graph.out
            fv = [(f, out.get(f, NO_PREDICATES).get(predicate, EMPTY)) for f in focus]
        else:
            fv = [(f, values(graph, f)) for f in focus]
        conforms = True
        results: list[Result] = []
        allowed = self.allowed
        for component in shape.components:
            ok, found = component.evaluate(self, fv)
            if found:
                results += found
            if not ok and not shape.allowed and (not allowed or any(r.severity not in allowed for r in found)):
                conforms = False
        return conforms, results

    def conforms(self, shape: Shape, node: Node) -> bool:
        """Whether ``node`` conforms to ``shape`` (for sh:not, sh:or...), without building results."""
        if shape.deactivated or shape.allowed:
            return True
        tests = shape.tests
        if tests is not None:
            return tests[0](self, node) if len(tests) == 1 else all(test(self, node) for test in tests)
        values: Values = (node,) if shape.values is None else shape.values(self.graph, node)
        return all(c.holds(self, node, values) for c in shape.components)


class Shapes:
    """A shapes graph compiled for :meth:`validate`, with the ontology pyshacl would mix in.

    Immutable once built: safe to share between threads.
    """

    def __init__(self, shapes: list[Shape], needs: Needs, mixed: MixedOntology, allowed: frozenset[Node]) -> None:
        self.shapes = tuple(shapes)
        self.targeted = tuple(s for s in shapes if s.targets)
        self.forward: frozenset[Node] | None = None if needs.forward_all else frozenset(needs.forward)
        self.backward = frozenset(needs.backward)
        self.footprint = needs.footprint
        self.terms = needs.terms
        self.mixed = mixed
        self.ontology_lines = OntologyLines.of(mixed) if needs.sparql else None
        self.stores = threading.local()  # one pyoxigraph store per thread, refilled by each validation
        # The data triples SPARQL may load, grouped by predicate: none (no SPARQL, or every triple
        # is in the forward index anyway), all, or the footprint's.
        footprint = needs.footprint
        self.grouped: frozenset[Node] | None = (
            frozenset()
            if not needs.sparql or self.forward is None
            else None
            if footprint.everything or footprint.objects_of
            else frozenset(self.terms(p) for p in footprint.predicates)
        )
        self.allowed = allowed

    def validate(self, data: Graph | Iterable[Triple]) -> list[Result]:
        """Every result pyshacl would report for ``data`` (a Graph, or any iterable of triples).

        Raises UnsupportedDataError where pyshacl would fail, or where a SPARQL part needs a term
        pyoxigraph cannot represent.
        """
        run = Run(self, triples_of(data))
        results: list[Result] = []
        for shape in self.targeted:
            if not shape.deactivated:
                results += run.validate(shape, run.focus(shape.targets))[1]
        return results


def compile_shapes(shapes: Graph, ontology: Graph | None = None, allow_warnings: bool = True) -> Shapes:
    """Read ``shapes`` once; ``ontology`` is what pyshacl's ``ont_graph`` would mix into the data.

    ``allow_warnings`` mirrors pyshacl's option of that name (kg passes True): shapes of severity
    sh:Warning or sh:Info always conform where conformance matters (sh:or, sh:not...).

    Raises UnsupportedShapesError, naming the shape and the feature, for anything the engine
    does not implement.
    """
    allowed = frozenset({SH.Warning, SH.Info}) if allow_warnings else frozenset()
    reader = Reader(shapes, allowed)
    compiled = reader.read()
    return Shapes(compiled, reader.needs, MixedOntology.of(ontology, reader.needs.terms), allowed)
