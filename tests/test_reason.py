"""kg.reason: the closure keeps every entailment about the article's nodes, apart from what was
asserted, and drops owlrl's artefacts."""

from __future__ import annotations

import owlrl
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from kg import resources
from kg.namespaces import KGO, ORG, SCHEMA, IRIs
from kg.pipeline import Built
from kg.reason import infer

EX = "http://example.org/"


def test_inferred_is_apart_from_asserted_and_free_of_artefacts(seed_built: Built, authority_built: Built) -> None:
    for built in (seed_built, authority_built):
        inferred, asserted = built.inferred, built.asserted
        assert len(inferred) > 100
        assert not set(inferred) & set(asserted)
        assert not any(isinstance(s, Literal) for s, _, _ in inferred)
        assert (None, OWL.sameAs, None) not in inferred
        assert (None, RDF.type, OWL.Thing) not in inferred
        nodes = set(asserted.subjects()) | set(asserted.objects())
        assert {s for s, _, _ in inferred} <= nodes


def test_owlrl_alone_would_add_the_artefacts_we_drop() -> None:
    data = Graph()
    data.add((URIRef(EX + "e"), KGO.modality, KGO.planned))
    data.add((URIRef(EX + "e"), KGO.startDate, Literal("2015-09-30", datatype=URIRef(str(OWL) + "x"))))
    raw = Graph()
    raw += data
    raw += resources.ontology()
    # improved_datatypes=False, as kg.reason runs it: owlrl's "improved" conversions stay installed
    # in rdflib for the whole process, and every literal checked later would see them
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, improved_datatypes=False).expand(raw)
    assert (URIRef(EX + "e"), OWL.sameAs, URIRef(EX + "e")) in raw
    assert any(isinstance(s, Literal) for s, _, _ in raw)
    ours = infer(data, resources.ontology())
    assert (URIRef(EX + "e"), RDF.type, KGO.PlannedEvent) in ours
    assert not any(p == OWL.sameAs or isinstance(s, Literal) for s, p, _ in ours)


def test_infer_does_not_touch_its_inputs() -> None:
    data = Graph()
    data.add((URIRef(EX + "p"), RDF.type, KGO.Person))
    ontology = resources.ontology()
    before = (len(data), len(ontology))
    infer(data, ontology)
    assert (len(data), len(ontology)) == before


def test_article_entailments(seed_built: Built, iris: IRIs) -> None:
    inferred = seed_built.inferred
    event = lambda name: iris.local(seed_built.name, "event", name)  # noqa: E731
    assert (event("territory-liberation"), KGO.occurredIn, iris.entity("syria")) in inferred
    assert (event("territory-liberation"), RDF.type, KGO.FactualEvent) in inferred
    assert (event("ground-operations"), RDF.type, KGO.NegatedEvent) in inferred
    assert (event("ground-operations"), RDF.type, KGO.FactualEvent) not in inferred
    assert (event("continued-assistance"), RDF.type, KGO.PlannedEvent) in inferred
    assert (event("is-spread"), RDF.type, KGO.EventToBePrevented) in inferred
    assert (event("kremlin-meeting"), KGO.occurredIn, iris.entity("russia")) in inferred
    assert (event("air-campaign"), SCHEMA.startDate, None) in inferred
    assert (iris.entity("sergey-shoigu"), ORG.holds, iris.position("russia-defence-minister")) in inferred


def test_what_the_authority_implies_lives_with_the_authority(
    seed_built: Built, authority_built: Built, iris: IRIs
) -> None:
    shoigu_is_person = (iris.entity("sergey-shoigu"), RDF.type, SCHEMA.Person)
    assert shoigu_is_person in authority_built.inferred
    assert shoigu_is_person not in seed_built.inferred


def test_a_node_the_article_only_points_to_gets_its_entailments(iris: IRIs) -> None:
    """A tenure holder the article never mentions still gets org:holds from the chain."""
    tenure, person, post = URIRef(EX + "tenure"), iris.entity("nobody-mentioned"), iris.position("p")
    data = Graph()
    data.add((tenure, RDF.type, KGO.Tenure))
    data.add((tenure, KGO.holder, person))
    data.add((tenure, KGO.position, post))
    assert (person, ORG.holds, post) in infer(data, resources.ontology())
    assert not any(str(s).startswith(str(KGO)) for s, _, _ in infer(data, resources.ontology()))
