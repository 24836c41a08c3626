"""What the service and its data are, in RDF: a SPARQL 1.1 Service Description and a VoID description.

Both functions return an rdflib Graph with kg's prefixes bound; the app serialises it by content
negotiation. Neither writes anything.

Service description (:func:`service_description`)
    One ``sd:Service`` (a blank node, as in the W3C examples) per distinct endpoint IRI: the query
    endpoint, and the update endpoint when there is one at another IRI. The W3C Service Description
    ties a service to one ``sd:endpoint``, so a service listing both languages would tell clients
    to send queries to ``/update``; when both are one IRI, one service lists both languages.

VoID description (:func:`void_description`)
    The dataset is ``<{base_url}.well-known/void#dataset>``: a hash IRI inside the document the app
    serves at ``/.well-known/void`` (the location the VoID recommendation proposes), so that the
    IRI dereferences wherever the server runs, whatever base the data is minted under. Each named
    graph is a ``void:subset`` of it, ``<{base_url}.well-known/void#graph/…>`` (the graph name
    relative to the minting base), or ``#graph=…`` (the whole name, percent-encoded) for a graph
    named outside the base.

    An *entity* is what VoID says it is: an IRI within the dataset's ``void:uriSpace``
    (``{iris.base}id/``) that is the subject of at least one triple. That is every resource kg
    mints (articles, events, mentions, statements, times, entities, positions…), and neither the
    vocabulary terms, the Wikidata IRIs kg links to, nor the graph names its provenance describes.
    The same rule counts the entities of each class partition (``#class=…``, the class IRI
    percent-encoded), given for the :data:`CLASS_PARTITIONS` classes with the most entities.
    ``void:classes`` counts the IRIs that are objects of ``rdf:type`` (not the blank-node OWL
    restrictions inference types some nodes with); ``void:exampleResource`` names the entities
    (``{iris.base}id/entity/…``) of the authority that the data refers to most; ``void:vocabulary``
    lists the namespaces of kg's prefixes whose classes or properties occur.

    Counts are of the union of all graphs, each triple once however many graphs hold it (the union
    default graph of pyoxigraph yields a triple once per graph). Subsets give ``void:triples`` and
    ``void:distinctSubjects`` of their graph. ``void:dataDump`` is left out until kg serves dumps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from kg.formats import RDF_SYNTAXES, RESULTS_SYNTAXES
from kg.namespaces import PREFIXES, IRIs
from kg.store import Store

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")

GRAPH_STORE_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-http-rdf-update/")
"""What the Graph Store endpoint conforms to: the SPARQL 1.1 Graph Store HTTP Protocol."""
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
"""The licence of the RDF kg produces (CC BY 4.0, as the ontology's)."""
RIGHTS = (
    "kg's RDF (its annotations, mappings, inferences and provenance) is licensed under CC BY 4.0. "
    "The article texts and quotations it contains are © their publishers and are not covered by that licence."
)

W3C_FORMAT: dict[str, URIRef] = {
    # RDF syntaxes, by RdfSyntax.name
    "turtle": FORMATS["Turtle"],
    "trig": FORMATS["TriG"],
    "nquads": FORMATS["N-Quads"],
    "ntriples": FORMATS["N-Triples"],
    "jsonld": FORMATS["JSON-LD"],
    "rdfxml": FORMATS["RDF_XML"],
    # SPARQL results syntaxes, by ResultsSyntax.name
    "json": FORMATS["SPARQL_Results_JSON"],
    "xml": FORMATS["SPARQL_Results_XML"],
    "csv": FORMATS["SPARQL_Results_CSV"],
    "tsv": FORMATS["SPARQL_Results_TSV"],
}
"""The W3C format IRI (https://www.w3.org/ns/formats/) of each syntax in kg.formats."""

GRAPH_STORE_INPUT = ("turtle", "ntriples", "rdfxml", "jsonld")
"""The RDF syntaxes a Graph Store upload may be written in."""

EXAMPLE_RESOURCES = 3
"""How many entities ``void:exampleResource`` names: the most referenced ones."""
CLASS_PARTITIONS = 20
"""How many classes get a ``void:classPartition``: those with the most entities."""


def _graph(extra: dict[str, str] | None = None) -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in {**PREFIXES, **(extra or {}), "sd": str(SD), "void": str(VOID)}.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def service_description(endpoint: str, update_endpoint: str | None, void_url: str, gsp_endpoint: str) -> Graph:
    """The SPARQL 1.1 Service Description of kg served at ``endpoint``.

    The query service states its result formats (every syntax of kg.formats), that its default
    graph is the union of all named graphs (``sd:UnionDefaultGraph``, and in words on the
    ``sd:defaultGraph``), and a default dataset pointing (``rdfs:seeAlso``) to the VoID description
    at ``void_url``. ``sd:inputFormat`` lists what the Graph Store accepts: kg refuses LOAD and
    SERVICE, so uploads are the only RDF it parses. With ``update_endpoint``, SPARQL 1.1 Update is
    described too (at ``endpoint`` itself when the IRIs are equal, else as a second service).
    """
    graph = _graph({"formats": str(FORMATS)})
    dataset, default_graph = BNode(), BNode()
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default_graph))
    graph.add((dataset, RDFS.seeAlso, URIRef(void_url)))
    graph.add((default_graph, RDF.type, SD.Graph))
    graph.add((default_graph, RDFS.comment, Literal("The union of all named graphs: each triple of each graph.")))

    # The Graph Store HTTP Protocol has no Service Description term. The query service points to its
    # endpoint with rdfs:seeAlso, and the endpoint says what it is with dcterms:conformsTo; clients find
    # it with  ?service rdfs:seeAlso ?gsp . ?gsp dcterms:conformsTo <https://www.w3.org/TR/sparql11-http-rdf-update/>
    gsp = URIRef(gsp_endpoint)
    graph.add((gsp, DCTERMS.conformsTo, GRAPH_STORE_PROTOCOL))
    graph.add(
        (gsp, RDFS.comment, Literal("SPARQL 1.1 Graph Store HTTP Protocol endpoint (indirect graph identification)."))
    )

    def service(at: str, languages: Iterable[URIRef]) -> BNode:
        node = BNode()
        graph.add((node, RDF.type, SD.Service))
        graph.add((node, SD.endpoint, URIRef(at)))
        for language in languages:
            graph.add((node, SD.supportedLanguage, language))
        graph.add((node, SD.feature, SD.UnionDefaultGraph))
        graph.add((node, SD.defaultDataset, dataset))
        return node

    together = update_endpoint == endpoint
    query_languages = [SD.SPARQL11Query, SD.SPARQL11Update] if together else [SD.SPARQL11Query]
    query = service(endpoint, query_languages)
    for name in [s.name for s in RESULTS_SYNTAXES] + [s.name for s in RDF_SYNTAXES]:
        graph.add((query, SD.resultFormat, W3C_FORMAT[name]))
    for name in GRAPH_STORE_INPUT:
        graph.add((query, SD.inputFormat, W3C_FORMAT[name]))
    graph.add((query, RDFS.seeAlso, gsp))
    if update_endpoint is not None and not together:
        service(update_endpoint, [SD.SPARQL11Update])
    return graph


def _literal(text: str) -> str:
    """``text`` as a SPARQL string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _iri(term: str | None) -> str | None:
    """The IRI of a display term (``<…>``), None for a blank node, literal or unbound."""
    if term is None or not term.startswith("<"):
        return None
    return term[1:-1]


_INTEGER = re.compile(r'^"(-?[0-9]+)"')


def _int(term: str | None) -> int:
    """The value of an integer literal (a count); 0 for unbound."""
    if term is None:
        return 0
    match = _INTEGER.match(term)
    if match is None:
        raise ValueError(f"not an integer: {term}")
    return int(match.group(1))


_FRAGMENT_SAFE = "/:@!$&'()*+,;=-._~"
"""Characters an IRI fragment may hold as they are (RFC 3987); quote() encodes the rest, '#' and '%' included."""


def _subset_iri(document: str, graph_name: str, iris: IRIs) -> URIRef:
    safe = _FRAGMENT_SAFE
    kg_graphs = f"{iris.base}graph/"
    if graph_name.startswith(kg_graphs):
        return URIRef(f"{document}#{quote(graph_name[len(iris.base) :], safe=safe)}")
    return URIRef(f"{document}#graph={quote(graph_name, safe=safe)}")


def _about(graph_name: str, iris: IRIs) -> tuple[str, str, URIRef | None]:
    """Title, description and source article of a named graph, from its name."""
    asserted, inferred, provenance = iris.authority_graphs()
    authority = {
        str(asserted): ("Authority: asserted", "The shared entities and positions, as the authority file states them."),
        str(inferred): ("Authority: inferred", "What OWL 2 RL entails about the authority, kept apart from it."),
        str(provenance): ("Authority: provenance", "How the authority graphs were built: source file, software, time."),
    }
    if graph_name in authority:
        return (*authority[graph_name], None)
    article = iris.article_of_graph(graph_name)
    if article is not None:
        source = iris.article(article)
        if graph_name == str(iris.graph(article)):
            return (f"Article {article}: asserted", "What the article says, as annotated.", source)
        if graph_name == str(iris.inferred_graph(article)):
            text = "What OWL 2 RL entails from what the article says, kept apart from it."
            return (f"Article {article}: inferred", text, source)
        if graph_name == str(iris.provenance_graph(article)):
            text = "How the article's graphs were built and revised: sources, software, times."
            return (f"Article {article}: provenance", text, source)
    return (f"Graph {graph_name}", "A named graph kg did not build.", None)


def void_description(store: Store, iris: IRIs, base_url: str, sparql_endpoint: str) -> Graph:
    """The VoID description of the store's content, served at ``{base_url}.well-known/void``.

    Statistics are of the union of all graphs (what the endpoint's default graph holds), each
    triple counted once however many graphs hold it; each named graph is a subset with its own.
    A pure function of the store's content: cache it until the next write.
    """
    if not base_url.endswith("/"):
        base_url += "/"
    document = f"{base_url}.well-known/void"
    dataset = URIRef(f"{document}#dataset")
    space = f"{iris.base}id/"
    entity = f"BIND(IF(isIRI(?s) && STRSTARTS(STR(?s), {_literal(space)}), 1, 0) AS ?in)"
    graph = _graph(iris.prefixes())

    def rows(sparql: str) -> list[tuple[str | None, ...]]:
        return list(store.query(sparql).rows())

    # In the union default graph a triple held by n graphs is n solutions: count DISTINCT. The entity
    # test runs once per distinct subject, after the DISTINCT (pyoxigraph spends ~1 µs on STR per solution).
    ((triples, subjects, objects),) = rows(
        """SELECT (COUNT(DISTINCT *) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
           WHERE { ?s ?p ?o }"""
    )
    ((entities,),) = rows(f"SELECT (SUM(?in) AS ?n) WHERE {{ {{ SELECT DISTINCT ?s WHERE {{ ?s ?p ?o }} }} {entity} }}")
    per_graph = rows(
        """SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) WHERE { GRAPH ?g { ?s ?p ?o } }
           GROUP BY ?g"""
    )
    classes = [  # blank nodes (OWL restrictions an inference typed something with) are not classes VoID counts
        (iri, n)
        for c, n in rows(
            f"""SELECT ?c (SUM(?in) AS ?n) WHERE {{ {{ SELECT DISTINCT ?c ?s WHERE {{ ?s a ?c }} }} {entity} }}
                GROUP BY ?c"""
        )
        if (iri := _iri(c)) is not None
    ]
    predicates = [iri for (p,) in rows("SELECT DISTINCT ?p WHERE { ?s ?p ?o }") if (iri := _iri(p)) is not None]
    authority, entities_space = iris.authority_graphs()[0], _literal(f"{iris.base}id/entity/")
    examples = rows(
        f"""SELECT ?e (COUNT(*) AS ?n) WHERE {{
              {{ SELECT DISTINCT ?e WHERE {{ GRAPH <{authority}> {{ ?e a ?c }} }} }}
              FILTER(isIRI(?e) && STRSTARTS(STR(?e), {entities_space}))
              ?x ?p ?e
            }} GROUP BY ?e ORDER BY DESC(?n) STR(?e) LIMIT {EXAMPLE_RESOURCES}"""
    )

    def count(node: URIRef, prop: URIRef, value: str | int | None) -> None:
        number = value if isinstance(value, int) else _int(value)
        graph.add((node, prop, Literal(number, datatype=XSD.integer)))

    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("kg: news articles as an event knowledge graph", lang="en")))
    graph.add((dataset, DCTERMS.license, LICENSE))
    graph.add((dataset, DCTERMS.rights, Literal(RIGHTS, lang="en")))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(sparql_endpoint)))
    graph.add((dataset, VOID.uriSpace, Literal(space)))
    count(dataset, VOID.triples, triples)
    count(dataset, VOID.entities, entities)
    count(dataset, VOID.classes, len(classes))
    count(dataset, VOID.properties, len(predicates))
    count(dataset, VOID.distinctSubjects, subjects)
    count(dataset, VOID.distinctObjects, objects)

    for name_term, graph_triples, graph_subjects in per_graph:
        name = _iri(name_term)
        if name is None:
            continue
        subset = _subset_iri(document, name, iris)
        title, description, source = _about(name, iris)
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, SD.name, URIRef(name)))
        graph.add((subset, DCTERMS.title, Literal(title, lang="en")))
        graph.add((subset, DCTERMS.description, Literal(description, lang="en")))
        if source is not None:
            graph.add((subset, DCTERMS.source, source))
        count(subset, VOID.triples, graph_triples)
        count(subset, VOID.distinctSubjects, graph_subjects)

    # the classes with the most entities (ties by IRI); a partition's IRI is its class's, percent-encoded
    ranked = sorted((-_int(n), iri) for iri, n in classes)
    for minus_entities, class_iri in ranked[:CLASS_PARTITIONS]:
        partition = URIRef(f"{document}#class={quote(class_iri, safe=_FRAGMENT_SAFE)}")
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(class_iri)))
        count(partition, VOID.entities, -minus_entities)

    for example, _ in examples:
        if (iri := _iri(example)) is not None:
            graph.add((dataset, VOID.exampleResource, URIRef(iri)))

    # the vocabularies (of kg's prefixes) whose classes or properties the data uses, by namespace IRI
    terms = [*predicates, *(iri for iri, _ in classes)]
    for namespace in sorted({ns for ns in PREFIXES.values() if any(term.startswith(ns) for term in terms)}):
        graph.add((dataset, VOID.vocabulary, URIRef(namespace)))
    return graph
