"""ontology/news.ttl: small, documented, OWL 2 RL constructs only, and aligned so that a
schema.org-only consumer gets answers after inference."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg import resources
from kg.namespaces import KGO, ONTOLOGY_IRI, SCHEMA

FORBIDDEN = {
    OWL.sameAs,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.hasKey,
    OWL.maxCardinality,
    OWL.cardinality,
}


def kgo_terms(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(str(KGO))}


def test_ontology_header() -> None:
    graph = resources.ontology()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in graph
    for prop in (OWL.versionInfo, RDFS.label, RDFS.comment, URIRef("http://purl.org/dc/terms/license")):
        assert graph.value(ONTOLOGY_IRI, prop) is not None, prop


def test_small_and_every_term_labelled_and_commented() -> None:
    graph = resources.ontology()
    classes = {c for c in graph.subjects(RDF.type, OWL.Class) if str(c).startswith(str(KGO))}
    properties = {
        p
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty)
        for p in graph.subjects(RDF.type, kind)
        if str(p).startswith(str(KGO))
    }
    assert 25 <= len(classes) <= 50
    assert 40 <= len(properties) <= 65
    for term in kgo_terms(graph):
        assert graph.value(term, RDFS.label) is not None, term
        assert graph.value(term, RDFS.comment) is not None, term


def test_only_owl_rl_constructs_and_no_identity_merging() -> None:
    graph = resources.ontology()
    used = set(graph.predicates()) | set(graph.objects(None, RDF.type))
    assert not used & FORBIDDEN


def test_axioms_are_stated_on_kgo_terms_only() -> None:
    graph = resources.ontology()
    foreign = {s for s in graph.subjects() if isinstance(s, URIRef) and not str(s).startswith(str(KGO))}
    assert foreign == {ONTOLOGY_IRI}


def test_schema_org_alignment_of_the_core_classes() -> None:
    graph = resources.ontology()
    for kgo_class, schema_class in (
        (KGO.Person, SCHEMA.Person),
        (KGO.Organisation, SCHEMA.Organization),
        (KGO.Place, SCHEMA.Place),
        (KGO.Event, SCHEMA.Event),
        (KGO.NewsArticle, SCHEMA.NewsArticle),
        (KGO.Photo, SCHEMA.ImageObject),
        (KGO.DirectQuote, SCHEMA.Quotation),
        (KGO.Quantity, SCHEMA.QuantitativeValue),
        (KGO.Participation, SCHEMA.Role),
    ):
        assert (kgo_class, RDFS.subClassOf, schema_class) in graph, kgo_class
