"""The SHACL gate's shapes: shapes/article.ttl (checked on an article's asserted graph with the
authority's description of what it references) and shapes/closure.ttl (checked on that graph
together with its OWL 2 RL closure).

- The seed conforms to both, with only the warnings its annotation deliberately leaves.
- Every constraint has a negative test: the seed's gated graph with exactly one thing broken
  must fail with a violation that names the expected focus node, path and message (the break is
  undone afterwards, which is cheaper than copying the graph). To keep the suite fast, most breaks
  are validated on the broken node's neighbourhood (the node and everything it reaches, described
  in full), which conforms when nothing is broken; a few are also checked on the whole graph to
  show that the two agree.
- Warnings (editorial gaps) are reported without failing the gate.
- Meta: every shape and constraint carries an English sh:message, every message is exercised by
  a negative test, every class the mapper emits is targeted, and kg's own per-article node types
  are closed while entities are open.
- The report text names the focus node, the path and the focus node's text span.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, TIME, XSD
from rdflib.term import Node

from kg import pipeline, resources
from kg.annotation import authority_path
from kg.mapper import map_authority, referenced_authority
from kg.namespaces import KGO, NIF, ORG, SCHEMA, IRIs
from kg.pipeline import Built
from kg.validate import Finding, Report, check
from tests.conftest import ARTICLES, SEED

IRI_BASE = IRIs()

# =================================================================================================
# The graphs the gate sees for the seed
# =================================================================================================


def copy(graph: Graph) -> Graph:
    out = Graph()
    out += graph
    return out


class Undoable(Graph):
    """A graph whose ``add``/``remove`` (and so ``set``) can be undone: breaking the shared seed
    graph and putting it back is much cheaper than copying it for every negative test."""

    def __init__(self) -> None:
        super().__init__()
        self._journal: list[tuple[bool, tuple[Node, Node, Node]]] | None = None

    def add(self, triple: tuple[Node, Node, Node]) -> Undoable:  # type: ignore[override]
        if self._journal is not None and triple not in self:
            self._journal.append((True, triple))
        super().add(triple)
        return self

    def remove(self, triple: tuple[Node | None, Node | None, Node | None]) -> Undoable:  # type: ignore[override]
        if self._journal is not None:
            self._journal.extend((False, t) for t in list(self.triples(triple)))
        super().remove(triple)
        return self

    @contextmanager
    def broken(self) -> Iterator[Undoable]:
        """Changes made inside the block are undone when it ends, whatever happens."""
        assert self._journal is None, "breaks do not nest"
        self._journal = []
        try:
            yield self
        finally:
            journal, self._journal = self._journal, None
            for added, triple in reversed(journal):
                if added:
                    super().remove(triple)
                else:
                    super().add(triple)


@dataclass(frozen=True)
class Gated:
    """The seed as the gate sees it: article + context (article shapes), plus the closure."""

    article: Undoable
    closure: Undoable


@pytest.fixture(scope="module")
def seed_gated(_seed_built: Built, _authority_built: Built, iris: IRIs) -> Gated:
    """Built once per module: the seed's asserted graph with the authority context, as in pipeline.build_article.

    Tests must not change these graphs except inside ``Undoable.broken()``.
    """
    article = pipeline.load(SEED, pipeline.load_authority_source(authority_path(ARTICLES)))
    context = map_authority(article.authority, iris, referenced_authority(article.annotation, article.authority))
    gated, closure = Undoable(), Undoable()
    for graph in (_seed_built.asserted, context):
        gated += graph
        closure += graph
    closure += _seed_built.inferred
    closure += _authority_built.inferred
    return Gated(gated, closure)


def validate(graph: Graph, which: str = "article") -> Report:
    shapes = resources.shapes() if which == "article" else resources.closure_shapes()
    return check(graph, shapes, resources.ontology())


ENTITY_CLASSES = set().union(
    *(
        set(resources.ontology().transitive_subjects(RDFS.subClassOf, c))
        for c in (KGO.Person, KGO.Organisation, KGO.Place, KGO.EquipmentModel, KGO.EquipmentCategory)
    )
)
NEEDS_INCOMING = {KGO.Mention: KGO.denotedBy, KGO.Participation: KGO.hasParticipation, KGO.Photo: KGO.photo}
"""The node types whose shapes require an incoming link, and that link."""


def neighbourhood(graph: Graph, node: Node) -> Graph:
    """``node`` and everything it reaches, each described in full (all its outgoing triples),
    except the mentions of entities other than ``node``: an entity needs none, and following
    them would bring most of the article along.

    A mention, participation or photo in it that nothing in it links to brings one node that
    does (and all that node reaches), as its shape requires. So every node in the neighbourhood
    is complete, and the neighbourhood of an unbroken node conforms: what fails in it comes from
    the break.
    """
    todo: list[Node] = [node]
    seen: set[Node] = set()
    out = Graph()
    while todo:
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            is_entity = current != node and any(t in ENTITY_CLASSES for t in graph.objects(current, RDF.type))
            for p, o in graph.predicate_objects(current):
                if is_entity and p == KGO.denotedBy:
                    continue
                out.add((current, p, o))
                if not isinstance(o, Literal):
                    todo.append(o)
        for cls, link in NEEDS_INCOMING.items():
            for needy in sorted(out.subjects(RDF.type, cls)):
                if (None, link, needy) not in out:
                    for source in sorted(graph.subjects(link, needy))[:1]:
                        out.add((source, link, needy))
                        todo.append(source)
    return out


# =================================================================================================
# Finding nodes in the seed without hard-coding the annotation's ids
# =================================================================================================

Pick = Callable[[Graph], URIRef]
Mutate = Callable[[Graph, URIRef], None]


def subclasses(cls: URIRef) -> set[Node]:
    return set(resources.ontology().transitive_subjects(RDFS.subClassOf, cls))


def a(
    cls: URIRef, *having: URIRef, lacking: Iterable[URIRef] = (), where: Callable[[Graph, Node], bool] | None = None
) -> Pick:
    """The first node (by IRI) of class ``cls`` or a subclass that has every property in ``having``."""

    def pick(graph: Graph) -> URIRef:
        classes = subclasses(cls)
        nodes = sorted(
            {
                s
                for s, t in graph.subject_objects(RDF.type)
                if t in classes
                and isinstance(s, URIRef)
                and all((s, p, None) in graph for p in having)
                and not any((s, p, None) in graph for p in lacking)
                and (where is None or where(graph, s))
            }
        )
        assert nodes, f"the seed has no {cls} with {having}"
        return nodes[0]

    return pick


def the(node: URIRef) -> Pick:
    return lambda _: node


def value_of(pick: Pick, p: URIRef) -> Pick:
    """The (first) value of ``p`` on the node ``pick`` finds."""

    def go(graph: Graph) -> URIRef:
        values = sorted(o for o in graph.objects(pick(graph), p) if isinstance(o, URIRef))
        assert values
        return values[0]

    return go


def mentioned(graph: Graph, node: Node) -> bool:
    return (node, KGO.denotedBy, None) in graph


ARTICLE = a(KGO.NewsArticle)
TEXT = a(KGO.ArticleText)
MENTION = value_of(a(KGO.Event, KGO.denotedBy), KGO.denotedBy)
PERSON = a(KGO.Person, where=mentioned)
ORGANISATION = a(KGO.Organisation, KGO.partOf)
PLACE = a(KGO.Place, KGO.containedIn)
EQUIPMENT = a(KGO.EquipmentModel, KGO.category)
CATEGORY = a(KGO.EquipmentCategory)
POST = a(KGO.Post)
TENURE = a(KGO.Tenure, KGO.time)
TIME_EXPR = a(KGO.TimeExpression, TIME.hasBeginning, TIME.hasEnd)
INSTANT = a(TIME.Instant, TIME.inXSDDate)
EVENT = a(KGO.Event, KGO.time, KGO.startDate, KGO.hasParticipation)
OTHER_EVENT = a(KGO.Event, lacking=[KGO.time])
PARTICIPATION = a(KGO.Participation, KGO.denotedBy)
STATEMENT = a(KGO.Statement, KGO.venue, KGO.about)
QUANTITY = a(KGO.Quantity, KGO.exactValue)
VAGUE = a(KGO.Quantity, KGO.vagueAmount)
RELATION = a(RDF.Statement)
PHOTO = a(KGO.Photo)


# --- mutations -----------------------------------------------------------------------------------

Value = Node | Pick


def resolve(graph: Graph, value: Value) -> Node:
    return value if isinstance(value, Node) else value(graph)


def add(p: URIRef, o: Value) -> Mutate:
    return lambda g, n: g.add((n, p, resolve(g, o)))


def drop(*ps: URIRef) -> Mutate:
    def go(g: Graph, n: URIRef) -> None:
        for p in ps:
            g.remove((n, p, None))

    return go


def put(p: URIRef, o: Value) -> Mutate:
    """Replace every value of ``p`` with ``o``."""

    def go(g: Graph, n: URIRef) -> None:
        value = resolve(g, o)
        g.remove((n, p, None))
        g.add((n, p, value))

    return go


def retype(p: URIRef, datatype: URIRef | None = None, lang: str | None = None) -> Mutate:
    """Keep the lexical form of ``p``'s value, change its datatype or language."""

    def go(g: Graph, n: URIRef) -> None:
        old = g.value(n, p)
        assert isinstance(old, Literal)
        g.set((n, p, Literal(str(old), datatype=datatype, lang=lang)))

    return go


def unlink(p: URIRef) -> Mutate:
    """Remove every incoming ``p`` link."""
    return lambda g, n: g.remove((None, p, n))


def both(*steps: Mutate) -> Mutate:
    def go(g: Graph, n: URIRef) -> None:
        for step in steps:
            step(g, n)

    return go


def drop_node(graph: Graph, node: Node) -> None:
    """Remove a node and what only it used: its links, and mentions that now denote nothing."""
    mentions = set(graph.objects(node, KGO.denotedBy))
    graph.remove((node, None, None))
    graph.remove((None, None, node))
    for mention in mentions:
        if (None, KGO.denotedBy, mention) not in graph:
            graph.remove((mention, None, None))


def drop_participations(graph: Graph, event: URIRef) -> None:
    for participation in list(graph.objects(event, KGO.hasParticipation)):
        drop_node(graph, participation)


def new_person(graph: Graph, _: URIRef) -> None:
    """A fully described person that nothing in the article mentions."""
    person = IRI_BASE.entity("nobody-in-particular")
    graph.add((person, RDF.type, KGO.Person))
    for p in (RDFS.label, SKOS.prefLabel, SCHEMA.name):
        graph.add((person, p, Literal("Nobody in particular", lang="en")))


# =================================================================================================
# Negative tests: one broken thing, one expected finding
# =================================================================================================


@dataclass(frozen=True)
class Break:
    """Break the node ``node`` picks with ``mutate``; expect a finding with ``message`` in it."""

    node: Pick
    mutate: Mutate
    message: str
    path: URIRef | None = None
    focus: Pick | None = None
    severity: str = "Violation"
    shapes: str = "article"
    whole: bool = False
    also: tuple[Pick, ...] = ()

    def param(self, id_: str) -> object:
        return pytest.param(self, id=id_)


def shown(node: Node) -> set[str]:
    """The ways a report may write ``node``."""
    forms = {f"<{node}>", str(node)}
    for prefix, namespace in IRI_BASE.prefixes().items():
        if str(node).startswith(namespace):
            forms.add(f"{prefix}:{str(node)[len(namespace) :]}")
    return forms


def names(finding: Finding, node: Node) -> bool:
    return any(finding.focus == form or finding.focus.startswith(f"{form} (") for form in shown(node))


ARTICLE_BREAKS = {
    # --- news article -------------------------------------------------------------------------
    "article-closed-extra-property": Break(
        ARTICLE,
        add(SCHEMA.author, the(IRI_BASE.entity("x"))),
        "A news article has a property kg does not emit",
        SCHEMA.author,
    ),
    "article-identifier-not-slug": Break(
        ARTICLE, put(SCHEMA.identifier, Literal("Not A Slug")), "exactly one schema:identifier", SCHEMA.identifier
    ),
    "article-headline-missing": Break(ARTICLE, drop(SCHEMA.headline), "exactly one schema:headline", SCHEMA.headline),
    "article-alternative-headline-twice": Break(
        ARTICLE,
        add(SCHEMA.alternativeHeadline, Literal("Another", lang="en")),
        "at most one schema:alternativeHeadline",
        SCHEMA.alternativeHeadline,
    ),
    "article-language-tagged": Break(
        ARTICLE, put(SCHEMA.inLanguage, Literal("en", lang="en")), "exactly one schema:inLanguage", SCHEMA.inLanguage
    ),
    "article-date-as-string": Break(
        ARTICLE, retype(SCHEMA.datePublished, XSD.string), "exactly one schema:datePublished", SCHEMA.datePublished
    ),
    "article-publisher-a-place": Break(ARTICLE, put(KGO.publisher, PLACE), "exactly one kgo:publisher", KGO.publisher),
    "article-dateline-a-person": Break(ARTICLE, put(KGO.dateline, PERSON), "exactly one kgo:dateline", KGO.dateline),
    "article-publication-time-an-event": Break(
        ARTICLE, put(KGO.publicationTime, EVENT), "at most one kgo:publicationTime", KGO.publicationTime
    ),
    "article-text-missing": Break(ARTICLE, drop(KGO.hasText), "exactly one kgo:hasText", KGO.hasText),
    "article-photo-a-time": Break(ARTICLE, put(KGO.photo, TIME_EXPR), "at most one kgo:photo,", KGO.photo),
    # --- article text and mentions -----------------------------------------------------------
    "text-closed-extra-property": Break(
        TEXT, add(RDFS.label, Literal("text", lang="en")), "An article text has a property kg does not emit", RDFS.label
    ),
    "text-string-language-tagged": Break(
        TEXT, retype(NIF.isString, lang="en"), "exactly one nif:isString", NIF.isString
    ),
    "text-begin-not-zero": Break(
        TEXT, put(NIF.beginIndex, Literal(1, datatype=XSD.integer)), "must be 0", NIF.beginIndex
    ),
    "text-end-as-string": Break(TEXT, retype(NIF.endIndex, XSD.string), "its length in code points", NIF.endIndex),
    "text-sha256-upper-case": Break(TEXT, put(KGO.sha256, Literal("A" * 64)), "exactly one kgo:sha256", KGO.sha256),
    "text-anchor-does-not-match": Break(
        MENTION,
        put(NIF.anchorOf, Literal("something else")),
        "has a nif:anchorOf that is not the text",
        None,
        focus=TEXT,
    ),
    "mention-closed-extra-property": Break(
        MENTION, add(RDFS.comment, Literal("x")), "A mention has a property kg does not emit", RDFS.comment
    ),
    "mention-anchor-empty": Break(
        MENTION, put(NIF.anchorOf, Literal("")), "the non-empty surface text", NIF.anchorOf, also=(TEXT,)
    ),
    "mention-begin-negative": Break(
        MENTION,
        put(NIF.beginIndex, Literal(-1, datatype=XSD.integer)),
        "A mention needs exactly one nif:beginIndex",
        NIF.beginIndex,
        also=(TEXT,),
    ),
    "mention-end-before-begin": Break(
        MENTION,
        put(NIF.endIndex, Literal(0, datatype=XSD.integer)),
        "must be greater than its nif:beginIndex",
        NIF.beginIndex,
        also=(TEXT,),
    ),
    "mention-end-missing": Break(MENTION, drop(NIF.endIndex), "A mention needs exactly one nif:endIndex", NIF.endIndex),
    "mention-context-missing": Break(
        MENTION, drop(NIF.referenceContext), "exactly one nif:referenceContext", NIF.referenceContext
    ),
    "mention-denotes-nothing": Break(MENTION, unlink(KGO.denotedBy), "A mention must denote something"),
    # --- entities ------------------------------------------------------------------------------
    "entity-label-missing": Break(PERSON, drop(RDFS.label), "An entity needs an rdfs:label", RDFS.label),
    "entity-two-preflabels-in-one-language": Break(
        PERSON, add(SKOS.prefLabel, Literal("Someone", lang="en")), "at most one per language", SKOS.prefLabel
    ),
    "entity-name-missing": Break(ORGANISATION, drop(SCHEMA.name), "An entity needs a schema:name", SCHEMA.name),
    "entity-altlabel-plain": Break(
        PLACE, add(SKOS.altLabel, Literal("untagged")), "skos:altLabel values must be language-tagged", SKOS.altLabel
    ),
    "entity-description-plain": Break(
        CATEGORY,
        add(SCHEMA.description, Literal("untagged")),
        "schema:description values must be language-tagged",
        SCHEMA.description,
    ),
    "entity-exactmatch-not-wikidata": Break(
        PERSON,
        add(SKOS.exactMatch, URIRef("http://dbpedia.org/resource/X")),
        "must point to a Wikidata item IRI",
        SKOS.exactMatch,
    ),
    "entity-denoted-by-not-a-mention": Break(
        PERSON, add(KGO.denotedBy, EVENT), "kgo:denotedBy must point to a kgo:Mention", KGO.denotedBy
    ),
    "organisation-part-of-a-person": Break(
        ORGANISATION, add(KGO.partOf, PERSON), "can only be kgo:partOf another organisation or a country", KGO.partOf
    ),
    "organisation-equipped-with-a-place": Break(
        ORGANISATION, add(KGO.equippedWith, PLACE), "can only be kgo:equippedWith an equipment model", KGO.equippedWith
    ),
    "organisation-outlawed-in-a-city": Break(
        ORGANISATION, add(KGO.outlawedIn, a(KGO.City)), "can only be kgo:outlawedIn a country", KGO.outlawedIn
    ),
    "place-contained-in-an-organisation": Break(
        PLACE, add(KGO.containedIn, ORGANISATION), "can only be kgo:containedIn another place", KGO.containedIn
    ),
    "equipment-two-categories": Break(
        EQUIPMENT,
        add(KGO.category, a(KGO.EquipmentCategory, where=lambda g, n: (None, KGO.category, n) not in g)),
        "at most one kgo:category",
        KGO.category,
    ),
    "equipment-made-by-a-person": Break(
        EQUIPMENT, put(KGO.manufacturer, PERSON), "kgo:manufacturer must be an organisation", KGO.manufacturer
    ),
    "equipment-nato-name-tagged": Break(
        EQUIPMENT,
        add(KGO.natoReportingName, Literal("Name", lang="en")),
        "kgo:natoReportingName must be a plain string",
        KGO.natoReportingName,
    ),
    "position-label-missing": Break(POST, drop(RDFS.label), "A post or military rank needs an rdfs:label", RDFS.label),
    "position-post-in-a-person": Break(POST, put(KGO.postIn, PERSON), "exactly one kgo:postIn", KGO.postIn),
    "entity-never-mentioned": Break(
        the(IRI_BASE.entity("nobody-in-particular")),
        new_person,
        "no span of the article text denotes it",
        severity="Warning",
        whole=True,
    ),
    "no-same-as": Break(PERSON, add(OWL.sameAs, ORGANISATION), "owl:sameAs is not allowed", OWL.sameAs),
    # --- tenures and times ----------------------------------------------------------------------
    "tenure-closed-extra-property": Break(
        TENURE, add(KGO.place, PLACE), "A tenure has a property kg does not emit", KGO.place
    ),
    "tenure-holder-an-organisation": Break(TENURE, put(KGO.holder, ORGANISATION), "exactly one kgo:holder", KGO.holder),
    "tenure-position-missing": Break(TENURE, drop(KGO.position), "exactly one kgo:position", KGO.position),
    "tenure-two-times": Break(
        TENURE,
        add(KGO.time, a(KGO.TimeExpression, where=lambda g, n: (TENURE(g), KGO.time, n) not in g)),
        "A tenure has at most one kgo:time",
        KGO.time,
    ),
    "tenure-not-denoted": Break(
        TENURE, drop(KGO.denotedBy), "A tenure needs at least one kgo:denotedBy", KGO.denotedBy
    ),
    "time-closed-extra-property": Break(
        TIME_EXPR,
        add(KGO.startDate, Literal("2015-10-21", datatype=XSD.date)),
        "A time expression has a property kg does not emit",
        KGO.startDate,
    ),
    "time-not-denoted": Break(
        TIME_EXPR, drop(KGO.denotedBy), "A time expression needs at least one kgo:denotedBy", KGO.denotedBy
    ),
    "time-normalisation-missing": Break(
        TIME_EXPR, drop(KGO.normalisation), "exactly one kgo:normalisation", KGO.normalisation
    ),
    "time-precision-hour": Break(
        TIME_EXPR, put(KGO.precision, TIME.unitHour), "exactly one kgo:precision", KGO.precision
    ),
    "time-beginning-not-an-instant": Break(
        TIME_EXPR, put(TIME.hasBeginning, MENTION), "at most one time:hasBeginning", TIME.hasBeginning
    ),
    "time-end-not-an-instant": Break(TIME_EXPR, put(TIME.hasEnd, MENTION), "at most one time:hasEnd", TIME.hasEnd),
    "time-without-bounds": Break(
        TIME_EXPR, drop(TIME.hasBeginning, TIME.hasEnd), "needs a time:hasBeginning, a time:hasEnd or both"
    ),
    "instant-closed-extra-property": Break(
        INSTANT, add(RDFS.label, Literal("x", lang="en")), "A time instant has a property kg does not emit", RDFS.label
    ),
    "instant-date-as-year": Break(
        INSTANT,
        put(TIME.inXSDDate, Literal("2015", datatype=XSD.gYear)),
        "time:inXSDDate must be a single valid xsd:date",
        TIME.inXSDDate,
    ),
    "instant-year-month-as-string": Break(
        a(TIME.Instant, TIME.inXSDgYearMonth),
        retype(TIME.inXSDgYearMonth, XSD.string),
        "time:inXSDgYearMonth must be",
        TIME.inXSDgYearMonth,
    ),
    "instant-year-as-date": Break(
        a(TIME.Instant, TIME.inXSDgYear),
        put(TIME.inXSDgYear, Literal("2011-01-01", datatype=XSD.date)),
        "time:inXSDgYear must be",
        TIME.inXSDgYear,
    ),
    "instant-two-values": Break(
        INSTANT, add(TIME.inXSDgYear, Literal("2015", datatype=XSD.gYear)), "must give exactly one value"
    ),
    # --- events and participation ---------------------------------------------------------------
    "event-closed-extra-property": Break(
        EVENT, add(KGO.temporality, KGO.future), "An event has a property kg does not emit", KGO.temporality
    ),
    "event-label-missing": Break(EVENT, drop(RDFS.label), "An event needs exactly one rdfs:label", RDFS.label),
    "event-not-denoted": Break(EVENT, drop(KGO.denotedBy), "An event needs at least one kgo:denotedBy", KGO.denotedBy),
    "event-modality-future": Break(EVENT, put(KGO.modality, KGO.future), "exactly one kgo:modality", KGO.modality),
    "event-two-polarities": Break(
        EVENT,
        both(put(KGO.polarity, KGO.positive), add(KGO.polarity, KGO.negative)),
        "An event needs exactly one kgo:polarity",
        KGO.polarity,
    ),
    "event-certainty-missing": Break(
        EVENT, drop(KGO.certainty), "An event needs exactly one kgo:certainty", KGO.certainty
    ),
    "event-time-a-mention": Break(EVENT, put(KGO.time, MENTION), "An event has at most one kgo:time", KGO.time),
    "event-start-date-time": Break(
        EVENT,
        put(KGO.startDate, Literal("2015-09-30T00:00:00", datatype=XSD.dateTime)),
        "at most one kgo:startDate",
        KGO.startDate,
    ),
    "event-end-date-string": Break(
        EVENT, put(KGO.endDate, Literal("October 2015")), "at most one kgo:endDate", KGO.endDate
    ),
    "event-place-a-person": Break(EVENT, add(KGO.place, PERSON), "kgo:place values must be places", KGO.place),
    "event-participation-an-entity": Break(
        EVENT,
        add(KGO.hasParticipation, PERSON),
        "kgo:hasParticipation values must be kgo:Participation",
        KGO.hasParticipation,
    ),
    "event-sub-event-of-a-statement": Break(
        EVENT, add(KGO.subEventOf, STATEMENT), "kgo:subEventOf at most one event", KGO.subEventOf
    ),
    "event-in-response-to-a-place": Break(
        EVENT, add(KGO.inResponseTo, PLACE), "kgo:inResponseTo at most one event", KGO.inResponseTo
    ),
    "event-two-purposes": Break(
        a(KGO.Event, KGO.purpose),
        add(KGO.purpose, Literal("another", lang="en")),
        "at most one kgo:purpose",
        KGO.purpose,
    ),
    "event-outcome-plain": Break(
        a(KGO.Event, KGO.outcome), retype(KGO.outcome, XSD.string), "at most one kgo:outcome", KGO.outcome
    ),
    "event-without-participants": Break(
        EVENT,
        drop_participations,
        "This event has no participants",
        KGO.hasParticipation,
        severity="Warning",
        whole=True,
    ),
    "participation-closed-extra-property": Break(
        PARTICIPATION, add(KGO.time, a(KGO.TimeExpression)), "A participation has a property kg does not emit", KGO.time
    ),
    "participation-participant-a-time": Break(
        PARTICIPATION, put(KGO.participant, a(KGO.TimeExpression)), "exactly one kgo:participant", KGO.participant
    ),
    "participation-role-not-a-role": Break(PARTICIPATION, put(KGO.role, KGO.actual), "exactly one kgo:role", KGO.role),
    "participation-denoted-by-an-event": Break(
        PARTICIPATION, add(KGO.denotedBy, OTHER_EVENT), "A participation's kgo:denotedBy values", KGO.denotedBy
    ),
    "participation-of-no-event": Break(PARTICIPATION, unlink(KGO.hasParticipation), "must belong to exactly one event"),
    "participation-of-two-events": Break(
        PARTICIPATION,
        lambda g, n: g.add((OTHER_EVENT(g), KGO.hasParticipation, n)),
        "must belong to exactly one event",
        whole=True,
    ),
    # --- statements, quantities, relations ---------------------------------------------------------
    "statement-closed-extra-property": Break(
        STATEMENT, add(KGO.modality, KGO.actual), "A statement has a property kg does not emit", KGO.modality
    ),
    "statement-text-missing": Break(STATEMENT, drop(SCHEMA.text), "exactly one schema:text", SCHEMA.text),
    "statement-not-denoted": Break(
        STATEMENT, drop(KGO.denotedBy), "A statement needs at least one kgo:denotedBy", KGO.denotedBy
    ),
    "statement-speaker-equipment": Break(
        STATEMENT, put(KGO.speaker, EQUIPMENT), "exactly one kgo:speaker", KGO.speaker
    ),
    "statement-venue-a-place": Break(STATEMENT, put(KGO.venue, PLACE), "at most one kgo:venue", KGO.venue),
    "statement-two-times": Break(
        STATEMENT,
        add(KGO.time, a(KGO.TimeExpression, where=lambda g, n: (STATEMENT(g), KGO.time, n) not in g)),
        "A statement has at most one kgo:time",
        KGO.time,
    ),
    "statement-about-a-mention": Break(
        STATEMENT, add(KGO.about, MENTION), "kgo:about values must be entities", KGO.about
    ),
    "statement-certainty-actual": Break(
        STATEMENT, put(KGO.certainty, KGO.actual), "A statement needs exactly one kgo:certainty", KGO.certainty
    ),
    "statement-polarity-missing": Break(
        STATEMENT, drop(KGO.polarity), "A statement needs exactly one kgo:polarity", KGO.polarity
    ),
    "statement-temporality-positive": Break(
        STATEMENT, put(KGO.temporality, KGO.positive), "exactly one kgo:temporality", KGO.temporality
    ),
    "statement-about-nothing": Break(
        STATEMENT, drop(KGO.about), "This statement is about nothing", KGO.about, severity="Warning"
    ),
    "quantity-closed-extra-property": Break(
        QUANTITY, add(SCHEMA.value, Literal(3)), "A quantity has a property kg does not emit", SCHEMA.value
    ),
    "quantity-not-denoted": Break(
        QUANTITY, drop(KGO.denotedBy), "A quantity needs at least one kgo:denotedBy", KGO.denotedBy
    ),
    "quantity-exact-value-negative": Break(
        QUANTITY, put(KGO.exactValue, Literal(-3)), "kgo:exactValue must be a single non-negative", KGO.exactValue
    ),
    "quantity-exclusive-minimum-decimal": Break(
        a(KGO.Quantity, KGO.exclusiveMinimum),
        retype(KGO.exclusiveMinimum, XSD.decimal),
        "kgo:exclusiveMinimum must be",
        KGO.exclusiveMinimum,
    ),
    "quantity-inclusive-minimum-string": Break(
        VAGUE,
        both(drop(KGO.vagueAmount), add(KGO.inclusiveMinimum, Literal("100"))),
        "kgo:inclusiveMinimum must be",
        KGO.inclusiveMinimum,
    ),
    "quantity-vague-amount-plain": Break(
        VAGUE, retype(KGO.vagueAmount, XSD.string), "kgo:vagueAmount must be", KGO.vagueAmount
    ),
    "quantity-unit-missing": Break(QUANTITY, drop(SCHEMA.unitText), "exactly one schema:unitText", SCHEMA.unitText),
    "quantity-count-of-an-event": Break(
        QUANTITY, add(KGO.countOf, OTHER_EVENT), "kgo:countOf values must be entities", KGO.countOf
    ),
    "quantity-measures-nothing": Break(QUANTITY, drop(KGO.measures), "exactly one kgo:measures", KGO.measures),
    "quantity-two-aspects": Break(
        QUANTITY, add(KGO.aspect, Literal("another", lang="en")), "at most one kgo:aspect", KGO.aspect
    ),
    "quantity-attributed-to-an-event": Break(
        QUANTITY, add(KGO.attributedTo, OTHER_EVENT), "at most one kgo:attributedTo", KGO.attributedTo
    ),
    "quantity-two-value-kinds": Break(VAGUE, add(KGO.exactValue, Literal(300)), "exactly one kind of value"),
    "quantity-no-value": Break(QUANTITY, drop(KGO.exactValue), "exactly one kind of value"),
    "relation-closed-extra-property": Break(
        RELATION,
        add(RDFS.label, Literal("x", lang="en")),
        "A reified relation has a property kg does not emit",
        RDFS.label,
    ),
    "relation-subject-an-event": Break(
        RELATION, put(RDF.subject, EVENT), "exactly one rdf:subject", RDF.subject, also=(RELATION,)
    ),
    "relation-predicate-unknown": Break(
        RELATION, put(RDF.predicate, KGO.about), "exactly one rdf:predicate", RDF.predicate
    ),
    "relation-object-missing": Break(RELATION, drop(RDF.object), "exactly one rdf:object", RDF.object),
    "relation-not-denoted": Break(
        RELATION, drop(KGO.denotedBy), "A reified relation needs at least one kgo:denotedBy", KGO.denotedBy
    ),
    "relation-not-asserted": Break(
        RELATION,
        lambda g, n: g.remove((g.value(n, RDF.subject), g.value(n, RDF.predicate), g.value(n, RDF.object))),
        "must describe a triple the article asserts",
    ),
    # --- the photo -------------------------------------------------------------------------------
    "photo-closed-extra-property": Break(
        PHOTO, add(SCHEMA.author, PERSON), "A photo has a property kg does not emit", SCHEMA.author
    ),
    "photo-caption-missing": Break(PHOTO, drop(SCHEMA.caption), "exactly one schema:caption", SCHEMA.caption),
    "photo-not-denoted": Break(PHOTO, drop(KGO.denotedBy), "A photo needs at least one kgo:denotedBy", KGO.denotedBy),
    "photo-depicts-an-event": Break(PHOTO, add(KGO.depicts, EVENT), "use kgo:depictsEvent for an event", KGO.depicts),
    "photo-depicts-two-events": Break(
        PHOTO, add(KGO.depictsEvent, OTHER_EVENT), "at most one kgo:depictsEvent", KGO.depictsEvent
    ),
    "photo-location-a-person": Break(
        PHOTO, put(KGO.photoLocation, PERSON), "at most one kgo:photoLocation", KGO.photoLocation
    ),
    "photo-creator-a-place": Break(PHOTO, put(KGO.creator, PLACE), "at most one kgo:creator", KGO.creator),
    "photo-two-credit-texts": Break(
        PHOTO, add(SCHEMA.creditText, Literal("Another credit")), "at most one schema:creditText", SCHEMA.creditText
    ),
    "photo-credited-to-a-place": Break(
        PHOTO, add(KGO.creditedTo, PLACE), "kgo:creditedTo values must be persons or organisations", KGO.creditedTo
    ),
    "photo-of-no-article": Break(PHOTO, unlink(KGO.photo), "must belong to exactly one news article"),
}

CLOSURE_BREAKS = {
    "factual-and-negated": Break(
        a(KGO.FactualEvent), add(RDF.type, KGO.NegatedEvent), "inferred to be factual", shapes="closure"
    ),
    "factual-and-planned": Break(
        a(KGO.FactualEvent), add(RDF.type, KGO.PlannedEvent), "inferred to be factual", shapes="closure"
    ),
    "event-not-schema-event": Break(
        EVENT, lambda g, n: g.remove((n, RDF.type, SCHEMA.Event)), "not typed schema:Event", RDF.type, shapes="closure"
    ),
    "person-not-schema-person": Break(
        PERSON,
        lambda g, n: g.remove((n, RDF.type, SCHEMA.Person)),
        "not typed schema:Person",
        RDF.type,
        shapes="closure",
    ),
    "organisation-not-schema-organization": Break(
        ORGANISATION,
        lambda g, n: g.remove((n, RDF.type, SCHEMA.Organization)),
        "not typed schema:Organization",
        RDF.type,
        shapes="closure",
    ),
    "place-not-schema-place": Break(
        PLACE, lambda g, n: g.remove((n, RDF.type, SCHEMA.Place)), "not typed schema:Place", RDF.type, shapes="closure"
    ),
    "article-not-schema-article": Break(
        ARTICLE,
        lambda g, n: g.remove((n, RDF.type, SCHEMA.NewsArticle)),
        "not typed schema:NewsArticle",
        RDF.type,
        shapes="closure",
    ),
    "tenure-holder-not-a-person": Break(
        TENURE,
        put(KGO.holder, ORGANISATION),
        "kgo:holder must be a kgo:Person after inference",
        KGO.holder,
        shapes="closure",
    ),
    "tenure-holder-holds-nothing": Break(
        TENURE,
        lambda g, n: g.remove((g.value(n, KGO.holder), ORG.holds, g.value(n, KGO.position))),
        "has no org:holds to the tenure's position",
        shapes="closure",
    ),
    "event-occurred-in-an-organisation": Break(
        EVENT, add(KGO.occurredIn, ORGANISATION), "kgo:occurredIn values", KGO.occurredIn, shapes="closure"
    ),
}

BREAKS = {**ARTICLE_BREAKS, **CLOSURE_BREAKS}


def run(gated: Gated, case: Break) -> tuple[Report, URIRef, list[URIRef]]:
    """Break the gated graph, take the broken node's neighbourhood (or a copy of it all), undo
    the break, and validate what was taken. Returns the report, the expected focus and the
    nodes that may have violations besides it."""
    shared = gated.article if case.shapes == "article" else gated.closure
    with shared.broken() as graph:
        node = case.node(graph)
        case.mutate(graph, node)
        focus = case.focus(graph) if case.focus else node
        also = [pick(graph) for pick in case.also]
        data = copy(graph) if case.whole else neighbourhood(graph, node)
    return validate(data, case.shapes), focus, also


def assert_found(report: Report, case: Break, focus: URIRef, also: list[URIRef]) -> None:
    wanted = report.violations if case.severity == "Violation" else report.warnings
    hits = [
        f
        for f in wanted
        if names(f, focus)
        and case.message in f.message
        and (case.path is None or (f.path is not None and f.path in shown(case.path)))
    ]
    assert hits, f"expected a {case.severity} on {focus} ({case.path}): {case.message!r}\n{report.text()}"
    stray = [f for f in report.violations if not any(names(f, n) for n in (focus, *also))]
    assert not stray, f"violations on other nodes than {focus}:\n{report.text()}"


@pytest.mark.parametrize("case", [b.param(k) for k, b in BREAKS.items()])
def test_a_broken_graph_is_caught(seed_gated: Gated, case: Break) -> None:
    report, focus, also = run(seed_gated, case)
    if case.severity == "Violation":
        assert not report.conforms
    else:
        assert report.conforms, f"a warning must not fail the gate:\n{report.text()}"
    assert_found(report, case, focus, also)


@pytest.mark.parametrize(
    "name", ["mention-end-before-begin", "quantity-two-value-kinds", "participation-role-not-a-role"]
)
def test_the_whole_graph_gives_what_the_neighbourhood_gives(seed_gated: Gated, name: str) -> None:
    """The neighbourhood is a shortcut: on the whole gated graph the same break fails the same way."""
    case = ARTICLE_BREAKS[name]
    report, focus, also = run(seed_gated, Break(**{**case.__dict__, "whole": True}))
    assert not report.conforms
    assert_found(report, case, focus, also)


@pytest.mark.parametrize("name", ["mention-end-before-begin", "event-modality-future", "participation-of-no-event"])
def test_an_unbroken_neighbourhood_conforms(seed_gated: Gated, name: str) -> None:
    """So what a negative test catches comes from its break, not from cutting the graph."""
    case = ARTICLE_BREAKS[name]
    node = case.node(seed_gated.article)
    report = validate(neighbourhood(seed_gated.article, node))
    assert report.conforms and not report.violations, report.text()


# =================================================================================================
# The seed conforms; warnings do not fail the gate
# =================================================================================================


def test_the_seed_passes_the_gate_with_only_its_known_warnings(seed_built: Built) -> None:
    report = seed_built.report
    assert report.conforms, report.text()
    # The seed deliberately leaves one statement about nothing the graph models
    # ("armed forces" in general); that is the only editorial gap.
    assert [(w.severity, w.path) for w in report.warnings] == [("Warning", "kgo:about")], report.text()
    assert "reported-global-security" in report.warnings[0].focus


def test_the_closure_shapes_pass_on_the_seed_and_its_closure(seed_gated: Gated) -> None:
    report = validate(seed_gated.closure, "closure")
    assert report.conforms and not report.findings, report.text()


def test_the_authority_graph_passes_without_warnings(authority_built: Built) -> None:
    """'Never mentioned' is an article's gap: the authority's own graph mentions nothing and is not warned about."""
    assert authority_built.report.conforms, authority_built.report.text()
    assert not authority_built.report.findings, authority_built.report.text()


def test_context_entities_need_no_mention(seed_gated: Gated, seed_built: Built) -> None:
    """Entities the authority brings in only as context (a ministry's country, a model's maker) are not warned about."""
    graph = seed_gated.article
    context_only = {
        s
        for s in graph.subjects(RDF.type, None)
        if (s, KGO.denotedBy, None) not in graph
        and any((None, p, s) in graph for p in (KGO.partOf, KGO.containedIn, KGO.category, KGO.manufacturer))
    }
    assert context_only, "the seed has context-only entities (e.g. a ministry's country)"
    for finding in seed_built.report.findings:
        assert not any(names(finding, entity) for entity in context_only), finding.text()


def test_warnings_do_not_fail_the_gate(seed_gated: Gated) -> None:
    with seed_gated.article.broken() as graph:
        new_person(graph, URIRef(IRI_BASE.base))
        report = pipeline.gate(graph)
    assert report.conforms, report.text()
    person = [w for w in report.warnings if names(w, IRI_BASE.entity("nobody-in-particular"))]
    assert len(person) == 1 and "no span of the article text denotes it" in person[0].message


# =================================================================================================
# The report a person reads
# =================================================================================================


def test_the_report_names_focus_path_and_text_span(seed_gated: Gated) -> None:
    graph = seed_gated.article
    event = EVENT(graph)
    with graph.broken():
        graph.set((event, KGO.modality, KGO.future))
        report = validate(neighbourhood(graph, event))
    text = report.text()
    assert text.startswith("does not conform: 1 violation(s)")
    label = graph.value(event, RDFS.label)
    line = next(line for line in text.splitlines() if str(event) in line)
    assert f"({label})" in line and "kgo:modality" in line and "exactly one kgo:modality" in line
    assert "kgo:future" in line
    for mention in graph.objects(event, KGO.denotedBy):
        begin, end, anchor = (graph.value(mention, p) for p in (NIF.beginIndex, NIF.endIndex, NIF.anchorOf))
        assert f"text [{begin}, {end}]: {str(anchor)!r}" in text


# =================================================================================================
# Meta: messages, coverage, targets, closedness
# =================================================================================================

NODE_CONSTRAINTS = (
    SH.closed,
    SH["or"],
    SH.xone,
    SH["not"],
    SH["and"],
    SH["class"],
    SH["in"],
    SH.hasValue,
    SH.node,
    SH.datatype,
    SH.nodeKind,
)


def shape_files() -> dict[str, Graph]:
    return {"article": resources.shapes(), "closure": resources.closure_shapes()}


def messages(shapes: Graph, node: Node) -> list[Literal]:
    return [m for m in shapes.objects(node, SH.message) if isinstance(m, Literal)]


def constraint_messages(shapes: Graph) -> dict[str, Node]:
    """Each message that a result can carry, with the shape or SPARQL constraint it belongs to."""
    owners: list[Node] = list(shapes.objects(None, SH.property))
    owners += list(shapes.objects(None, SH.sparql))
    owners += [
        s for s in shapes.subjects(RDF.type, SH.NodeShape) if any((s, c, None) in shapes for c in NODE_CONSTRAINTS)
    ]
    found: dict[str, Node] = {}
    for owner in owners:
        for message in messages(shapes, owner):
            assert str(message) not in found or found[str(message)] == owner, f"message used twice: {message}"
            found[str(message)] = owner
    return found


@pytest.mark.parametrize("which", ["article", "closure"])
def test_every_shape_and_constraint_says_what_is_wrong_in_english(which: str) -> None:
    shapes = shape_files()[which]
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    property_shapes = set(shapes.objects(None, SH.property))
    assert node_shapes and property_shapes
    for shape in node_shapes:
        own = messages(shapes, shape)
        if any((shape, c, None) in shapes for c in NODE_CONSTRAINTS):
            assert own, f"{shape} has node-level constraints but no sh:message"
        else:
            parts = [*shapes.objects(shape, SH.property), *shapes.objects(shape, SH.sparql)]
            assert own or (parts and all(messages(shapes, p) for p in parts)), f"{shape} has no sh:message"
    for owner in [*property_shapes, *shapes.objects(None, SH.sparql)]:
        own = messages(shapes, owner)
        assert len(own) == 1, f"{owner} ({shapes.value(owner, SH.path)}) needs exactly one sh:message"
    for message in shapes.objects(None, SH.message):
        assert isinstance(message, Literal) and message.language == "en" and len(str(message)) > 20, message


@pytest.mark.parametrize("which", ["article", "closure"])
def test_every_constraint_has_a_negative_test(which: str) -> None:
    owners = constraint_messages(shape_files()[which])
    covered: set[str] = set()
    for name, case in BREAKS.items():
        if case.shapes != which:
            continue
        matching = [m for m in owners if case.message in m]
        assert len(matching) == 1, f"{name}: {case.message!r} must match exactly one message, matches {matching}"
        covered.add(matching[0])
    missing = sorted(set(owners) - covered)
    assert not missing, "constraints without a negative test:\n" + "\n".join(missing)


def targeted_classes(shapes: Graph) -> set[Node]:
    out: set[Node] = set()
    for cls in shapes.objects(None, SH.targetClass):
        assert isinstance(cls, URIRef)
        out |= subclasses(cls) | {cls}
    return out


def test_every_class_the_mapper_emits_is_targeted(seed_gated: Gated) -> None:
    emitted = set(seed_gated.article.objects(None, RDF.type))
    assert KGO.Mention in emitted and KGO.Participation in emitted and RDF.Statement in emitted
    missing = emitted - targeted_classes(resources.shapes())
    assert not missing, f"classes without a shape: {sorted(missing)}"


def test_kgs_own_nodes_are_closed_and_entities_open() -> None:
    shapes = resources.shapes()
    closed = {
        cls for shape in shapes.subjects(SH.closed, Literal(True)) for cls in shapes.objects(shape, SH.targetClass)
    }
    assert closed == {
        KGO.NewsArticle,
        KGO.ArticleText,
        KGO.Mention,
        KGO.Photo,
        KGO.Tenure,
        KGO.TimeExpression,
        TIME.Instant,
        KGO.Event,
        KGO.Participation,
        KGO.Statement,
        KGO.Quantity,
        RDF.Statement,
    }
    for shape in shapes.subjects(SH.closed, Literal(True)):
        ignored = shapes.value(shape, SH.ignoredProperties)
        assert isinstance(ignored, BNode) and list(shapes.items(ignored)) == [RDF.type]
    entity_shapes = {
        s
        for cls in (KGO.Person, KGO.Organisation, KGO.Place, KGO.EquipmentModel, KGO.EquipmentCategory, KGO.Post)
        for s in shapes.subjects(SH.targetClass, cls)
    }
    assert entity_shapes and not any((s, SH.closed, Literal(True)) in shapes for s in entity_shapes)


def test_closed_shapes_list_every_property_the_seed_uses(seed_gated: Gated) -> None:
    """Closedness has no false positives on the seed: every property it uses is declared."""
    shapes, graph = resources.shapes(), seed_gated.article
    for shape in shapes.subjects(SH.closed, Literal(True)):
        declared = {shapes.value(p, SH.path) for p in shapes.objects(shape, SH.property)} | {RDF.type}
        classes = set().union(*(subclasses(c) | {c} for c in shapes.objects(shape, SH.targetClass)))
        used = {p for s, t in graph.subject_objects(RDF.type) if t in classes for p in graph.predicates(s)}
        assert used and used <= declared, f"{shape}: {sorted(used - declared)}"
