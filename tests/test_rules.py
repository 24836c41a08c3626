"""kg.rules: the fast closure gives exactly what kg.reason.infer (owlrl) gives.

Identity with owlrl is the point: on the bundled seed article and authority, on the second
test article, on random small graphs over kg's ontology and over a synthetic ontology that
uses every supported construct in the less common ways, with and without context and known
graphs. Ontologies with constructs the rules do not implement are refused; data that states
schema goes to owlrl.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import Node

from kg import pipeline, resources
from kg.annotation import authority_path
from kg.mapper import map_article, map_authority, referenced_authority
from kg.namespaces import KGO, PREFIXES, SCHEMA, IRIs
from kg.pipeline import Built
from kg.reason import _ontology_closure, infer
from kg.rules import (
    Rules,
    UnsupportedDataError,
    UnsupportedOntologyError,
    closure,
    compile_rules,
    infer_fast,
)
from tests.conftest import BUILT_AT, TEST_ARTICLES

Triple = tuple[Node, Node, Node]
EX = "http://example.org/o#"
DATA = "http://example.org/d/"

PREFIX_LINES = """
@prefix ex:   <http://example.org/o#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
"""

# Every supported construct, used in the corners kg's ontology does not reach: a chain whose first
# property is transitive, chains of length 1 and 3, a recursive chain, cycles of subclasses and
# subproperties, a property that is its own inverse, hasValue with a literal and with an individual
# the ontology describes, nested intersections, owl:Thing with a superclass (only declared classes
# reach owl:Thing in owlrl), a datatype range, and facts about non-vocabulary individuals in the
# ontology itself (which the ontology alone entails, so they are never reported).
SYNTHETIC = (
    PREFIX_LINES
    + """
<http://example.org/o> a owl:Ontology ; rdfs:label "synthetic" ; owl:versionInfo "1" .
ex:A a owl:Class ; rdfs:subClassOf ex:B .
ex:B a owl:Class ; owl:equivalentClass ex:B2 .
ex:B2 rdfs:subClassOf ex:A .
ex:C a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:status ; owl:hasValue ex:on ] .
ex:D a owl:Class ;
    owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( ex:A [ owl:intersectionOf ( ex:C ex:E ) ] ) ] .
ex:E owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:label2 ; owl:hasValue "e" ] .
ex:F owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:up ; owl:hasValue ex:hub ] .
owl:Thing rdfs:subClassOf ex:Top .
ex:status a owl:ObjectProperty ; rdfs:range ex:Status .
ex:up a owl:ObjectProperty , owl:TransitiveProperty ; owl:inverseOf ex:down ; rdfs:domain ex:Node .
ex:down rdfs:range owl:Thing .
ex:near owl:inverseOf ex:near .
ex:part rdfs:subPropertyOf ex:up .
ex:sub1 rdfs:subPropertyOf ex:sub2 .
ex:sub2 rdfs:subPropertyOf ex:sub1 ; rdfs:domain ex:C .
ex:via owl:propertyChainAxiom ( ex:up ex:near ) .
ex:far owl:propertyChainAxiom ( ex:near ex:up ex:near ) .
ex:reach owl:propertyChainAxiom ( ex:reach ex:part ) ; rdfs:subPropertyOf ex:near .
ex:alias owl:propertyChainAxiom ( ex:sub1 ) ; rdfs:range ex:F .
ex:label2 rdfs:range xsd:string .
ex:val a owl:DatatypeProperty ; rdfs:domain ex:A ; rdfs:subPropertyOf ex:label2 .
ex:hub a ex:Node ; ex:up ex:root ; ex:near ex:spoke ; rdfs:label "hub" .
ex:root ex:up ex:sky .
ex:on a ex:Status .
"""
)


def parse(turtle: str) -> Graph:
    return Graph().parse(data=turtle, format="turtle")


def graph_of(triples: list[Triple]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


def same(ours: Graph, reference: Graph) -> None:
    """Equal as sets of triples (blank nodes, if any, are the ontology's own, so equal as terms)."""
    extra, missing = set(ours) - set(reference), set(reference) - set(ours)
    assert not extra and not missing, f"extra: {sorted(extra)[:10]}\nmissing: {sorted(missing)[:10]}"


@pytest.fixture(scope="module")
def synthetic() -> Graph:
    return parse(SYNTHETIC)


# --- The bundled data --------------------------------------------------------------------------


def test_the_seed_article_gets_exactly_what_owlrl_gives(
    seed_built: Built, authority_built: Built, seed_context: Graph
) -> None:
    """seed_built.inferred is kg.reason.infer's result, computed by the pipeline."""
    fast = infer_fast(seed_built.asserted, resources.ontology(), context=seed_context, known=authority_built.inferred)
    assert len(fast) > 1000
    same(fast, seed_built.inferred)


def test_the_authority_gets_exactly_what_owlrl_gives(authority_built: Built) -> None:
    fast = infer_fast(authority_built.asserted, resources.ontology())
    assert len(fast) > 100
    same(fast, authority_built.inferred)


def test_the_second_article_gets_exactly_what_owlrl_gives(iris: IRIs) -> None:
    source = pipeline.load_authority_source(authority_path(TEST_ARTICLES))
    authority = map_authority(source.authority, iris)
    ontology = resources.ontology()
    authority_inferred = infer_fast(authority, ontology)
    same(authority_inferred, infer(authority, ontology))
    article = pipeline.load(TEST_ARTICLES / "test-second-article", source)
    asserted = map_article(article, iris, BUILT_AT, "test").asserted
    context = map_authority(article.authority, iris, referenced_authority(article.annotation, article.authority))
    fast = infer_fast(asserted, ontology, context=context, known=authority_inferred)
    assert len(fast) > 50
    same(fast, infer(asserted, ontology, context=context, known=authority_inferred))


def test_the_ontology_alone_closes_as_in_owlrl() -> None:
    """What the rules take as "entailed by the ontology alone" is owlrl's closure of it, apart from the
    schema itself and owlrl's one-off typing of vocabulary terms (prp-ap, dt-type1), which no rule
    reads and which infer never reports."""
    ontology = resources.ontology()
    rules = compile_rules(ontology)
    check_base(rules, ontology)


def test_the_synthetic_ontology_alone_closes_as_in_owlrl(synthetic: Graph) -> None:
    check_base(compile_rules(synthetic), synthetic)


def check_base(rules: Rules, ontology: Graph) -> None:
    def schema(triple: Triple) -> bool:
        _, p, o = triple
        if p == RDF.type:
            return o in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.TransitiveProperty)
        return p in (
            RDFS.subClassOf,
            RDFS.subPropertyOf,
            RDFS.domain,
            RDFS.range,
            OWL.equivalentClass,
            OWL.equivalentProperty,
            OWL.inverseOf,
            OWL.propertyChainAxiom,
            OWL.onProperty,
            OWL.hasValue,
            OWL.intersectionOf,
            OWL.sameAs,
        )

    def one_off(triple: Triple) -> bool:
        s, p, o = triple
        return (
            p == RDF.type
            and o in (OWL.AnnotationProperty, RDFS.Datatype)
            and str(s).startswith((str(RDF), str(RDFS), str(OWL), str(XSD)))
        )

    owlrl = {
        t for t in _ontology_closure(ontology) if not isinstance(t[0], Literal) and not schema(t) and not one_off(t)
    }
    assert owlrl == set(rules.base.seen)


# --- Random graphs over kg's ontology ----------------------------------------------------------

ONTOLOGY = resources.ontology()
KG_CLASSES = sorted(
    {c for c in ONTOLOGY.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    | {o for o in ONTOLOGY.objects(None, RDFS.subClassOf) if isinstance(o, URIRef)},
    key=str,
)
KG_PROPERTIES = sorted(
    {p for kind in (OWL.ObjectProperty, OWL.DatatypeProperty) for p in ONTOLOGY.subjects(RDF.type, kind)}
    | {o for o in ONTOLOGY.objects(None, RDFS.subPropertyOf) if isinstance(o, URIRef)},
    key=str,
)
# The properties that join (chains, transitive, inverses, hasValue), drawn more often than the rest.
KG_JOINING = [
    KGO[n]
    for n in [
        "containedIn",
        "occurredIn",
        "place",
        "withinOrganisation",
        "partOf",
        "subEventOf",
        "hasSubEvent",
        "venue",
        "hasTenure",
        "holder",
        "position",
        "holds",
        "hasParticipation",
        "participationIn",
        "participant",
        "involves",
        "denotedBy",
        "denotes",
        "modality",
        "polarity",
    ]
]
KG_VALUES = [
    KGO[n] for n in ["actual", "planned", "toBePrevented", "positive", "negative", "certain", "future", "agentRole"]
]
KG_NODES: list[Node] = [
    *(URIRef(f"http://127.0.0.1:8000/id/article/x/event/e{i}") for i in range(4)),
    URIRef("http://127.0.0.1:8000/id/entity/russia"),
    BNode("kgdata"),
]
LITERALS = [Literal("e"), Literal("2015-09-30", datatype=XSD.date), Literal(3), Literal("hub", lang="en")]


def kg_triples() -> st.SearchStrategy[Triple]:
    node = st.sampled_from(KG_NODES)
    return st.one_of(
        st.tuples(node, st.just(RDF.type), st.sampled_from(KG_CLASSES)),
        st.tuples(node, st.sampled_from(KG_JOINING), node),
        st.tuples(node, st.sampled_from([KGO.modality, KGO.polarity, KGO.role]), st.sampled_from(KG_VALUES)),
        st.tuples(node, st.sampled_from(KG_PROPERTIES), st.one_of(node, st.sampled_from(LITERALS))),
    )


def pairs(graph: Graph) -> list[tuple[Node, Node]]:
    """Property pairs that join: the ontology's chains and its transitive properties with themselves."""
    chains = [tuple(graph.items(o)) for _, o in graph.subject_objects(OWL.propertyChainAxiom)]
    return sorted(
        {(c[0], c[1]) for c in chains if len(c) == 2}
        | {(p, p) for p in graph.subjects(RDF.type, OWL.TransitiveProperty)}
    )


def linked(
    nodes: list[Node], joining: list[URIRef], favoured: list[tuple[Node, Node]]
) -> st.SearchStrategy[list[Triple]]:
    """Two triples sharing a node, in any orientation: paths, forks and joins, for chains and inverses."""
    pair = st.one_of(st.sampled_from(favoured), st.tuples(st.sampled_from(joining), st.sampled_from(joining)))
    node = st.sampled_from(nodes)

    def shape(args: tuple[tuple[Node, Node], Node, Node, Node, int]) -> list[Triple]:
        (p, q), a, b, c, orientation = args
        first = (a, p, b) if orientation & 1 else (b, p, a)
        second = (b, q, c) if orientation & 2 else (c, q, b)
        return [first, second]

    return st.tuples(pair, node, node, node, st.integers(0, 3)).map(shape)


def kg_graphs(size: int) -> st.SearchStrategy[Graph]:
    piece = st.one_of(kg_triples().map(lambda t: [t]), linked(KG_NODES, KG_JOINING, pairs(ONTOLOGY)))
    return st.lists(piece, max_size=size // 2 + 1).map(lambda pieces: graph_of([t for p in pieces for t in p]))


SLOW = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(asserted=kg_graphs(16), context=st.none() | kg_graphs(8), known=st.none() | kg_graphs(8))
def test_random_graphs_over_the_kg_ontology_get_what_owlrl_gives(
    asserted: Graph, context: Graph | None, known: Graph | None
) -> None:
    same(
        infer_fast(asserted, ONTOLOGY, context=context, known=known),
        infer(asserted, ONTOLOGY, context=context, known=known),
    )


# --- Random graphs over the synthetic ontology -------------------------------------------------

SYN = parse(SYNTHETIC)
SYN_CLASSES = [URIRef(EX + n) for n in ["A", "B", "B2", "C", "D", "E", "F", "Node", "Status", "Top", "Unknown"]] + [
    OWL.Thing
]
SYN_PROPERTIES = [
    URIRef(EX + n)
    for n in [
        "status",
        "up",
        "down",
        "near",
        "part",
        "sub1",
        "sub2",
        "via",
        "far",
        "reach",
        "alias",
        "label2",
        "val",
        "other",
    ]
]
SYN_NODES: list[Node] = [
    *(URIRef(f"{DATA}{n}") for n in "abcd"),
    BNode("syndata"),
    *(URIRef(EX + n) for n in ["hub", "root", "spoke", "sky", "on", "A"]),
]


def synthetic_triples() -> st.SearchStrategy[Triple]:
    node = st.sampled_from(SYN_NODES)
    value = st.one_of(node, st.sampled_from([*LITERALS, URIRef(EX + "on")]))
    return st.one_of(
        st.tuples(node, st.just(RDF.type), st.sampled_from(SYN_CLASSES)),
        st.tuples(node, st.sampled_from(SYN_PROPERTIES), value),
    )


def synthetic_graphs(size: int) -> st.SearchStrategy[Graph]:
    joining: list[URIRef] = SYN_PROPERTIES[:-1]
    piece = st.one_of(synthetic_triples().map(lambda t: [t]), linked(SYN_NODES, joining, pairs(SYN)))
    return st.lists(piece, max_size=size // 2 + 1).map(lambda pieces: graph_of([t for p in pieces for t in p]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(asserted=synthetic_graphs(14), context=st.none() | synthetic_graphs(8), known=st.none() | synthetic_graphs(6))
def test_random_graphs_over_a_synthetic_ontology_get_what_owlrl_gives(
    asserted: Graph, context: Graph | None, known: Graph | None
) -> None:
    same(infer_fast(asserted, SYN, context=context, known=known), infer(asserted, SYN, context=context, known=known))


def test_chains_transitivity_and_ontology_facts_combine(synthetic: Graph) -> None:
    """A hand-picked case: the data links to an individual the ontology describes."""

    def d(name: str) -> URIRef:
        return URIRef(DATA + name)

    data = graph_of(
        [
            (d("a"), URIRef(EX + "up"), URIRef(EX + "hub")),
            (d("b"), URIRef(EX + "reach"), d("a")),
            (d("a"), URIRef(EX + "part"), d("c")),
            (d("c"), URIRef(EX + "up"), Literal("e")),
            (d("c"), URIRef(EX + "label2"), Literal("e")),
        ]
    )
    fast = infer_fast(data, synthetic)
    assert (d("a"), URIRef(EX + "up"), URIRef(EX + "sky")) in fast  # through the ontology's own ex:hub ex:up ex:root
    assert (d("a"), URIRef(EX + "via"), URIRef(EX + "spoke")) in fast  # chain whose first property is transitive
    assert (d("a"), RDF.type, URIRef(EX + "F")) in fast  # hasValue on an ontology individual
    assert (d("c"), RDF.type, URIRef(EX + "Top")) in fast  # from the literal's ex:down (range owl:Thing)
    assert (URIRef(EX + "hub"), URIRef(EX + "down"), d("a")) in fast  # ex:hub is a node of the data too
    assert (URIRef(EX + "hub"), URIRef(EX + "up"), URIRef(EX + "sky")) not in fast  # but the ontology alone says that
    same(fast, infer(data, synthetic))


# --- Refusals and the fallback -----------------------------------------------------------------

UNSUPPORTED = {
    "unionOf": "ex:U owl:unionOf ( ex:A ex:B ) .",
    "someValuesFrom": "ex:S owl:equivalentClass [ owl:onProperty ex:p ; owl:someValuesFrom ex:A ] .",
    "allValuesFrom": "ex:S rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:p ; owl:allValuesFrom ex:A ] .",
    "maxCardinality": 'ex:S rdfs:subClassOf [ owl:onProperty ex:p ; owl:maxCardinality "1"^^xsd:nonNegativeInteger ] .',
    "minCardinality": 'ex:S rdfs:subClassOf [ owl:onProperty ex:p ; owl:minCardinality "1"^^xsd:nonNegativeInteger ] .',
    "oneOf": "ex:S owl:oneOf ( ex:a ex:b ) .",
    "complementOf": "ex:S owl:complementOf ex:A .",
    "disjointWith": "ex:A owl:disjointWith ex:B .",
    "equivalentProperty": "ex:p owl:equivalentProperty ex:q .",
    "SymmetricProperty": "ex:p a owl:SymmetricProperty .",
    "FunctionalProperty": "ex:p a owl:FunctionalProperty .",
    "InverseFunctionalProperty": "ex:p a owl:InverseFunctionalProperty .",
    "hasKey": "ex:A owl:hasKey ( ex:p ) .",
    "sameAs": "ex:a owl:sameAs ex:b .",
    "AllDifferent": "[] a owl:AllDifferent ; owl:members ( ex:a ex:b ) .",
    "inverse property expression": "ex:p rdfs:subPropertyOf [ owl:inverseOf ex:q ] .",
    "rdf:type as a property": "ex:kind rdfs:subPropertyOf rdf:type .",
    "a metaclass as a class": "ex:A rdfs:subClassOf owl:Class .",
    "owl:Nothing": "ex:A rdfs:subClassOf owl:Nothing .",
    "a datatype as a class": "xsd:integer rdfs:subClassOf ex:A .",
    "explicit datatype typing": "ex:a a xsd:integer .",
    "malformed list": "ex:p owl:propertyChainAxiom [ rdf:first ex:q ] .",
}


@pytest.mark.parametrize("snippet", UNSUPPORTED.values(), ids=UNSUPPORTED.keys())
def test_an_ontology_with_an_unsupported_construct_is_refused(snippet: str) -> None:
    ontology = parse(PREFIX_LINES + "ex:A a owl:Class .\n" + snippet)
    with pytest.raises(UnsupportedOntologyError):
        compile_rules(ontology)
    with pytest.raises(UnsupportedOntologyError):
        infer_fast(Graph(), ontology)


def test_the_kg_ontology_is_supported_and_compiled_once() -> None:
    ontology = resources.ontology()
    assert compile_rules(ontology) is compile_rules(ontology)
    copy = Graph()
    copy += ontology
    rules = compile_rules(copy)
    assert rules is not compile_rules(ontology)
    copy.add((KGO.Extra, RDFS.subClassOf, KGO.Event))
    assert compile_rules(copy) is not rules  # a changed graph is compiled again


SCHEMA_IN_DATA = {
    "sameAs": f"<{DATA}a> owl:sameAs <{DATA}b> .",
    "subClassOf": f"<{DATA}K> rdfs:subClassOf ex:A .",
    "owl:Class": f"<{DATA}K> a owl:Class .",
    "TransitiveProperty": f"<{DATA}p> a owl:TransitiveProperty .",
    "datatype typing": f"<{DATA}a> a xsd:integer .",
    "hasValue": f"<{DATA}K> owl:onProperty ex:up ; owl:hasValue <{DATA}a> .",
}


@pytest.mark.parametrize("snippet", SCHEMA_IN_DATA.values(), ids=SCHEMA_IN_DATA.keys())
def test_data_that_states_schema_goes_to_owlrl(synthetic: Graph, snippet: str) -> None:
    data = parse(
        PREFIX_LINES
        + f"<{DATA}a> a ex:A ; ex:up <{DATA}b> ; ex:status ex:on .\n<{DATA}K> ex:near <{DATA}a> .\n"
        + snippet
    )
    with pytest.raises(UnsupportedDataError):
        closure(data, compile_rules(synthetic))
    same(infer_fast(data, synthetic), infer(data, synthetic))


def test_data_repeating_the_ontology_stays_on_the_fast_path() -> None:
    ontology = resources.ontology()
    data = Graph()
    data.add((URIRef(DATA + "p"), RDF.type, KGO.Person))
    data.add((KGO.Person, RDFS.subClassOf, SCHEMA.Person))
    data.add((KGO.Person, RDF.type, OWL.Class))
    assert (URIRef(DATA + "p"), RDF.type, SCHEMA.Person) in closure(data, compile_rules(ontology))
    same(infer_fast(data, ontology), infer(data, ontology))


def test_infer_fast_leaves_its_inputs_alone_and_reports_no_vocabulary(authority_built: Built) -> None:
    asserted = authority_built.asserted
    ontology = resources.ontology()
    before = (len(asserted), len(ontology))
    inferred = infer_fast(asserted, ontology)
    assert (len(asserted), len(ontology)) == before
    vocabularies = tuple(PREFIXES.values())
    assert not any(str(s).startswith(vocabularies) or isinstance(s, Literal) for s, _, _ in inferred)
