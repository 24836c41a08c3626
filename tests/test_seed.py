"""The bundled article's graph says what the text says, and no more: quantities keep their
bounds and vagueness, times their precision, statements their factuality; what the text leaves
open stays open."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import RDF, XSD

from kg.namespaces import KGO, SCHEMA, TIME, IRIs
from kg.pipeline import Built
from kg.store import Store
from tests.conftest import SEED_ID


def node(iris: IRIs, kind: str, name: str) -> object:
    return iris.local(SEED_ID, kind, name)


def test_quantities_are_data_with_their_bounds_vagueness_and_source(seed_built: Built, iris: IRIs) -> None:
    g = seed_built.asserted
    q = lambda name: node(iris, "quantity", name)  # noqa: E731
    integer = lambda n: Literal(n, datatype=XSD.integer)  # noqa: E731
    assert g.value(q("air-group-size"), KGO.exclusiveMinimum) == integer(50)
    assert g.value(q("kalibr-missiles-count"), KGO.exactValue) == integer(26)
    assert g.value(q("missile-ships-count"), KGO.exactValue) == integer(4)
    assert g.value(q("war-deaths"), KGO.exclusiveMinimum) == integer(200000)
    assert g.value(q("war-deaths"), KGO.attributedTo) == iris.entity("united-nations")
    for vague, words in (("facilities-hit-count", "hundreds"), ("war-displaced", "millions")):
        assert str(g.value(q(vague), KGO.vagueAmount)) == words
        numbers = {KGO.exactValue, KGO.exclusiveMinimum, KGO.inclusiveMinimum}
        assert not any((q(vague), p, None) in g for p in numbers), "no invented number"
    assert g.value(q("war-deaths"), KGO.measures) == node(iris, "event", "syrian-war")


def test_the_kremlin_meeting_has_no_date(seed_built: Built, iris: IRIs) -> None:
    meeting = node(iris, "event", "kremlin-meeting")
    everything = seed_built.asserted + seed_built.inferred
    for prop in (KGO.time, KGO.startDate, KGO.endDate, SCHEMA.startDate, TIME.hasTime):
        assert (meeting, prop, None) not in everything


def test_times_keep_their_precision_and_say_how_they_were_normalised(seed_built: Built, iris: IRIs) -> None:
    g = seed_built.asserted
    geneva = node(iris, "event", "geneva-2")
    assert g.value(geneva, KGO.startDate) == Literal("2014-01", datatype=XSD.gYearMonth)
    assert g.value(geneva, KGO.endDate) == Literal("2014-02", datatype=XSD.gYearMonth)
    war = node(iris, "event", "syrian-war")
    assert g.value(war, KGO.startDate) == Literal("2011", datatype=XSD.gYear)
    assert (war, KGO.endDate, None) not in g
    campaign = node(iris, "event", "air-campaign")
    assert (campaign, KGO.endDate, None) not in g, "the campaign started then; its end is not given"
    article = iris.article(SEED_ID)
    assert g.value(article, SCHEMA.datePublished) == Literal("2015-10-21", datatype=XSD.date)
    published = g.value(article, KGO.publicationTime)
    assert "Wednesday" in str(g.value(published, KGO.normalisation))


def test_geneva_2_organisers_and_outcome(seed_store: Store) -> None:
    rows = sorted(
        seed_store.query(
            """PREFIX kgo: <http://127.0.0.1:8000/ontology#>
            SELECT ?who ?outcome WHERE { ?e a kgo:Conference ; kgo:outcome ?outcome ; kgo:hasParticipation ?p .
              ?p kgo:role kgo:organiserRole ; kgo:participant ?who }"""
        ).rows()
    )
    assert [r[0] for r in rows] == [
        "<http://127.0.0.1:8000/id/entity/russia>",
        "<http://127.0.0.1:8000/id/entity/united-states>",
    ]
    assert rows[0][1] == '"brought no particular progress"@en'


def test_statements_keep_speaker_venue_and_factuality(seed_built: Built, iris: IRIs) -> None:
    g = seed_built.asserted + seed_built.inferred
    quote = node(iris, "statement", "quote-continue-assistance")
    assert (quote, RDF.type, KGO.DirectQuote) in g
    assert g.value(quote, KGO.speaker) == iris.entity("sergey-shoigu")
    assert g.value(quote, KGO.temporality) == KGO.future
    venues = set(g.objects(quote, KGO.venue))
    assert node(iris, "event", "collegium-meeting") in venues, "the venue chain reaches the enclosing meeting"


def test_no_owl_same_as_and_no_literal_subject_anywhere(
    seed_store: Store, seed_built: Built, authority_built: Built
) -> None:
    assert not seed_store.query("ASK { ?s <http://www.w3.org/2002/07/owl#sameAs> ?o }").boolean()
    for built in (seed_built, authority_built):
        for graph in built.graphs().values():
            assert not any(isinstance(s, Literal) for s, _, _ in graph)
