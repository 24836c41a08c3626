"""The SHACL gate: a pyshacl run turned into a report a person can read.

Two passes. The article shapes check the asserted graph, with closed shapes for
kg's own node types; the closure shapes check the few things that only hold
after inference (asserted + inferred). Violations fail the gate; warnings are
editorial gaps and are reported without failing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SH
from rdflib.term import Node

from kg.namespaces import KGO, NIF, PREFIXES


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


def _short(graph: Graph, node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        for prefix, namespace in PREFIXES.items():
            if str(node).startswith(namespace):
                return f"{prefix}:{str(node)[len(namespace) :]}"
        return f"<{node}>"
    if isinstance(node, Literal):
        return repr(str(node))
    return graph.qname(node) if isinstance(node, URIRef) else str(node)


def _spans(data: Graph, focus: Node) -> tuple[tuple[int, int, str], ...]:
    out = []
    for mention in data.objects(focus, KGO.denotedBy):
        begin, end, anchor = (data.value(mention, p) for p in (NIF.beginIndex, NIF.endIndex, NIF.anchorOf))
        if begin is not None and end is not None and anchor is not None:
            out.append((int(str(begin)), int(str(end)), str(anchor)))
    return tuple(sorted(out)[:3])


def check(data: Graph, shapes: Graph, ontology: Graph | None = None) -> Report:
    """Validate ``data`` against ``shapes``; ``ontology`` supplies the class hierarchy for targets."""
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
        severity = results.value(result, SH.resultSeverity)
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        value = results.value(result, SH.value)
        label = data.value(focus, RDFS.label) if focus is not None else None
        focus_text = _short(data, focus) or "?"
        if label is not None:
            focus_text += f" ({label})"
        findings.append(
            Finding(
                severity=str(severity).rsplit("#", 1)[-1],
                focus=focus_text,
                path=_short(results, path),
                message=str(message) if message is not None else "constraint not met",
                value=_short(results, value),
                spans=_spans(data, focus) if focus is not None else (),
            )
        )
    return Report(tuple(sorted(findings, key=_order)))


def _order(finding: Finding) -> tuple[bool, str, str, str]:
    """Violations first, then by focus node, path and message."""
    return (finding.severity != "Violation", finding.focus, finding.path or "", finding.message)
