"""Annotation -> RDF: what an article asserts, and where that came from.

``map_article`` is a pure function of the loaded article, the IRI base, the
build time and kg's version. It mints no blank nodes, so two builds of the
same input give the same triples. Every node it asserts for the article
(entity, event, participation, statement, quantity, tenure, time, photo)
points to the spans it came from with ``kgo:denotedBy``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

from kg.annotation import Annotation, Article, Authority, Entity, Factuality, Span, TimeExpression
from kg.namespaces import DCTERMS, KGO, NIF, ONTOLOGY_IRI, PREFIXES, PROV, RDF, RDFS, SCHEMA, SKOS, TIME, WD, XSD, IRIs

ROLE = {
    "agent": KGO.agentRole,
    "patient": KGO.patientRole,
    "target": KGO.targetRole,
    "instrument": KGO.instrumentRole,
    "attendee": KGO.attendeeRole,
    "organiser": KGO.organiserRole,
    "speaker": KGO.speakerRole,
    "requester": KGO.requesterRole,
    "beneficiary": KGO.beneficiaryRole,
    "opponent": KGO.opponentRole,
}
FACTUALITY = {
    "actual": KGO.actual,
    "planned": KGO.planned,
    "to_be_prevented": KGO.toBePrevented,
    "positive": KGO.positive,
    "negative": KGO.negative,
    "certain": KGO.certain,
    "probable": KGO.probable,
    "possible": KGO.possible,
    "underspecified": KGO.underspecified,
    "future": KGO.future,
    "non_future": KGO.nonFuture,
}
RELATION = {
    "equipped_with": KGO.equippedWith,
    "outlawed_in": KGO.outlawedIn,
    "part_of": KGO.partOf,
    "located_in": KGO.containedIn,
}
STATEMENT_CLASS = {"direct_quote": KGO.DirectQuote, "reported_speech": KGO.ReportedSpeech}
PRECISION = {10: TIME.unitDay, 7: TIME.unitMonth, 4: TIME.unitYear}
XSD_TYPE = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}
OWL_TIME_VALUE = {10: TIME.inXSDDate, 7: TIME.inXSDgYearMonth, 4: TIME.inXSDgYear}


@dataclass(frozen=True)
class ArticleGraphs:
    """The graphs of one article: what it asserts, and how that graph was made."""

    article_id: str
    asserted: Graph
    provenance: Graph


def new_graph() -> Graph:
    """An empty graph with kg's prefixes, on rdflib's context-free store: a built graph is one
    graph, and adding a triple there costs about a third of what rdflib's default store takes."""
    graph = Graph(store=SimpleMemory())
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, replace=True)
    return graph


def date_literal(value: str) -> Literal:
    """``2015-09-30`` / ``2015-09`` / ``2015`` as xsd:date / xsd:gYearMonth / xsd:gYear."""
    return Literal(value, datatype=XSD_TYPE[len(value)])


def describe_entity(graph: Graph, node: URIRef, entity: Entity, ref: Callable[[str], URIRef]) -> None:
    """Names, types, hierarchy and verified Wikidata link of one entity."""
    graph.add((node, RDF.type, KGO[entity.type]))
    for prop in (RDFS.label, SKOS.prefLabel, SCHEMA.name):
        graph.add((node, prop, Literal(entity.name, lang="en")))
    for alias in entity.aliases:
        graph.add((node, SKOS.altLabel, Literal(alias, lang="en")))
    if entity.description:
        graph.add((node, SCHEMA.description, Literal(entity.description, lang="en")))
    if entity.wikidata:
        graph.add((node, SKOS.exactMatch, WD[entity.wikidata]))
    for target in entity.part_of:
        graph.add((node, KGO.partOf, ref(target)))
    for target in entity.contained_in:
        graph.add((node, KGO.containedIn, ref(target)))
    if entity.category:
        graph.add((node, KGO.category, ref(entity.category)))
    if entity.manufacturer:
        graph.add((node, KGO.manufacturer, ref(entity.manufacturer)))
    if entity.nato_name:
        graph.add((node, KGO.natoReportingName, Literal(entity.nato_name)))


def map_authority(authority: Authority, iris: IRIs, only: Collection[str] | None = None) -> Graph:
    """The authority's entities and positions (all, or the ids in ``only``) as RDF."""
    graph = new_graph()
    for eid, entity in authority.entities.items():
        if only is None or eid in only:
            describe_entity(graph, iris.entity(eid), entity, iris.entity)
    for pid, position in authority.positions.items():
        if only is None or pid in only:
            node = iris.position(pid)
            graph.add((node, RDF.type, KGO[position.type]))
            graph.add((node, RDFS.label, Literal(position.name, lang="en")))
            graph.add((node, SKOS.prefLabel, Literal(position.name, lang="en")))
            graph.add((node, KGO.postIn, iris.entity(position.organisation)))
    return graph


def referenced_authority(annotation: Annotation, authority: Authority) -> set[str]:
    """Ids of the authority entities and positions an article relies on, closed over the
    authority's own links (part of, contained in, category, manufacturer, post in)."""
    a = annotation
    refs: set[str] = {a.article.publisher, a.article.dateline.place, *a.mentions}
    if a.photo is not None:
        refs |= {*a.photo.depicts, *a.photo.credited_to}
        refs |= {r for r in (a.photo.location, a.photo.creator) if r is not None}
    for tenure in a.tenures:
        refs |= {tenure.holder, tenure.position}
    for event in a.events:
        refs |= {*event.places, *(p.entity for p in event.participants)}
    for statement in a.statements:
        refs |= {statement.speaker, *statement.about}
    for quantity in a.quantities:
        refs |= {*quantity.of, quantity.measures}
        refs |= {quantity.attributed_to} if quantity.attributed_to else set()
    for relation in a.relations:
        refs |= {relation.subject, relation.object}
    for local in a.local_entities.values():
        refs |= {*local.part_of, *local.contained_in}
        refs |= {r for r in (local.category, local.manufacturer) if r is not None}
    todo = [r for r in refs if r in authority.entities or r in authority.positions]
    found = set(todo)
    while todo:
        rid = todo.pop()
        if rid in authority.positions:
            linked: list[str | None] = [authority.positions[rid].organisation]
        else:
            entity = authority.entities[rid]
            linked = [*entity.part_of, *entity.contained_in, entity.category, entity.manufacturer]
        for ref in linked:
            if ref is not None and ref not in found:
                found.add(ref)
                todo.append(ref)
    return found


def map_article(article: Article, iris: IRIs, built_at: datetime, version: str) -> ArticleGraphs:
    """Map one loaded article to its asserted graph and its provenance graph."""
    graph = new_graph()
    _Mapper(article, iris, graph).run()
    record = provenance(iris.article_graphs(article.id), article_sources(article, iris), iris, built_at, version)
    return ArticleGraphs(article.id, graph, record)


class _Mapper:
    def __init__(self, article: Article, iris: IRIs, graph: Graph) -> None:
        self.article = article
        self.a: Annotation = article.annotation
        self.aid = article.id
        self.iris = iris
        self.g = graph
        self.text_node = iris.local(self.aid, "text", "content")
        self.local_ids = set(self.a.local_entities)
        self.event_ids = {e.id for e in self.a.events}

    # --- small helpers ---------------------------------------------------------------

    def add(self, s: Node, p: URIRef, o: Node) -> None:
        self.g.add((s, p, o))

    def ref(self, ref: str) -> URIRef:
        """An entity or event reference, to its IRI."""
        if ref in self.event_ids:
            return self.iris.local(self.aid, "event", ref)
        if ref in self.local_ids:
            return self.iris.local(self.aid, "entity", ref)
        return self.iris.entity(ref)

    def mentions(self, node: URIRef, spans: Iterable[Span]) -> None:
        for span in spans:
            mention = self.iris.mention(self.aid, span.start, span.end)
            self.add(node, KGO.denotedBy, mention)
            self.add(mention, RDF.type, KGO.Mention)
            # xsd:integer rather than NIF's xsd:nonNegativeInteger: pyoxigraph stores derived
            # integer types as xsd:integer, and the stored graph must be the built one
            self.add(mention, NIF.beginIndex, Literal(span.start, datatype=XSD.integer))
            self.add(mention, NIF.endIndex, Literal(span.end, datatype=XSD.integer))
            self.add(mention, NIF.anchorOf, Literal(span.text))
            self.add(mention, NIF.referenceContext, self.text_node)

    def label(self, node: URIRef, text: str) -> None:
        self.add(node, RDFS.label, Literal(text, lang="en"))

    # --- the parts -------------------------------------------------------------------

    def run(self) -> None:
        self.article_node()
        self.entities()
        self.times()
        self.tenures()
        self.events()
        self.statements()
        self.quantities()
        self.relations()
        self.photo()

    def article_node(self) -> None:
        meta = self.a.article
        node = self.iris.article(self.aid)
        self.add(node, RDF.type, KGO.NewsArticle)
        self.add(node, SCHEMA.identifier, Literal(self.aid))
        self.add(node, SCHEMA.headline, Literal(meta.headline.text, lang=meta.language))
        if meta.alternative_headline is not None:
            self.add(node, SCHEMA.alternativeHeadline, Literal(meta.alternative_headline.text, lang=meta.language))
        self.add(node, SCHEMA.inLanguage, Literal(meta.language))
        self.add(node, SCHEMA.datePublished, Literal(meta.date_published, datatype=XSD.date))
        self.add(node, KGO.publisher, self.ref(meta.publisher))
        self.add(node, KGO.dateline, self.ref(meta.dateline.place))
        self.mentions(self.ref(meta.dateline.place), meta.dateline.mentions)
        if meta.publication_time is not None:
            self.add(node, KGO.publicationTime, self.iris.local(self.aid, "time", meta.publication_time))
        self.add(node, KGO.hasText, self.text_node)
        self.add(self.text_node, RDF.type, KGO.ArticleText)
        self.add(self.text_node, NIF.isString, Literal(self.article.text))
        self.add(self.text_node, NIF.beginIndex, Literal(0, datatype=XSD.integer))
        self.add(self.text_node, NIF.endIndex, Literal(len(self.article.text), datatype=XSD.integer))
        self.add(self.text_node, KGO.sha256, Literal(meta.sha256))

    def entities(self) -> None:
        """Article-local entities in full; global entities only by their mentions here."""
        for eid, local in self.a.local_entities.items():
            node = self.ref(eid)
            describe_entity(self.g, node, local, self.ref)
            self.mentions(node, local.mentions)
        for eid, spans in self.a.mentions.items():
            self.mentions(self.ref(eid), spans)

    def times(self) -> None:
        for tid, expression in self.a.times.items():
            node = self.iris.local(self.aid, "time", tid)
            self.add(node, RDF.type, KGO.TimeExpression)
            self.mentions(node, expression.mentions)
            self.add(node, KGO.normalisation, Literal(expression.derivation, lang="en"))
            finest = max(len(v) for v in (expression.begin, expression.end) if v is not None)
            self.add(node, KGO.precision, PRECISION[finest])
            for name, value, prop in (
                ("begin", expression.begin, TIME.hasBeginning),
                ("end", expression.end, TIME.hasEnd),
            ):
                if value is None:
                    continue
                instant = self.iris.local(self.aid, "time", f"{tid}-{name}")
                self.add(node, prop, instant)
                self.add(instant, RDF.type, TIME.Instant)
                self.add(instant, OWL_TIME_VALUE[len(value)], date_literal(value))

    def tenures(self) -> None:
        for tenure in self.a.tenures:
            node = self.iris.local(self.aid, "tenure", tenure.id)
            self.add(node, RDF.type, KGO.Tenure)
            self.add(node, KGO.holder, self.ref(tenure.holder))
            self.add(node, KGO.position, self.iris.position(tenure.position))
            if tenure.time is not None:
                self.add(node, KGO.time, self.iris.local(self.aid, "time", tenure.time))
            self.mentions(node, tenure.mentions)

    def factuality(self, node: URIRef, factuality: Factuality) -> None:
        self.add(node, KGO.modality, FACTUALITY[factuality.modality])
        self.add(node, KGO.polarity, FACTUALITY[factuality.polarity])
        self.add(node, KGO.certainty, FACTUALITY[factuality.certainty])

    def events(self) -> None:
        for event in self.a.events:
            node = self.ref(event.id)
            self.add(node, RDF.type, KGO[event.type])
            self.label(node, event.label)
            self.mentions(node, event.mentions)
            self.factuality(node, event.factuality)
            if event.time is not None:
                self.add(node, KGO.time, self.iris.local(self.aid, "time", event.time))
                self.event_dates(node, self.a.times[event.time], event.time_relation)
            for place in event.places:
                self.add(node, KGO.place, self.ref(place))
            for participant in event.participants:
                part = URIRef(f"{node}/participant/{participant.entity}-{participant.role}")
                self.add(node, KGO.hasParticipation, part)
                self.add(part, RDF.type, KGO.Participation)
                self.add(part, KGO.participant, self.ref(participant.entity))
                self.add(part, KGO.role, ROLE[participant.role])
                self.mentions(part, participant.mentions)
            if event.sub_event_of is not None:
                self.add(node, KGO.subEventOf, self.ref(event.sub_event_of))
            if event.in_response_to is not None:
                self.add(node, KGO.inResponseTo, self.ref(event.in_response_to))
            if event.purpose is not None:
                self.add(node, KGO.purpose, Literal(event.purpose.text, lang=self.a.article.language))
            if event.outcome is not None:
                self.add(node, KGO.outcome, Literal(event.outcome.text, lang=self.a.article.language))

    def event_dates(self, node: URIRef, time: TimeExpression, relation: str) -> None:
        """Dates at the precision the text gives; an event that only *began* then gets no end."""
        if time.begin is not None:
            self.add(node, KGO.startDate, date_literal(time.begin))
        if time.end is not None and relation == "within":
            self.add(node, KGO.endDate, date_literal(time.end))

    def statements(self) -> None:
        for statement in self.a.statements:
            node = self.iris.local(self.aid, "statement", statement.id)
            self.add(node, RDF.type, STATEMENT_CLASS[statement.kind])
            self.add(node, SCHEMA.text, Literal(statement.content.text, lang=self.a.article.language))
            self.mentions(node, [statement.content, *statement.mentions])
            self.add(node, KGO.speaker, self.ref(statement.speaker))
            if statement.venue is not None:
                self.add(node, KGO.venue, self.ref(statement.venue))
            if statement.time is not None:
                self.add(node, KGO.time, self.iris.local(self.aid, "time", statement.time))
            for ref in statement.about:
                self.add(node, KGO.about, self.ref(ref))
            self.add(node, KGO.certainty, FACTUALITY[statement.factuality.certainty])
            self.add(node, KGO.polarity, FACTUALITY[statement.factuality.polarity])
            self.add(node, KGO.temporality, FACTUALITY[statement.factuality.temporality])

    def quantities(self) -> None:
        for quantity in self.a.quantities:
            node = self.iris.local(self.aid, "quantity", quantity.id)
            self.add(node, RDF.type, KGO.Quantity)
            self.mentions(node, quantity.mentions)
            if quantity.value is not None:
                self.add(node, KGO.exactValue, Literal(quantity.value, datatype=XSD.integer))
            if quantity.lower_bound is not None:
                bound = KGO.inclusiveMinimum if quantity.lower_bound.inclusive else KGO.exclusiveMinimum
                self.add(node, bound, Literal(quantity.lower_bound.value, datatype=XSD.integer))
            if quantity.vague is not None:
                self.add(node, KGO.vagueAmount, Literal(quantity.vague, lang=self.a.article.language))
            self.add(node, SCHEMA.unitText, Literal(quantity.unit, lang=self.a.article.language))
            for ref in quantity.of:
                self.add(node, KGO.countOf, self.ref(ref))
            self.add(node, KGO.measures, self.ref(quantity.measures))
            if quantity.aspect is not None:
                self.add(node, KGO.aspect, Literal(quantity.aspect, lang=self.a.article.language))
            if quantity.attributed_to is not None:
                self.add(node, KGO.attributedTo, self.ref(quantity.attributed_to))
            if quantity.attribution is not None:
                self.mentions(node, [quantity.attribution])

    def relations(self) -> None:
        """A relation is a plain triple, reified once so that its spans can be kept."""
        for i, relation in enumerate(self.a.relations):
            subject, predicate, obj = self.ref(relation.subject), RELATION[relation.property], self.ref(relation.object)
            self.add(subject, predicate, obj)
            node = self.iris.local(self.aid, "relation", str(i))
            self.add(node, RDF.type, RDF.Statement)
            self.add(node, RDF.subject, subject)
            self.add(node, RDF.predicate, predicate)
            self.add(node, RDF.object, obj)
            self.mentions(node, relation.mentions)

    def photo(self) -> None:
        photo = self.a.photo
        if photo is None:
            return
        node = self.iris.local(self.aid, "photo", photo.id)
        self.add(self.iris.article(self.aid), KGO.photo, node)
        self.add(node, RDF.type, KGO.Photo)
        self.add(node, SCHEMA.caption, Literal(photo.captions[0].text, lang=self.a.article.language))
        self.mentions(node, photo.captions)
        for ref in photo.depicts:
            self.add(node, KGO.depicts, self.ref(ref))
        if photo.depicts_event is not None:
            self.add(node, KGO.depictsEvent, self.ref(photo.depicts_event))
        if photo.location is not None:
            self.add(node, KGO.photoLocation, self.ref(photo.location))
        if photo.creator is not None:
            self.add(node, KGO.creator, self.ref(photo.creator))
        if photo.credit is not None:
            self.add(node, SCHEMA.creditText, Literal(photo.credit.text))
            self.mentions(node, [photo.credit])
        for ref in photo.credited_to:
            self.add(node, KGO.creditedTo, self.ref(ref))


@dataclass(frozen=True)
class Source:
    """A file a graph was derived from: its IRI, name and content hash."""

    iri: URIRef
    title: str
    sha256: str


def provenance(
    graphs: tuple[URIRef, URIRef, URIRef], sources: Iterable[Source], iris: IRIs, built_at: datetime, version: str
) -> Graph:
    """PROV-O for one build: the asserted graph came from ``sources``, the inferred one from it
    and the ontology, both generated by this version of kg at ``built_at``."""
    g = new_graph()
    asserted, inferred, own = graphs
    build = URIRef(f"{own}#build")
    software = iris.software(version)
    when = Literal(built_at.isoformat(timespec="seconds"), datatype=XSD.dateTime)
    g.add((software, RDF.type, PROV.SoftwareAgent))
    g.add((software, RDFS.label, Literal(f"kg {version}")))
    g.add((software, SCHEMA.softwareVersion, Literal(version)))
    g.add((build, RDF.type, PROV.Activity))
    g.add((build, PROV.wasAssociatedWith, software))
    g.add((build, PROV.endedAtTime, when))
    g.add((build, PROV.used, ONTOLOGY_IRI))
    used = []
    for source in sources:
        used.append(source.iri)
        g.add((source.iri, RDF.type, PROV.Entity))
        g.add((source.iri, DCTERMS.title, Literal(source.title)))
        g.add((source.iri, KGO.sha256, Literal(source.sha256)))
        g.add((build, PROV.used, source.iri))
    for graph, derived_from in ((asserted, used), (inferred, [asserted, ONTOLOGY_IRI])):
        g.add((graph, RDF.type, PROV.Entity))
        g.add((graph, PROV.wasGeneratedBy, build))
        g.add((graph, PROV.generatedAtTime, when))
        for origin in derived_from:
            g.add((graph, PROV.wasDerivedFrom, origin))
    return g


def revision(graph: URIRef, iris: IRIs, when: datetime, version: str) -> Graph:
    """PROV-O for a write through the endpoint that changed ``graph`` after its build."""
    g = new_graph()
    stamp = when.isoformat(timespec="microseconds")
    activity = URIRef(f"{graph}/provenance#write-{stamp}")
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDFS.label, Literal("write through the SPARQL endpoint", lang="en")))
    g.add((activity, PROV.endedAtTime, Literal(when.isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    g.add((activity, PROV.wasAssociatedWith, iris.software(version)))
    g.add((graph, PROV.wasGeneratedBy, activity))
    return g


def article_sources(article: Article, iris: IRIs) -> list[Source]:
    folder = article.folder.name
    return [
        Source(iris.local(article.id, "source", "annotation"), f"{folder}/annotation.yaml", article.annotation_sha256),
        Source(
            iris.local(article.id, "source", "text"),
            f"{folder}/{article.annotation.article.text}",
            article.annotation.article.sha256,
        ),
    ]
