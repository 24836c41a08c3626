"""The SHACL gate: a validation turned into a report a person can read.

Two passes. The article shapes check the asserted graph, with closed shapes for
kg's own node types; the closure shapes check the few things that only hold
after inference (asserted + inferred). Violations fail the gate; warnings are
editorial gaps and are reported without failing it.

:func:`check` runs kg.shacl's compiled validator, which gives exactly pyshacl's
results (the tests prove it on the seed, synthetic articles and every negative
test); each shapes graph is compiled once. pyshacl stays the reference:
:func:`check_reference` runs it and gives the same Report. Data the compiled
validator does not reproduce (kg.shacl.UnsupportedDataError) goes to pyshacl.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from threading import Lock

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.graph import ReadOnlyGraphAggregate
from rdflib.namespace import RDFS, SH
from rdflib.term import Node

from kg.namespaces import KGO, NIF, PREFIXES
from kg.shacl import Result, Shapes, UnsupportedDataError, compile_shapes, path_from_graph, render_path


@dataclass(frozen=True)
class Finding:
    """One SHACL result, in words."""

    severity: str
    focus: str
    path: str | None
    message: str
    value: str | None = None
    spans: tuple[tuple[int, int, str], ...] = ()

    def text(self) -> str:
        where = f" {self.path}" if self.path else ""
        value = f" (value {self.value})" if self.value else ""
        spans = "".join(f"\n      text [{s}, {e}]: {t!r}" for s, e, t in self.spans)
        return f"{self.severity}: {self.focus}{where}: {self.message}{value}{spans}"


@dataclass(frozen=True)
class Report:
    """The outcome of the gate: does the graph conform, and what was found."""

    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def conforms(self) -> bool:
        return not any(f.severity == "Violation" for f in self.findings)

    @property
    def violations(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "Violation")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity != "Violation")

    def text(self) -> str:
        if not self.findings:
            return "conforms: no violations, no warnings"
        head = (
            f"{'conforms' if self.conforms else 'does not conform'}: "
            f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)"
        )
        return "\n".join([head, *(f"  {f.text()}" for f in self.findings)])

    def __add__(self, other: Report) -> Report:
        return Report(tuple(sorted(self.findings + other.findings, key=_order)))


def _short(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        for prefix, namespace in PREFIXES.items():
            if str(node).startswith(namespace):
                return f"{prefix}:{str(node)[len(namespace) :]}"
        return f"<{node}>"
    if isinstance(node, Literal):
        return repr(str(node))
    return str(node)


def _spans(data: Graph, focus: Node) -> tuple[tuple[int, int, str], ...]:
    out = []
    for mention in data.objects(focus, KGO.denotedBy):
        begin, end, anchor = (data.value(mention, p) for p in (NIF.beginIndex, NIF.endIndex, NIF.anchorOf))
        if begin is not None and end is not None and anchor is not None:
            out.append((int(str(begin)), int(str(end)), str(anchor)))
    return tuple(sorted(out)[:3])


def _finding(
    data: Graph, severity: Node, focus: Node, path: str | None, message: Node | None, value: Node | None
) -> Finding:
    label = data.value(focus, RDFS.label)
    focus_text = _short(focus) or "?"
    if label is not None:
        focus_text += f" ({label})"
    return Finding(
        severity=str(severity).rsplit("#", 1)[-1],
        focus=focus_text,
        path=path,
        message=str(message) if message is not None else "constraint not met",
        value=_short(value),
        spans=_spans(data, focus),
    )


def _report(findings: Iterable[Finding]) -> Report:
    return Report(tuple(sorted(findings, key=_order)))


_COMPILED: dict[tuple[int, int], tuple[Graph, Graph | None, int, int, Shapes]] = {}
_COMPILED_SIZE = 8
_COMPILED_LOCK = Lock()


def compiled(shapes: Graph, ontology: Graph | None = None) -> Shapes:
    """``shapes`` compiled with ``ontology``, once per pair of graph objects (while their sizes are unchanged).

    Raises kg.shacl.UnsupportedShapesError if the shapes use a feature the compiled validator does not implement.
    """
    key = (id(shapes), id(ontology))
    sizes = (len(shapes), 0 if ontology is None else len(ontology))
    with _COMPILED_LOCK:
        hit = _COMPILED.get(key)
    if hit is not None and hit[0] is shapes and hit[1] is ontology and hit[2:4] == sizes:
        return hit[4]
    result = compile_shapes(shapes, ontology)
    with _COMPILED_LOCK:
        if len(_COMPILED) >= _COMPILED_SIZE:
            _COMPILED.pop(next(iter(_COMPILED)))
        _COMPILED[key] = (shapes, ontology, *sizes, result)
    return result


Data = Graph | Sequence[Graph]
"""The graph to validate: one graph, or several validated as their union without copying them."""


def _union(data: Data) -> Graph:
    return data if isinstance(data, Graph) else ReadOnlyGraphAggregate(list(data))


def check(data: Data, shapes: Graph, ontology: Graph | None = None) -> Report:
    """Validate ``data`` against ``shapes``; ``ontology`` supplies the class hierarchy for targets."""
    triples = set().union(*([data] if isinstance(data, Graph) else data))  # each graph read once, none copied
    try:
        results = compiled(shapes, ontology).validate(triples)
    except UnsupportedDataError:
        return check_reference(data, shapes, ontology)
    if not results:
        return Report()
    view = _union(data)
    return _report(
        _finding(view, r.severity, r.focus, r.path_text(PREFIXES), r.message, r.value) for r in _flat(results)
    )


def _flat(results: Iterable[Result]) -> Iterable[Result]:
    """The results and, as in pyshacl's report graph, the sh:node details nested in them."""
    for result in results:
        yield result
        yield from _flat(result.details)


def check_reference(data: Data, shapes: Graph, ontology: Graph | None = None) -> Report:
    """:func:`check` by running pyshacl itself (slow): the reference the compiled validator is tested against."""
    if not isinstance(data, Graph) or not data.store.context_aware:  # pyshacl wants one graph on a context-aware store
        whole = Graph()
        for graph in [data] if isinstance(data, Graph) else data:
            whole += graph
        data = whole
    _, results, _ = shacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        allow_warnings=True,
        advanced=True,
    )
    assert isinstance(results, Graph)
    findings = []
    for result in results.subjects(SH.resultSeverity, None):
        focus = results.value(result, SH.focusNode)
        assert focus is not None
        path = results.value(result, SH.resultPath)
        findings.append(
            _finding(
                data,
                results.value(result, SH.resultSeverity),  # type: ignore[arg-type]
                focus,
                None if path is None else render_path(path_from_graph(results, path), PREFIXES),
                results.value(result, SH.resultMessage),
                results.value(result, SH.value),
            )
        )
    return _report(findings)


def _order(finding: Finding) -> tuple[bool, str, str, str]:
    """Violations first, then by focus node, path and message."""
    return (finding.severity != "Violation", finding.focus, finding.path or "", finding.message)
