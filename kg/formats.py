"""RDF and SPARQL result formats: names, media types, file suffixes. Data, read by export and conneg."""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import QueryResultsFormat, RdfFormat


@dataclass(frozen=True)
class RdfSyntax:
    """An RDF serialisation kg reads and writes."""

    name: str
    media_type: str
    suffix: str
    oxigraph: RdfFormat
    rdflib: str
    datasets: bool
    """True when the syntax keeps named graphs (TriG, N-Quads, JSON-LD)."""


@dataclass(frozen=True)
class ResultsSyntax:
    """A SPARQL query results serialisation (SELECT and ASK)."""

    name: str
    media_type: str
    suffix: str
    oxigraph: QueryResultsFormat


RDF_SYNTAXES: tuple[RdfSyntax, ...] = (
    RdfSyntax("turtle", "text/turtle", "ttl", RdfFormat.TURTLE, "turtle", False),
    RdfSyntax("trig", "application/trig", "trig", RdfFormat.TRIG, "trig", True),
    RdfSyntax("nquads", "application/n-quads", "nq", RdfFormat.N_QUADS, "nquads", True),
    RdfSyntax("ntriples", "application/n-triples", "nt", RdfFormat.N_TRIPLES, "nt", False),
    RdfSyntax("jsonld", "application/ld+json", "jsonld", RdfFormat.JSON_LD, "json-ld", True),
    RdfSyntax("rdfxml", "application/rdf+xml", "rdf", RdfFormat.RDF_XML, "xml", False),
)

RESULTS_SYNTAXES: tuple[ResultsSyntax, ...] = (
    ResultsSyntax("json", "application/sparql-results+json", "srj", QueryResultsFormat.JSON),
    ResultsSyntax("xml", "application/sparql-results+xml", "srx", QueryResultsFormat.XML),
    ResultsSyntax("csv", "text/csv", "csv", QueryResultsFormat.CSV),
    ResultsSyntax("tsv", "text/tab-separated-values", "tsv", QueryResultsFormat.TSV),
)


def rdf_syntax(name: str) -> RdfSyntax:
    """The RDF syntax called ``name`` (``turtle``, ``trig``, …); ValueError if there is none."""
    for syntax in RDF_SYNTAXES:
        if syntax.name == name:
            return syntax
    raise ValueError(f"unknown RDF format {name!r}; expected one of {', '.join(s.name for s in RDF_SYNTAXES)}")


def results_syntax(name: str) -> ResultsSyntax:
    for syntax in RESULTS_SYNTAXES:
        if syntax.name == name:
            return syntax
    raise ValueError(f"unknown results format {name!r}; expected one of {', '.join(s.name for s in RESULTS_SYNTAXES)}")
