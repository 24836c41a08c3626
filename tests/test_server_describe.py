"""Unit tests of the Service Description and the VoID description (kg.server.describe).

Statistics are checked against counts made independently: the store exported as N-Quads and
read back with rdflib, each triple counted once however many graphs hold it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from kg.formats import RDF_SYNTAXES, RESULTS_SYNTAXES, rdf_syntax
from kg.namespaces import KGO, PREFIXES, SCHEMA, WD, IRIs
from kg.server.describe import RIGHTS, service_description, void_description
from kg.store import Store, open_store

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")

BASE_URL = "http://kg.test/"
ENDPOINT = "http://kg.test/sparql"
UPDATE = "http://kg.test/update"
VOID_URL = "http://kg.test/.well-known/void"
GSP = "http://kg.test/gsp"
DATASET = URIRef("http://kg.test/.well-known/void#dataset")

W3C_FORMATS_BY_MEDIA_TYPE = {
    "application/sparql-results+json": FORMATS["SPARQL_Results_JSON"],
    "application/sparql-results+xml": FORMATS["SPARQL_Results_XML"],
    "text/csv": FORMATS["SPARQL_Results_CSV"],
    "text/tab-separated-values": FORMATS["SPARQL_Results_TSV"],
    "text/turtle": FORMATS["Turtle"],
    "application/n-triples": FORMATS["N-Triples"],
    "application/rdf+xml": FORMATS["RDF_XML"],
    "application/ld+json": FORMATS["JSON-LD"],
    "application/trig": FORMATS["TriG"],
    "application/n-quads": FORMATS["N-Quads"],
}


def assert_same_graph(actual: Graph, expected: Graph) -> None:
    if not isomorphic(actual, expected):
        _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
        pytest.fail(
            "graphs differ\nonly in actual:\n"
            + only_actual.serialize(format="nt")
            + "only in expected:\n"
            + only_expected.serialize(format="nt")
        )


def one_service(graph: Graph, endpoint: str) -> Node:
    services = [s for s in graph.subjects(RDF.type, SD.Service) if (s, SD.endpoint, URIRef(endpoint)) in graph]
    assert len(services) == 1
    return services[0]


# --- Service Description ---------------------------------------------------------------------


@pytest.mark.parametrize("syntax", ["turtle", "xml", "json-ld", "nt"])
def test_the_service_description_survives_serialisation(syntax: str) -> None:
    graph = service_description(ENDPOINT, UPDATE, VOID_URL, GSP)
    again = Graph().parse(data=graph.serialize(format=syntax), format=syntax)
    assert_same_graph(again, graph)


def test_the_service_description_is_the_expected_graph() -> None:
    expected = Graph().parse(
        format="turtle",
        data=f"""
        @prefix sd: <{SD}> . @prefix formats: <{FORMATS}> . @prefix rdfs: <{RDFS}> . @prefix dcterms: <{DCTERMS}> .
        [] a sd:Service ;
            sd:endpoint <{ENDPOINT}> ;
            sd:supportedLanguage sd:SPARQL11Query ;
            sd:feature sd:UnionDefaultGraph ;
            sd:resultFormat formats:SPARQL_Results_JSON, formats:SPARQL_Results_XML, formats:SPARQL_Results_CSV,
                formats:SPARQL_Results_TSV, formats:Turtle, formats:TriG, formats:N-Quads, formats:N-Triples,
                formats:JSON-LD, formats:RDF_XML ;
            sd:inputFormat formats:Turtle, formats:N-Triples, formats:RDF_XML, formats:JSON-LD ;
            sd:defaultDataset [
                a sd:Dataset ;
                sd:defaultGraph [
                    a sd:Graph ; rdfs:comment "The union of all named graphs: each triple of each graph."
                ] ;
                rdfs:seeAlso <{VOID_URL}>
            ] ;
            rdfs:seeAlso <{GSP}> .
        <{GSP}> dcterms:conformsTo <https://www.w3.org/TR/sparql11-http-rdf-update/> ;
            rdfs:comment "SPARQL 1.1 Graph Store HTTP Protocol endpoint (indirect graph identification)." .
        """,
    )
    assert_same_graph(service_description(ENDPOINT, None, VOID_URL, GSP), expected)


def test_without_an_update_endpoint_only_queries_are_described() -> None:
    graph = service_description(ENDPOINT, None, VOID_URL, GSP)
    service = one_service(graph, ENDPOINT)
    assert len(list(graph.subjects(RDF.type, SD.Service))) == 1
    assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert (None, SD.supportedLanguage, SD.SPARQL11Update) not in graph


def test_an_update_endpoint_of_its_own_is_a_second_service() -> None:
    graph = service_description(ENDPOINT, UPDATE, VOID_URL, GSP)
    query, update = one_service(graph, ENDPOINT), one_service(graph, UPDATE)
    assert query != update
    assert len(list(graph.subjects(RDF.type, SD.Service))) == 2
    assert set(graph.objects(query, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert set(graph.objects(update, SD.supportedLanguage)) == {SD.SPARQL11Update}
    assert set(graph.objects(query, SD.endpoint)) == {URIRef(ENDPOINT)}
    assert set(graph.objects(update, SD.endpoint)) == {URIRef(UPDATE)}
    # both answer over the same dataset, whose default graph is the union
    assert graph.value(query, SD.defaultDataset) == graph.value(update, SD.defaultDataset)
    assert (update, SD.feature, SD.UnionDefaultGraph) in graph


def test_an_update_endpoint_at_the_query_endpoint_is_one_service_with_both_languages() -> None:
    graph = service_description(ENDPOINT, ENDPOINT, VOID_URL, GSP)
    service = one_service(graph, ENDPOINT)
    assert len(list(graph.subjects(RDF.type, SD.Service))) == 1
    assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query, SD.SPARQL11Update}


def test_the_result_formats_are_those_of_kg_formats() -> None:
    graph = service_description(ENDPOINT, None, VOID_URL, GSP)
    media_types = [s.media_type for s in RESULTS_SYNTAXES] + [s.media_type for s in RDF_SYNTAXES]
    expected = {W3C_FORMATS_BY_MEDIA_TYPE[m] for m in media_types}
    assert set(graph.objects(one_service(graph, ENDPOINT), SD.resultFormat)) == expected


def test_the_default_graph_is_the_union_and_the_dataset_points_to_void() -> None:
    graph = service_description(ENDPOINT, None, VOID_URL, GSP)
    service = one_service(graph, ENDPOINT)
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    dataset = graph.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in graph
    assert (dataset, RDFS.seeAlso, URIRef(VOID_URL)) in graph
    default_graph = graph.value(dataset, SD.defaultGraph)
    assert (default_graph, RDF.type, SD.Graph) in graph
    assert "union" in str(graph.value(default_graph, RDFS.comment))


def test_the_graph_store_endpoint_can_be_found() -> None:
    graph = service_description(ENDPOINT, None, VOID_URL, GSP)
    found = graph.query(
        """SELECT ?gsp WHERE { ?service sd:endpoint ?e ; rdfs:seeAlso ?gsp .
                              ?gsp dcterms:conformsTo <https://www.w3.org/TR/sparql11-http-rdf-update/> }""",
        initNs={"sd": SD, "rdfs": RDFS, "dcterms": DCTERMS},
    )
    assert [row[0] for row in found] == [URIRef(GSP)]  # type: ignore[index]


def test_the_descriptions_bind_kg_prefixes(seed_store: Store, iris: IRIs) -> None:
    for graph in (
        service_description(ENDPOINT, None, VOID_URL, GSP),
        void_description(seed_store, iris, BASE_URL, ENDPOINT),
    ):
        bound = {prefix: str(namespace) for prefix, namespace in graph.namespaces()}
        assert {**PREFIXES, "sd": str(SD), "void": str(VOID)}.items() <= bound.items()


# --- VoID: independent counts ----------------------------------------------------------------


def quads(store: Store) -> dict[URIRef, set[tuple[Node, Node, Node]]]:
    """Each named graph's triples, read back from an N-Quads export."""
    dataset = Dataset()
    dataset.parse(data=store.export(rdf_syntax("nquads")).decode("utf-8"), format="nquads")
    return {
        URIRef(str(g.identifier)): set(g)
        for g in dataset.graphs()
        if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)
    }


def union(graphs: dict[URIRef, set[tuple[Node, Node, Node]]]) -> set[tuple[Node, Node, Node]]:
    return set().union(*graphs.values())


def integer(graph: Graph, subject: Node, prop: URIRef) -> int:
    values = list(graph.objects(subject, prop))
    assert len(values) == 1, f"{subject} has {len(values)} {prop}"
    value = values[0]
    assert isinstance(value, Literal)
    assert value.datatype == XSD.integer
    return int(value)


@pytest.fixture
def void(seed_store: Store, iris: IRIs) -> Graph:
    return void_description(seed_store, iris, BASE_URL, ENDPOINT)


@pytest.fixture
def seed_graphs(seed_store: Store) -> dict[URIRef, set[tuple[Node, Node, Node]]]:
    return quads(seed_store)


def test_void_triples_count_each_triple_once(
    void: Graph, seed_store: Store, seed_graphs: dict[URIRef, set[tuple[Node, Node, Node]]]
) -> None:
    distinct = len(union(seed_graphs))
    assert integer(void, DATASET, VOID.triples) == distinct
    assert distinct < len(seed_store)  # the seed holds triples in more than one graph: the test tells


def test_void_distinct_subjects_objects_properties_classes(
    void: Graph, seed_graphs: dict[URIRef, set[tuple[Node, Node, Node]]]
) -> None:
    triples = union(seed_graphs)
    assert integer(void, DATASET, VOID.distinctSubjects) == len({s for s, _, _ in triples})
    assert integer(void, DATASET, VOID.distinctObjects) == len({o for _, _, o in triples})
    assert integer(void, DATASET, VOID.properties) == len({p for _, p, _ in triples})
    classes = {o for _, p, o in triples if p == RDF.type and isinstance(o, URIRef)}
    assert integer(void, DATASET, VOID.classes) == len(classes)


def test_void_entities_are_subject_iris_in_the_uri_space(
    void: Graph, iris: IRIs, seed_graphs: dict[URIRef, set[tuple[Node, Node, Node]]]
) -> None:
    space = f"{iris.base}id/"
    assert void.value(DATASET, VOID.uriSpace) == Literal(space)
    entities = {s for s, _, _ in union(seed_graphs) if isinstance(s, URIRef) and s.startswith(space)}
    assert iris.entity("sergey-shoigu") in entities
    assert integer(void, DATASET, VOID.entities) == len(entities)


def test_void_has_one_subset_per_named_graph_with_its_counts(
    void: Graph, seed_store: Store, seed_graphs: dict[URIRef, set[tuple[Node, Node, Node]]]
) -> None:
    subsets = list(void.objects(DATASET, VOID.subset))
    by_name = {void.value(subset, SD.name): subset for subset in subsets}
    assert len(by_name) == len(subsets)
    assert set(by_name) == {URIRef(name) for name in seed_store.graph_names()} == set(seed_graphs)
    for name, subset in by_name.items():
        assert (subset, RDF.type, VOID.Dataset) in void
        assert integer(void, subset, VOID.triples) == len(seed_graphs[name])  # type: ignore[index]
        assert integer(void, subset, VOID.distinctSubjects) == len({s for s, _, _ in seed_graphs[name]})  # type: ignore[index]
        assert void.value(subset, DCTERMS.title) is not None
        assert void.value(subset, DCTERMS.description) is not None


def test_void_subsets_say_which_graphs_are_asserted_inferred_or_provenance(void: Graph, iris: IRIs) -> None:
    def title(name: URIRef) -> str:
        subset = void.value(predicate=SD.name, object=name)
        return str(void.value(subset, DCTERMS.title))

    article = "tass-2015-10-21-russia-syria-assistance"
    asserted, inferred, provenance = iris.authority_graphs()
    assert title(asserted) == "Authority: asserted"
    assert title(inferred) == "Authority: inferred"
    assert title(provenance) == "Authority: provenance"
    for name, kind in zip(iris.article_graphs(article), ("asserted", "inferred", "provenance"), strict=True):
        assert title(name) == f"Article {article}: {kind}"
        subset = void.value(predicate=SD.name, object=name)
        assert void.value(subset, DCTERMS.source) == iris.article(article)


def test_void_class_partitions_are_the_classes_with_most_entities(
    void: Graph, iris: IRIs, seed_graphs: dict[URIRef, set[tuple[Node, Node, Node]]]
) -> None:
    space = f"{iris.base}id/"
    instances: dict[Node, set[Node]] = {}
    for s, p, o in union(seed_graphs):
        if p == RDF.type and isinstance(o, URIRef):
            instances.setdefault(o, set())
            if isinstance(s, URIRef) and s.startswith(space):
                instances[o].add(s)
    partitions = {
        void.value(p, VOID["class"]): integer(void, p, VOID.entities)
        for p in void.objects(DATASET, VOID.classPartition)
    }
    assert len(partitions) == min(20, len(instances))
    for cls, n in partitions.items():
        assert n == len(instances[cls])  # type: ignore[index]
    left_out = [len(members) for cls, members in instances.items() if cls not in partitions]
    assert min(partitions.values()) >= max(left_out, default=0)
    assert partitions[KGO.Mention] == max(partitions.values())


def test_void_example_resources_are_entities_in_the_store(
    void: Graph, iris: IRIs, seed_graphs: dict[URIRef, set[tuple[Node, Node, Node]]]
) -> None:
    examples = set(void.objects(DATASET, VOID.exampleResource))
    authority = {s for s, _, _ in seed_graphs[iris.authority_graphs()[0]]}
    assert 1 <= len(examples) <= 3
    for example in examples:
        assert isinstance(example, URIRef)
        assert example.startswith(f"{iris.base}id/entity/")
        assert example in authority
    assert iris.entity("sergey-shoigu") in examples  # among the three the seed mentions most


def test_void_licence_rights_endpoint_and_no_dump(void: Graph) -> None:
    assert void.value(DATASET, DCTERMS.license) == CC_BY
    rights = str(void.value(DATASET, DCTERMS.rights))
    assert "CC BY 4.0" in rights
    assert "© their publishers" in rights
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(ENDPOINT)
    assert (DATASET, VOID.dataDump, None) not in void


def test_void_vocabularies_are_the_prefixes_the_data_uses(
    void: Graph, seed_graphs: dict[URIRef, set[tuple[Node, Node, Node]]]
) -> None:
    triples = union(seed_graphs)
    terms = {str(p) for _, p, _ in triples} | {str(o) for _, p, o in triples if p == RDF.type and isinstance(o, URIRef)}
    used = {URIRef(ns) for ns in PREFIXES.values() if any(t.startswith(ns) for t in terms)}
    assert set(void.objects(DATASET, VOID.vocabulary)) == used
    assert {URIRef(str(KGO)), URIRef(str(SCHEMA)), URIRef(PREFIXES["prov"])} <= used
    assert URIRef(str(WD)) not in used  # Wikidata items are objects, not vocabulary


def test_void_is_a_pure_function_of_the_store(void: Graph, seed_store: Store, iris: IRIs) -> None:
    again = void_description(seed_store, iris, BASE_URL, ENDPOINT)
    assert set(again) == set(void)  # no blank nodes: equal as sets of triples


def test_void_base_url_without_a_slash(seed_store: Store, iris: IRIs) -> None:
    graph = void_description(seed_store, iris, BASE_URL.rstrip("/"), ENDPOINT)
    assert (DATASET, RDF.type, VOID.Dataset) in graph


# --- VoID: a small store, compared as a graph ------------------------------------------------


@pytest.fixture
def small_store(tmp_path: Path, iris: IRIs) -> Iterator[Store]:
    """Two kg graphs sharing one triple, and a graph named outside kg's base."""
    store = open_store(tmp_path / "store", prefixes=iris.prefixes())
    a, event, other = iris.entity("a"), iris.local("x", "event", "e1"), URIRef("http://example.org/x")
    authority, article, foreign = Graph(), Graph(), Graph()
    authority += [(a, RDF.type, SCHEMA.Person), (a, SCHEMA.name, Literal("A")), (a, SKOS.exactMatch, WD.Q1)]
    article += [(event, RDF.type, KGO.Event), (event, KGO.participant, a), (a, RDF.type, SCHEMA.Person)]
    foreign += [(other, RDFS.label, Literal("x"))]
    store.replace_graphs(
        {iris.authority_graphs()[0]: authority, iris.graph("x"): article, URIRef("http://example.org/g#1"): foreign}
    )
    yield store
    store.close()


def test_void_of_a_small_store_is_the_expected_graph(small_store: Store, iris: IRIs) -> None:
    base = iris.base
    event_partition = "http://kg.test/.well-known/void#class=" + str(KGO).replace("#", "%23") + "Event"
    expected = Graph().parse(
        format="turtle",
        data=f"""
        @prefix void: <{VOID}> . @prefix sd: <{SD}> . @prefix dcterms: <{DCTERMS}> .
        @prefix schema: <{SCHEMA}> . @prefix kgo: <{KGO}> .
        @prefix rdf: <{RDF}> . @prefix rdfs: <{RDFS}> . @prefix skos: <{SKOS}> .
        @prefix d: <http://kg.test/.well-known/void#> .
        d:dataset a void:Dataset ;
            dcterms:title "kg: news articles as an event knowledge graph"@en ;
            dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
            dcterms:rights {Literal(RIGHTS, lang="en").n3()} ;
            void:sparqlEndpoint <{ENDPOINT}> ;
            void:uriSpace "{base}id/" ;
            void:triples 6 ;
            void:entities 2 ;
            void:classes 2 ;
            void:properties 5 ;
            void:distinctSubjects 3 ;
            void:distinctObjects 6 ;
            void:subset <http://kg.test/.well-known/void#graph/authority>,
                <http://kg.test/.well-known/void#graph/article/x>,
                <http://kg.test/.well-known/void#graph=http://example.org/g%231> ;
            void:classPartition <http://kg.test/.well-known/void#class=https://schema.org/Person>,
                <{event_partition}> ;
            void:exampleResource <{base}id/entity/a> ;
            void:vocabulary kgo:, schema:, rdf:, rdfs:, skos: .
        <http://kg.test/.well-known/void#graph/authority> a void:Dataset ;
            sd:name <{base}graph/authority> ;
            dcterms:title "Authority: asserted"@en ;
            dcterms:description "The shared entities and positions, as the authority file states them."@en ;
            void:triples 3 ;
            void:distinctSubjects 1 .
        <http://kg.test/.well-known/void#graph/article/x> a void:Dataset ;
            sd:name <{base}graph/article/x> ;
            dcterms:title "Article x: asserted"@en ;
            dcterms:description "What the article says, as annotated."@en ;
            dcterms:source <{base}id/article/x> ;
            void:triples 3 ;
            void:distinctSubjects 2 .
        <http://kg.test/.well-known/void#graph=http://example.org/g%231> a void:Dataset ;
            sd:name <http://example.org/g#1> ;
            dcterms:title "Graph http://example.org/g#1"@en ;
            dcterms:description "A named graph kg did not build."@en ;
            void:triples 1 ;
            void:distinctSubjects 1 .
        <http://kg.test/.well-known/void#class=https://schema.org/Person> void:class schema:Person ; void:entities 1 .
        <{event_partition}> void:class kgo:Event ; void:entities 1 .
        """,
    )
    assert_same_graph(void_description(small_store, iris, BASE_URL, ENDPOINT), expected)


def test_void_of_an_empty_store(tmp_path: Path, iris: IRIs) -> None:
    store = open_store(tmp_path / "empty")
    try:
        graph = void_description(store, iris, BASE_URL, ENDPOINT)
    finally:
        store.close()
    for prop in (VOID.triples, VOID.entities, VOID.classes, VOID.properties, VOID.distinctSubjects):
        assert integer(graph, DATASET, prop) == 0
    for prop in (VOID.subset, VOID.classPartition, VOID.exampleResource, VOID.vocabulary):
        assert (DATASET, prop, None) not in graph
