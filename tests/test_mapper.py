"""kg.mapper: every asserted node is traceable to its text; identity is global for entities
and local for what an article says; output is deterministic."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS

from kg import pipeline, resources
from kg.annotation import Article, authority_path
from kg.mapper import map_article, map_authority
from kg.namespaces import KGO, NIF, IRIs
from tests.conftest import ARTICLES, BUILT_AT, SEED, TEST_ARTICLES

VERIFIED = Path(__file__).parent / "data" / "wikidata-verified.tsv"


def _subclasses(root: URIRef) -> set[URIRef]:
    ontology = resources.ontology()
    found, todo = {root}, [root]
    while todo:
        for sub in ontology.subjects(RDFS.subClassOf, todo.pop()):
            if isinstance(sub, URIRef) and sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def _nodes_of(graph: Graph, *roots: URIRef) -> set[URIRef]:
    classes = set().union(*(_subclasses(r) for r in roots))
    return {s for s, o in graph.subject_objects(RDF.type) if o in classes and isinstance(s, URIRef)}


def test_every_entity_event_statement_and_quantity_has_mentions_that_reproduce_the_text(
    seed_article: Article, iris: IRIs
) -> None:
    graph = map_article(seed_article, iris, BUILT_AT, "test").asserted
    text = (SEED / "text.txt").read_bytes().decode("utf-8")
    events = _nodes_of(graph, KGO.Event)
    statements = _nodes_of(graph, KGO.Statement)
    quantities = _nodes_of(graph, KGO.Quantity)
    entity_prefixes = (f"{iris.base}id/entity/", f"{iris.article(seed_article.id)}/entity/")
    entities = {s for s in graph.subjects(KGO.denotedBy, None) if str(s).startswith(entity_prefixes)}
    assert (len(events), len(statements), len(quantities)) == (17, 9, 6)
    assert len(entities) >= 30
    for node in events | statements | quantities | entities:
        mentions = list(graph.objects(node, KGO.denotedBy))
        assert mentions, f"{node} has no mention"
        for mention in mentions:
            begin, end = int(graph.value(mention, NIF.beginIndex)), int(graph.value(mention, NIF.endIndex))
            assert text[begin:end] == str(graph.value(mention, NIF.anchorOf)), mention
            assert graph.value(mention, NIF.referenceContext) == iris.local(seed_article.id, "text", "content")


def test_mapping_twice_gives_the_same_graphs_and_mints_no_blank_nodes(seed_article: Article, iris: IRIs) -> None:
    first = map_article(seed_article, iris, BUILT_AT, "test")
    second = map_article(seed_article, iris, BUILT_AT, "test")
    assert isomorphic(first.asserted, second.asserted)
    assert isomorphic(first.provenance, second.provenance)
    assert not any(isinstance(t, BNode) for triple in first.asserted for t in triple)


def test_build_time_changes_only_the_provenance(seed_article: Article, iris: IRIs) -> None:
    first = map_article(seed_article, iris, BUILT_AT, "test")
    later = map_article(seed_article, iris, datetime(2030, 1, 1, tzinfo=UTC), "test")
    assert isomorphic(first.asserted, later.asserted)
    assert not isomorphic(first.provenance, later.provenance)


def test_base_iri_is_configurable(seed_article: Article) -> None:
    graph = map_article(seed_article, IRIs("https://news.example.org/kg"), BUILT_AT, "test").asserted
    subjects = {str(s) for s in graph.subjects() if isinstance(s, URIRef)}
    assert subjects and all(s.startswith("https://news.example.org/kg/id/") for s in subjects)


def test_the_photo_shows_four_people_although_the_caption_is_printed_twice(seed_article: Article, iris: IRIs) -> None:
    graph = map_article(seed_article, iris, BUILT_AT, "test").asserted
    (photo,) = _nodes_of(graph, KGO.Photo)
    assert len(set(graph.objects(photo, KGO.depicts))) == 4
    captions = [m for m in graph.objects(photo, KGO.denotedBy) if "Kremlin" in str(graph.value(m, NIF.anchorOf))]
    assert len(captions) == 2


def test_wikidata_links_only_verified_identifiers(iris: IRIs) -> None:
    with VERIFIED.open(encoding="utf-8") as handle:
        verified = {row["wikidata"] for row in csv.DictReader(handle, delimiter="\t")}
    source = pipeline.load_authority_source(authority_path(ARTICLES))
    graph = map_authority(source.authority, iris)
    linked = {str(o).rsplit("/", 1)[1] for o in graph.objects(None, SKOS.exactMatch)}
    assert linked and linked <= verified


def test_a_second_article_adds_to_the_same_entity_node(iris: IRIs) -> None:
    source = pipeline.load_authority_source(authority_path(TEST_ARTICLES))
    authority = pipeline.build_authority(source, iris, BUILT_AT)
    seed = pipeline.build_article(pipeline.load(SEED, source), iris, BUILT_AT, authority)
    second = pipeline.build_article(
        pipeline.load(TEST_ARTICLES / "test-second-article", source), iris, BUILT_AT, authority
    )
    shoigu = iris.entity("sergey-shoigu")
    seed_mentions = set(seed.asserted.objects(shoigu, KGO.denotedBy))
    second_mentions = set(second.asserted.objects(shoigu, KGO.denotedBy))
    assert seed_mentions and second_mentions and not seed_mentions & second_mentions
    assert all(str(m).startswith(str(iris.article("test-second-article"))) for m in second_mentions)
    # the entity's description is the authority's, stated once, in neither article graph
    assert (shoigu, RDFS.label, None) not in seed.asserted
    assert (shoigu, RDFS.label, None) in authority.asserted
