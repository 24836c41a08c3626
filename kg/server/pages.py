"""What the HTML pages show, gathered with a few SPARQL queries, put in words, rendered with Jinja2.

Everything here runs where the store is (a reader worker), except the ontology and query pages,
which need no store. A page starts from the resource's description (:func:`describe`, one
query) and looks up the resources it links to in a per-store cache of their outgoing triples
(:class:`Nodes`, one query for all the nodes it does not hold yet), so that a page costs two or
three lookups, and fewer when its neighbours have been shown before. Pages link resources
minted under the base to their local ``/page/…`` address (no 303 hop), ontology terms to
``/ontology#Term``, graphs to ``/graph/…``, anything else to its IRI.
"""

from __future__ import annotations

import html
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from markupsafe import Markup
from rdflib import BNode, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.formats import RESULTS_SYNTAXES
from kg.namespaces import DCTERMS, KGO, NIF, ONTOLOGY_IRI, OWL, PREFIXES, RDF, RDFS, SCHEMA, SKOS, TIME, IRIs
from kg.resources import ontology
from kg.server.pictures import (
    Neighbour,
    TimelineItem,
    date_words,
    neighbourhood,
    shorten,
    timeline,
    timeline_legend,
)
from kg.store import Store

if TYPE_CHECKING:
    import jinja2

esc = html.escape
"""HTML-escape text (quotes too) into a plain string; pages wrap the whole in Markup once."""

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Row = dict[str, Term]

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

JSON_RESULTS = next(s for s in RESULTS_SYNTAXES if s.name == "json")
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
KGO_NS = str(KGO)
SCHEMA_NS = str(SCHEMA)


def _iri(term: Any) -> str:
    return str(term)


# the properties pages read, as strings
A = _iri(RDF.type)
LABEL = _iri(RDFS.label)
PREF_LABEL = _iri(SKOS.prefLabel)
ALT_LABEL = _iri(SKOS.altLabel)
EXACT_MATCH = _iri(SKOS.exactMatch)
ANCHOR = _iri(NIF.anchorOf)
IS_STRING = _iri(NIF.isString)
HEADLINE = _iri(SCHEMA.headline)
TEXT = _iri(SCHEMA.text)
CAPTION = _iri(SCHEMA.caption)
TITLE = _iri(DCTERMS.title)
DESCRIPTION = _iri(SCHEMA.description)
LABEL_PROPERTIES = (PREF_LABEL, LABEL, HEADLINE, ANCHOR, TEXT, CAPTION, TITLE)
"""Where a resource's label is, by preference."""


def k(name: str) -> str:
    """The IRI of a kgo term, as a string."""
    return f"{KGO_NS}{name}"


RDF_FORMATS: tuple[tuple[str, str, str], ...] = (
    ("ttl", "text/turtle", "Turtle"),
    ("nt", "application/n-triples", "N-Triples"),
    ("jsonld", "application/ld+json", "JSON-LD"),
    ("rdf", "application/rdf+xml", "RDF/XML"),
    ("trig", "application/trig", "TriG (asserted and inferred graphs apart)"),
    ("nq", "application/n-quads", "N-Quads (asserted and inferred graphs apart)"),
)
"""The data documents a page links to: suffix, media type, name."""

LONG_LIST = 12
"""A property with more values than this is folded (``<details>``) on a page."""


# --- querying -------------------------------------------------------------------------------------

SAFE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|^`\\]*")


def ref(iri: str) -> str:
    """``iri`` as a SPARQL IRI reference; ValueError for what cannot be one (no injection)."""
    if not SAFE_IRI.fullmatch(iri):
        raise ValueError(f"not an IRI kg can look up: {iri!r}")
    return f"<{iri}>"


def prefixed(sparql: str) -> str:
    """``sparql`` with the PREFIX declarations of the kg prefixes it uses (and no others: each
    declaration costs the parser time)."""
    used = [p for p in PREFIXES if f"{p}:" in sparql]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in used) + sparql


def _term(value: Mapping[str, str]) -> Term:
    kind = value["type"]
    if kind == "uri":
        return ox.NamedNode(value["value"])
    if kind == "bnode":
        return ox.BlankNode(value["value"])
    if "xml:lang" in value:
        return ox.Literal(value["value"], language=value["xml:lang"])
    if "datatype" in value:
        return ox.Literal(value["value"], datatype=ox.NamedNode(value["datatype"]))
    return ox.Literal(value["value"])


def select(store: Store, sparql: str) -> list[Row]:
    """The solutions of a SELECT (kg's prefixes declared as used), as pyoxigraph terms by variable.

    Solutions of the embedded store are read as they come; any other store is read through its
    SPARQL JSON results.
    """
    result = store.query(prefixed(sparql))
    try:
        raw = getattr(result, "_result", None)
        if isinstance(raw, ox.QuerySolutions):
            names = [v.value for v in raw.variables]
            rows: list[Row] = []
            for solution in raw:
                row: Row = {}
                for name in names:
                    value = solution[name]
                    if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal):
                        row[name] = value
                rows.append(row)
            return rows
        body = result.serialize_results(JSON_RESULTS)
    finally:
        del result  # pyoxigraph results are freed on the thread that made them
    bindings = json.loads(body)["results"]["bindings"]
    return [{name: _term(value) for name, value in binding.items()} for binding in bindings]


def ask(store: Store, sparql: str) -> bool:
    result = store.query(prefixed(sparql))
    try:
        return result.boolean()
    finally:
        del result


def text_of(term: Term | None) -> str:
    return "" if term is None else term.value


def iri_of(term: Term | None) -> str | None:
    return term.value if isinstance(term, ox.NamedNode) else None


def number(term: Term | None) -> int | None:
    if not isinstance(term, ox.Literal):
        return None
    try:
        return int(term.value)
    except ValueError:
        return None


def local(term: Term | str | None) -> str:
    """The local name of an IRI: ``planned`` for ``kgo:planned``."""
    value = term if isinstance(term, str) else text_of(term)
    return value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


# --- the ontology, for labels and its own page ---------------------------------------------------


@dataclass(frozen=True)
class OntologyTerm:
    iri: str
    name: str
    """The local name (``Person``): the fragment of its IRI and its anchor on /ontology."""
    label: str
    comment: str
    kind: str
    """``class``, ``object property``, ``datatype property``, ``concept scheme`` or ``individual``."""
    facts: tuple[tuple[str, tuple[Markup, ...]], ...] = ()
    """Axioms in words: (what, values) such as ("subclass of", (schema:Person, …))."""


@dataclass(frozen=True)
class OntologyInfo:
    iri: str
    title: str
    comment: str
    version: str
    licence: str
    terms: tuple[OntologyTerm, ...]
    labels: dict[str, str]
    comments: dict[str, str]
    supers: dict[str, frozenset[str]]
    """Every class's superclasses, transitively (subClassOf in the ontology)."""

    def of_kind(self, *kinds: str) -> list[OntologyTerm]:
        return [t for t in self.terms if t.kind in kinds]


@cache
def ontology_info() -> OntologyInfo:
    """The news ontology in the shape its page and the labels need (computed once)."""
    g = ontology()
    labels: dict[str, str] = {}
    comments: dict[str, str] = {}
    for s, label in g.subject_objects(RDFS.label):
        if isinstance(s, URIRef):
            labels[str(s)] = str(label)
    for s, comment in g.subject_objects(RDFS.comment):
        if isinstance(s, URIRef):
            comments[str(s)] = str(comment)

    def link(node: Node) -> Markup:
        if isinstance(node, URIRef):
            iri = str(node)
            if iri.startswith(KGO_NS):
                name = iri[len(KGO_NS) :]
                return Markup('<a href="#{}"><code>kgo:{}</code></a>').format(name, name)
            return Markup('<a href="{}"><code>{}</code></a>').format(iri, curie(iri))
        if isinstance(node, BNode):
            return restriction(node)
        return Markup("<code>{}</code>").format(str(node))

    def restriction(node: BNode) -> Markup:
        on = g.value(node, OWL.onProperty)
        value = g.value(node, OWL.hasValue)
        if on is not None and value is not None:
            return Markup("{} has value {}").format(link(on), link(value))
        parts = g.value(node, OWL.intersectionOf)
        if parts is not None:
            return Markup(" and ").join(link(p) for p in Collection(g, parts))
        return Markup("an anonymous class")

    kinds = (
        (OWL.Class, "class"),
        (OWL.ObjectProperty, "object property"),
        (OWL.DatatypeProperty, "datatype property"),
        (SKOS.ConceptScheme, "concept scheme"),
    )
    facts_of = (
        ("subclass of", RDFS.subClassOf),
        ("equivalent to", OWL.equivalentClass),
        ("subproperty of", RDFS.subPropertyOf),
        ("inverse of", OWL.inverseOf),
        ("domain", RDFS.domain),
        ("range", RDFS.range),
        ("in scheme", SKOS.inScheme),
    )
    terms: list[OntologyTerm] = []
    seen: set[str] = set()
    individuals = sorted(
        {s for s in g.subjects(SKOS.inScheme, None) if isinstance(s, URIRef)},
        key=str,
    )
    for cls, kind in kinds:
        for s in sorted((s for s in g.subjects(RDF.type, cls) if isinstance(s, URIRef)), key=str):
            if str(s) in seen or not str(s).startswith(KGO_NS):
                continue
            seen.add(str(s))
            terms.append(_ontology_term(g, s, kind, labels, comments, facts_of, link))
    for s in individuals:
        if str(s) not in seen and str(s).startswith(KGO_NS):
            seen.add(str(s))
            terms.append(_ontology_term(g, s, "individual", labels, comments, facts_of, link))
    header = ONTOLOGY_IRI
    return OntologyInfo(
        iri=str(header),
        title=str(g.value(header, RDFS.label) or "kg news ontology"),
        comment=str(g.value(header, RDFS.comment) or ""),
        version=str(g.value(header, OWL.versionInfo) or ""),
        licence=str(g.value(header, URIRef("http://purl.org/dc/terms/license")) or ""),
        terms=tuple(terms),
        labels=labels,
        comments=comments,
        supers=_superclasses(g),
    )


def _superclasses(g: Any) -> dict[str, frozenset[str]]:
    direct: dict[str, set[str]] = defaultdict(set)
    for s, o in g.subject_objects(RDFS.subClassOf):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            direct[str(s)].add(str(o))
    out: dict[str, frozenset[str]] = {}
    for start in direct:
        seen: set[str] = set()
        todo = list(direct[start])
        while todo:
            c = todo.pop()
            if c not in seen:
                seen.add(c)
                todo.extend(direct.get(c, ()))
        out[start] = frozenset(seen)
    return out


def _ontology_term(
    g: Any,
    s: URIRef,
    kind: str,
    labels: dict[str, str],
    comments: dict[str, str],
    facts_of: Sequence[tuple[str, URIRef]],
    link: Any,
) -> OntologyTerm:
    facts: list[tuple[str, tuple[Markup, ...]]] = []
    if kind == "individual":
        types = [t for t in g.objects(s, RDF.type) if isinstance(t, URIRef)]
        facts.append(("a", tuple(link(t) for t in sorted(types, key=str))))
    if (s, RDF.type, OWL.TransitiveProperty) in g:
        facts.append(("characteristics", (Markup("transitive"),)))
    for what, prop in facts_of:
        values = sorted(g.objects(s, prop), key=lambda n: (isinstance(n, BNode), str(n)))
        if values:
            facts.append((what, tuple(link(v) for v in values)))
    for chain in g.objects(s, OWL.propertyChainAxiom):
        steps = [link(p) for p in Collection(g, chain)]
        facts.append(("property chain", (Markup(" ∘ ").join(steps),)))
    name = str(s)[len(KGO_NS) :]
    return OntologyTerm(str(s), name, labels.get(str(s), name), comments.get(str(s), ""), kind, tuple(facts))


# --- the resources a page links to ----------------------------------------------------------------

MAX_CACHED = 50_000
"""Nodes a worker keeps; past this the cache starts again (it is a cache, not an index)."""


TIME_VALUES = tuple(_iri(TIME[name]) for name in ("inXSDDate", "inXSDgYearMonth", "inXSDgYear", "inXSDDateTimeStamp"))
NODE_PROPERTIES: tuple[str, ...] = (
    A,
    *LABEL_PROPERTIES,
    IS_STRING,
    _iri(SCHEMA.creditText),
    _iri(SCHEMA.unitText),
    _iri(TIME.hasBeginning),
    _iri(TIME.hasEnd),
    *TIME_VALUES,
    *(
        k(name)
        for name in [
            "aspect",
            "attributedTo",
            "certainty",
            "countOf",
            "creator",
            "creditedTo",
            "denotedBy",
            "depicts",
            "depictsEvent",
            "endDate",
            "exactValue",
            "exclusiveMinimum",
            "hasText",
            "holder",
            "inclusiveMinimum",
            "measures",
            "modality",
            "normalisation",
            "participant",
            "participationIn",
            "polarity",
            "position",
            "precision",
            "role",
            "startDate",
            "time",
            "vagueAmount",
        ]
    ),
)
"""The properties pages read from the resources they link to (names, types, what the summaries
and the timeline need). :class:`Nodes` looks up these only: the inferred copies under other
vocabularies (schema:, sem:, gaf:, org:, prov:) would triple the rows for nothing."""


class Nodes:
    """Some outgoing triples (:data:`NODE_PROPERTIES`, asserted and inferred) of the resources
    pages have looked up, for one open store. A reader reopens its store (a new object) after
    every write, which starts a new cache; see :func:`nodes_of`."""

    def __init__(self, store: Store, iris: IRIs) -> None:
        self.store = store
        self.base = iris.base
        self.out: dict[str, dict[str, list[Term]]] = {}

    def load(self, wanted: Iterable[str]) -> None:
        """Look up, in one query, every IRI of ``wanted`` minted under the base and not held yet."""
        missing = sorted({i for i in wanted if i not in self.out and i.startswith(self.base) and SAFE_IRI.fullmatch(i)})
        if not missing:
            return
        if len(self.out) + len(missing) > MAX_CACHED:
            self.out.clear()
        values = " ".join(f"<{i}>" for i in missing)
        wanted_properties = ", ".join(f"<{p}>" for p in NODE_PROPERTIES)
        rows = select(
            self.store,
            f"SELECT ?x ?p ?o WHERE {{ VALUES ?x {{ {values} }} ?x ?p ?o FILTER(?p IN ({wanted_properties})) }}",
        )
        for iri in missing:
            self.out[iri] = {}
        for row in rows:
            found = self.out[row["x"].value].setdefault(row["p"].value, [])
            if row["o"] not in found:
                found.append(row["o"])

    def get(self, iri: str | None, predicate: str) -> list[Term]:
        if iri is None:
            return []
        return self.out.get(iri, {}).get(predicate, [])

    def first(self, iri: str | None, predicate: str) -> Term | None:
        found = self.get(iri, predicate)
        return found[0] if found else None

    def iris(self, iri: str | None, predicate: str) -> list[str]:
        return [t.value for t in self.get(iri, predicate) if isinstance(t, ox.NamedNode)]

    def text(self, iri: str | None, predicate: str) -> str:
        return text_of(self.first(iri, predicate))

    def iri(self, iri: str | None, predicate: str) -> str | None:
        found = self.iris(iri, predicate)
        return found[0] if found else None


_NODES: list[Nodes] = []


def nodes_of(store: Store, iris: IRIs) -> Nodes:
    """The node cache of this store object (a new one for a reopened store)."""
    if not _NODES or _NODES[0].store is not store or _NODES[0].base != iris.base:
        _NODES[:] = [Nodes(store, iris)]
    return _NODES[0]


KIND_OF_PATH = {
    "entity": "entity",
    "position": "position",
    "event": "event",
    "statement": "statement",
    "quantity": "quantity",
    "mention": "mention",
    "time": "time",
    "tenure": "tenure",
    "participant": "participation",
    "photo": "photo",
    "text": "text",
    "relation": "relation",
    "source": "source",
}


def kind_of(iri: str, base: str) -> str:
    """What a minted IRI names, read from its path (``entity``, ``event``, ``mention``…)."""
    if iri.startswith(f"{base}id/"):
        parts = iri[len(base) + 3 :].split("/")
        if parts[0] in ("entity", "position"):
            return parts[0]
        if parts[0] == "article":
            if len(parts) == 2:
                return "article"
            if len(parts) >= 4:
                return KIND_OF_PATH.get(parts[-2], KIND_OF_PATH.get(parts[2], "other"))
        return "other"
    if iri.startswith(f"{base}graph/"):
        return "graph"
    if iri.startswith(KGO_NS) or iri == str(ONTOLOGY_IRI):
        return "term"
    return "external"


MENTION = re.compile(r"id/article/([^/]+)/mention/(\d+)-(\d+)")


def mention_span(iri: str, base: str) -> tuple[str, int, int] | None:
    """(article id, start, end) of a mention IRI (``…/mention/{start}-{end}``), or None."""
    if not iri.startswith(base):
        return None
    match = MENTION.fullmatch(iri[len(base) :])
    return (match.group(1), int(match.group(2)), int(match.group(3))) if match else None


def by_offset(mentions: Iterable[str], base: str) -> list[str]:
    """Mention IRIs in text order (other IRIs last, by IRI)."""

    def key(iri: str) -> tuple[int, str, int, int]:
        span = mention_span(iri, base)
        return (0, span[0], span[1], span[2]) if span else (1, iri, 0, 0)

    return sorted(mentions, key=key)


def follow(nodes: Nodes, iri: str) -> list[str]:
    """What else must be looked up to name ``iri`` and say what it is."""
    kind = kind_of(iri, nodes.base)
    if kind == "tenure":
        return [*nodes.iris(iri, k("holder")), *nodes.iris(iri, k("position")), *nodes.iris(iri, k("time"))]
    if kind == "participation":
        return [*nodes.iris(iri, k("participant")), *nodes.iris(iri, k("participationIn"))]
    if kind == "quantity":
        return [*nodes.iris(iri, k("attributedTo")), *nodes.iris(iri, k("denotedBy"))]
    if kind == "time":
        return by_offset(nodes.iris(iri, k("denotedBy")), nodes.base)[:1]
    if kind in ("photo", "relation", "other") and not any(nodes.get(iri, p) for p in LABEL_PROPERTIES):
        return by_offset(nodes.iris(iri, k("denotedBy")), nodes.base)[:1]
    if kind == "article":
        return nodes.iris(iri, k("hasText"))
    return []


def prepare(nodes: Nodes, wanted: Iterable[str], rounds: int = 2) -> None:
    """Look up ``wanted`` and, round by round, what naming them needs."""
    todo = set(wanted)
    for _ in range(rounds):
        nodes.load(todo)
        todo = {n for iri in todo for n in follow(nodes, iri)} - set(nodes.out)
        if not todo:
            return
    nodes.load(todo)


# --- showing terms --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A term as a page shows it: a link with a label, a literal, or a blank node's description.
    It renders itself (``__html__``), so that templates need no macro per value."""

    text: str
    href: str | None = None
    title: str | None = None
    lang: str | None = None
    css: str = ""
    literal: bool = False
    nested: tuple[PropertyRow, ...] = ()

    def __html__(self) -> str:
        text = esc(self.text)
        title = f' title="{esc(self.title)}"' if self.title else ""
        if self.literal:
            lang = f' lang="{esc(self.lang)}"' if self.lang else ""
            css = "lit words" if self.css == "words" else "lit"
            dt = f' <small class="dt">{esc(self.title)}</small>' if self.title and self.css != "words" else ""
            return f'<span class="{css}"{lang}>{text}</span>{dt}'
        if self.nested:
            items = "".join(
                f'<li><span class="pred">{esc(row.predicate.text)}</span>: '
                + ", ".join(v.__html__() for v in row.values)
                + "</li>"
                for row in self.nested
            )
            return f'<span class="bnode">{text}</span><ul class="nested">{items}</ul>'
        if self.href:
            return f'<a class="n n-{esc(self.css)}" href="{esc(self.href)}"{title}>{text}</a>'
        return f'<span class="n n-{esc(self.css)}"{title}>{text}</span>'


@dataclass(frozen=True)
class PropertyRow:
    predicate: Shown
    values: tuple[Shown, ...]


def curie(iri: str) -> str:
    """``kgo:Person`` for an IRI in one of kg's namespaces, else the IRI."""
    best, name = "", iri
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, name = namespace, f"{prefix}:{iri[len(namespace) :]}"
    return name


def _values_html(values: Sequence[Shown]) -> str:
    if len(values) == 1:
        return values[0].__html__()
    items = "".join(f"<li>{v.__html__()}</li>" for v in values)
    listed = f'<ul class="values">{items}</ul>'
    if len(values) > LONG_LIST:
        return f"<details><summary>{len(values)} values</summary>{listed}</details>"
    return listed


def table(rows: Sequence[PropertyRow], caption: str, incoming: bool = False) -> Markup:
    """Triples as an accessible table: property, values (or, for incoming links, from whom)."""
    if not rows:
        return Markup("")
    head = (
        '<th scope="col">From</th><th scope="col">Property</th>'
        if incoming
        else '<th scope="col">Property</th><th scope="col">Value</th>'
    )
    body = []
    for row in rows:
        p = row.predicate
        link = f'<a class="pred" href="{esc(p.href or "#")}" title="{esc(p.title or "")}">{esc(p.text)}</a>'
        prop = f'<th scope="row">{link}</th>'
        cell = f"<td>{_values_html(row.values)}</td>"
        body.append(f"<tr>{cell}{prop}</tr>" if incoming else f"<tr>{prop}{cell}</tr>")
    return Markup(  # noqa: S704  (every text and attribute above is escaped)
        f'<table class="triples"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


class Site:
    """Labels and links for the IRIs a page shows."""

    def __init__(self, iris: IRIs, nodes: Nodes | None = None) -> None:
        self.iris = iris
        self.base = iris.base
        self.nodes = nodes
        self._labels: dict[str, str] = {}
        self._css: dict[str, str] = {}

    @property
    def onto(self) -> OntologyInfo:
        return ontology_info()

    def href(self, iri: str) -> str | None:
        if iri.startswith(f"{self.base}id/"):
            return "/page/" + iri[len(self.base) + 3 :]
        if iri.startswith(f"{self.base}graph/"):
            return "/" + iri[len(self.base) :]
        if iri.startswith(KGO_NS):
            return "/ontology#" + iri[len(KGO_NS) :]
        if iri == str(ONTOLOGY_IRI):
            return "/ontology"
        if iri.startswith(self.base):
            return "/" + iri[len(self.base) :]
        if iri.startswith(("http://", "https://")):
            return iri
        return None

    def label(self, iri: str) -> str:
        if iri not in self._labels:
            self._labels[iri] = self._label(iri)
        return self._labels[iri]

    def _label(self, iri: str) -> str:
        nodes = self.nodes
        found = nodes.out.get(iri) if nodes is not None else None
        if nodes is not None and found is not None:
            if kind_of(iri, self.base) == "photo" and found.get(CAPTION):
                return shorten(f"photo: {found[CAPTION][0].value}", 90)
            for p in LABEL_PROPERTIES:
                values = found.get(p)
                if values and values[0].value:
                    return shorten(values[0].value, 90)
            kind = kind_of(iri, self.base)
            if kind == "tenure":
                holder, position = nodes.iris(iri, k("holder")), nodes.iris(iri, k("position"))
                if holder and position:
                    return f"{self.label(holder[0])} — {self.label(position[0])}"
            if kind == "participation":
                who, role = nodes.iris(iri, k("participant")), nodes.iris(iri, k("role"))
                event = nodes.iris(iri, k("participationIn"))
                if who:
                    named = f"{self.label(who[0])} as {self.label(role[0]) if role else 'participant'}"
                    return shorten(f"{named} in {self.label(event[0])}", 90) if event else named
            if kind == "quantity":
                return quantity_words(quantity_facts(nodes, iri), self, attribution=False)
            mentions = by_offset(nodes.iris(iri, k("denotedBy")), self.base)
            if mentions and mentions[0] in nodes.out:
                return (
                    f"{kind}: {self.label(mentions[0])}"
                    if kind in ("time", "photo", "relation")
                    else self.label(mentions[0])
                )
        if iri in self.onto.labels:
            return self.onto.labels[iri]
        if iri.startswith("http://www.wikidata.org/entity/"):
            return f"Wikidata {iri.rsplit('/', 1)[1]}"
        kind = kind_of(iri, self.base)
        if kind == "graph":
            from kg.server.describe import _about

            return _about(iri, self.iris)[0]
        if kind == "text":
            return "article text"
        short = curie(iri)
        if short != iri:
            return short
        tail = iri.rstrip("/").rsplit("/", 1)[-1].split("#")[-1]
        return tail.replace("-", " ") or iri

    def show(self, term: Term, closure: Mapping[str, Sequence[tuple[str, Term]]] | None = None) -> Shown:
        if isinstance(term, ox.NamedNode):
            iri = term.value
            return Shown(self.label(iri), self.href(iri), iri, css=self.css(iri))
        if isinstance(term, ox.BlankNode):
            pairs = (closure or {}).get(term.value, ())
            nested = self.rows(pairs) if pairs else ()
            return Shown("a node described by" if nested else "an anonymous node", css="bnode", nested=nested)
        datatype = term.datatype.value
        title = None if datatype in (f"{XSD_NS}string", str(RDF.langString)) else curie(datatype)
        return Shown(term.value, None, title, term.language, css="literal", literal=True)

    def css(self, iri: str) -> str:
        """The colour class of a resource: its entity group (person, org, place, equipment) or kind."""
        if iri not in self._css:
            kind = kind_of(iri, self.base)
            if kind == "entity" and self.nodes is not None:
                kind = group_of(self.nodes.iris(iri, A), kind)
            self._css[iri] = kind
        return self._css[iri]

    def shown(self, terms: Iterable[Term]) -> tuple[Shown, ...]:
        return tuple(self.show(t) for t in terms)

    def predicate(self, iri: str) -> Shown:
        label = self.onto.labels.get(iri) or curie(iri)
        return Shown(label, self.href(iri), f"{curie(iri)}: {self.onto.comments.get(iri, iri)}")

    def rows(
        self, pairs: Iterable[tuple[str, Term]], closure: Mapping[str, Sequence[tuple[str, Term]]] | None = None
    ) -> tuple[PropertyRow, ...]:
        """(predicate, value) pairs grouped by predicate: rdf:type first, then by label."""
        grouped: dict[str, list[Term]] = defaultdict(list)
        for p, value in pairs:
            if value not in grouped[p]:
                grouped[p].append(value)
        order = sorted(grouped, key=lambda p: (p != A, self.predicate(p).text.lower(), p))
        return tuple(PropertyRow(self.predicate(p), self._sorted(grouped[p], closure)) for p in order)

    def _sorted(
        self, values: Sequence[Term], closure: Mapping[str, Sequence[tuple[str, Term]]] | None
    ) -> tuple[Shown, ...]:
        """Values in reading order: mentions by their place in the text, the rest by label."""

        def key(term: Term) -> tuple[Any, ...]:
            if isinstance(term, ox.NamedNode) and (span := mention_span(term.value, self.base)):
                return (0, span[0], span[1], span[2], "")
            shown = self.label(term.value) if isinstance(term, ox.NamedNode) else term.value
            return (1, shown.lower(), 0, 0, term.value)

        return tuple(self.show(v, closure) for v in sorted(values, key=key))


# --- a resource's description ---------------------------------------------------------------------


@dataclass(frozen=True)
class Arc:
    predicate: str
    value: Term
    incoming: bool
    graph: str


@dataclass
class Description:
    """A resource's concise bounded description, each triple with its graph: outgoing triples,
    the triples of the blank nodes they reach, and incoming triples. Inferred triples are those
    of kg's ``…/inferred`` graphs."""

    iri: str
    arcs: list[Arc]
    closure: dict[str, list[tuple[str, Term, str]]]
    iris: IRIs

    def __bool__(self) -> bool:
        return bool(self.arcs)

    def inferred(self, arc: Arc) -> bool:
        return self.iris.is_inferred_graph(arc.graph)

    def _find(self, predicate: str, incoming: bool, inferred: bool | None) -> list[Term]:
        out: list[Term] = []
        for arc in self.arcs:
            if (
                arc.predicate == predicate
                and arc.incoming == incoming
                and arc.value not in out
                and (inferred is None or self.inferred(arc) == inferred)
            ):
                out.append(arc.value)
        return out

    def values(self, predicate: str, inferred: bool | None = None) -> list[Term]:
        return self._find(predicate, False, inferred)

    def value(self, predicate: str) -> Term | None:
        found = self.values(predicate)
        return found[0] if found else None

    def incoming(self, predicate: str, inferred: bool | None = None) -> list[Term]:
        return self._find(predicate, True, inferred)

    def types(self, inferred: bool | None = None) -> list[str]:
        return [iri for t in self.values(A, inferred) if (iri := iri_of(t)) is not None]

    def nodes(self) -> set[str]:
        """Every IRI the description mentions (to be named on its page)."""
        out = {self.iri}
        out.update(arc.value.value for arc in self.arcs if isinstance(arc.value, ox.NamedNode))
        for pairs in self.closure.values():
            out.update(o.value for _, o, _ in pairs if isinstance(o, ox.NamedNode))
        return out

    def quads(self) -> list[ox.Quad]:
        """The description as quads, each triple in its graph."""
        me = ox.NamedNode(self.iri)
        out: dict[ox.Quad, None] = {}
        for arc in self.arcs:
            p, g = ox.NamedNode(arc.predicate), ox.NamedNode(arc.graph)
            if not arc.incoming:
                out[ox.Quad(me, p, arc.value, g)] = None
            elif not isinstance(arc.value, ox.Literal):
                out[ox.Quad(arc.value, p, me, g)] = None
        for node, pairs in self.closure.items():
            for p_iri, o, g_iri in pairs:
                out[ox.Quad(ox.BlankNode(node), ox.NamedNode(p_iri), o, ox.NamedNode(g_iri))] = None
        return list(out)


def describe(store: Store, iris: IRIs, iri: str) -> Description:
    """One query: the outgoing and incoming triples of ``iri`` in every graph, and the triples of
    the blank nodes its outgoing triples reach."""
    me = ref(iri)
    rows = select(
        store,
        f"""SELECT ?g ?p ?o ?in ?bp ?bo WHERE {{
          {{ GRAPH ?g {{ {me} ?p ?o OPTIONAL {{ FILTER(isBlank(?o)) ?o ?bp ?bo }} }} }}
          UNION {{ GRAPH ?g {{ ?o ?p {me} }} BIND(true AS ?in) }}
        }}""",
    )
    arcs: dict[Arc, None] = {}
    closure: dict[str, list[tuple[str, Term, str]]] = defaultdict(list)
    for row in rows:
        graph = row["g"].value
        arcs[Arc(row["p"].value, row["o"], "in" in row, graph)] = None
        if "bp" in row and "bo" in row:
            entry = (row["bp"].value, row["bo"], graph)
            if entry not in closure[row["o"].value]:
                closure[row["o"].value].append(entry)
    return Description(iri, list(arcs), dict(closure), iris)


def exists(store: Store, iri: str) -> bool:
    me = ref(iri)
    return ask(store, f"ASK {{ {{ {me} ?p ?o }} UNION {{ ?s ?p {me} }} }}")


# --- words ----------------------------------------------------------------------------------------


def span_words(start: str | None, end: str | None) -> str:
    """When something happened, from its start and end dates at their precision."""
    if start and end:
        return date_words(start) if start == end else f"{date_words(start)} – {date_words(end)}"
    if start:
        return f"from {date_words(start)}, no end given"
    if end:
        return f"until {date_words(end)}"
    return "no time given"


PRECISION_WORDS = {"unitDay": "to the day", "unitMonth": "to the month", "unitYear": "to the year"}


def factuality_words(modality: str, polarity: str, certainty: str = "certain") -> str:
    """How the article presents an event: happened, planned, negated plan, to be prevented…"""
    negative = polarity == "negative"
    phrase = {
        ("actual", False): "happened",
        ("actual", True): "did not happen",
        ("planned", False): "planned",
        ("planned", True): "negated plan: said not to be planned",
        ("toBePrevented", False): "to be prevented",
        ("toBePrevented", True): "not to be prevented",
    }.get((modality, negative), f"{modality or 'unknown modality'}, {polarity or 'unknown polarity'}")
    hedge = {"probable": "probably ", "possible": "possibly ", "underspecified": "uncertain: "}.get(certainty, "")
    return hedge + phrase


def factuality_class(modality: str, polarity: str) -> str:
    """The classes an event gets on the timeline and in lists: actual, planned or prevented,
    and negated for negative polarity."""
    base = {"actual": "actual", "planned": "planned", "toBePrevented": "prevented"}.get(modality, "actual")
    return f"{base} negated" if polarity == "negative" else base


def statement_words(polarity: str, temporality: str, certainty: str) -> str:
    sense = "a negative claim" if polarity == "negative" else "a positive claim"
    when = {"future": "about the future", "nonFuture": "about the present or past"}.get(temporality, "")
    sure = {"certain": "stated as certain", "probable": "stated as probable", "possible": "stated as possible"}.get(
        certainty, "with its certainty unstated"
    )
    return " ".join(part for part in (sense, when) if part) + f", {sure}"


@dataclass(frozen=True)
class QuantityFacts:
    iri: str
    exact: int | None = None
    more_than: int | None = None
    at_least: int | None = None
    vague: str | None = None
    unit: str = ""
    aspect: str = ""
    source: str | None = None
    attribution: str | None = None
    """The mention of the quantity that contains a mention of its source ("According to UN statistics")."""
    counts: tuple[str, ...] = ()
    measures: str | None = None


def quantity_facts(nodes: Nodes, iri: str) -> QuantityFacts:
    """A quantity from its looked-up triples (and its source's mentions, for the attribution)."""
    source = nodes.iri(iri, k("attributedTo"))
    attribution = None
    if source is not None:
        source_spans = [s for m in nodes.iris(source, k("denotedBy")) if (s := mention_span(m, nodes.base))]
        for m in sorted(nodes.iris(iri, k("denotedBy"))):
            span = mention_span(m, nodes.base)
            if span and any(s[0] == span[0] and span[1] <= s[1] and s[2] <= span[2] for s in source_spans):
                attribution = m
                break
    return QuantityFacts(
        iri,
        exact=number(nodes.first(iri, k("exactValue"))),
        more_than=number(nodes.first(iri, k("exclusiveMinimum"))),
        at_least=number(nodes.first(iri, k("inclusiveMinimum"))),
        vague=nodes.text(iri, k("vagueAmount")) or None,
        unit=nodes.text(iri, _iri(SCHEMA.unitText)),
        aspect=nodes.text(iri, k("aspect")),
        source=source,
        attribution=attribution,
        counts=tuple(nodes.iris(iri, k("countOf"))),
        measures=nodes.iri(iri, k("measures")),
    )


def quantity_words(q: QuantityFacts, site: Site, attribution: bool = True) -> str:
    """ "more than 200,000 people killed — according to UN statistics", "hundreds of facilities hit"."""
    if q.vague:
        amount = f"{q.vague} of {q.unit}".strip()
    else:
        if q.exact is not None:
            figure = f"{q.exact:,}"
        elif q.more_than is not None:
            figure = f"more than {q.more_than:,}"
        elif q.at_least is not None:
            figure = f"at least {q.at_least:,}"
        else:
            figure = "an unstated number of"
        amount = f"{figure} {q.unit}".strip()
    aspect = q.aspect.strip()
    if aspect and q.unit and aspect.startswith(q.unit) and amount.endswith(q.unit):
        amount = amount[: len(amount) - len(q.unit)].strip()  # "4 ships" + "ships that fired"
    if aspect and " " not in aspect and aspect.endswith("s") and not aspect.endswith("ss"):
        phrase = f"{aspect} {amount}"  # a verb ("comprises") reads before the amount
    else:
        phrase = f"{amount} {aspect}".strip()
    if attribution and q.attribution:
        said_by = site.label(q.attribution)
        phrase += f" — {said_by[:1].lower()}{said_by[1:]}"
    elif attribution and q.source:
        phrase += f" — according to {site.label(q.source)}"
    return phrase


# --- mentions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """A mention with a few words either side, from the article text."""

    mention: str
    article: str
    begin: int
    end: int
    before: str
    anchor: str
    after: str


CONTEXT_CHARS = 60


def texts(nodes: Nodes, iris: IRIs, article_ids: Iterable[str]) -> dict[str, str]:
    """The text of each article, by article id (two lookups the first time, none after)."""
    articles = {aid: str(iris.article(aid)) for aid in set(article_ids)}
    nodes.load(articles.values())
    nodes.load(t for a in articles.values() for t in nodes.iris(a, k("hasText")))
    out = {}
    for aid, article in articles.items():
        text_node = nodes.iri(article, k("hasText"))
        if text_node is not None:
            out[aid] = nodes.text(text_node, IS_STRING)
    return out


def contexts(nodes: Nodes, iris: IRIs, mentions: Iterable[str]) -> list[Context]:
    """Each mention with the words around it; offsets come from the mention's IRI."""
    spans = [(m, s) for m in mentions if (s := mention_span(m, iris.base)) is not None]
    found = texts(nodes, iris, (s[0] for _, s in spans))
    out = []
    n = CONTEXT_CHARS
    for mention, (aid, begin, end) in spans:
        text = found.get(aid)
        if text is None or end > len(text):
            continue
        before, after = text[max(0, begin - n) : begin], text[end : end + n]
        before = before.rsplit("\n", 1)[-1]
        after = after.split("\n", 1)[0]
        if begin > n and " " in before and "\n" not in text[begin - n : begin]:
            before = "…" + before.split(" ", 1)[1]
        if len(after) == n and " " in after:
            after = after.rsplit(" ", 1)[0] + "…"
        out.append(Context(mention, str(iris.article(aid)), begin, end, before, text[begin:end], after))
    return sorted(out, key=lambda c: (c.article, c.begin, c.end))


@dataclass(frozen=True, eq=False)
class Target:
    """Something a mention denotes, as the article page links it."""

    iri: str
    href: str | None
    label: str
    what: str
    css: str
    rank: int


TARGET_RANK = {"entity": 0, "event": 1, "quantity": 2, "time": 3, "statement": 4, "tenure": 5, "photo": 6}
"""Which of a mention's targets its text links to: entities before events before the rest."""


@dataclass
class Span:
    """A mention in the text and what it denotes, best target first."""

    begin: int
    end: int
    anchor: str
    targets: list[Target] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.targets.sort(key=lambda t: (t.rank, t.label))
        self.description = "; ".join(f"{t.what}: {t.label}" for t in self.targets)

    @property
    def primary(self) -> Target:
        return self.targets[0]


PARAGRAPH = re.compile(r"\n{2,}")


def highlighted(text: str, spans: Sequence[Span], id_prefix: str = "tip") -> Markup:
    """The text as paragraphs, cut at every span boundary. A piece covered by spans links to
    what its innermost span denotes (the shortest; the later one when two are as short), with a
    tooltip saying what that is (``aria-describedby``); ``data-depth`` counts the spans over it.
    Each piece starting at offset n has the id ``t{n}``."""
    paragraphs: list[tuple[int, int]] = []
    start = 0
    for match in PARAGRAPH.finditer(text):
        paragraphs.append((start, match.start()))
        start = match.end()
    paragraphs.append((start, len(text)))
    cuts = {0, len(text)}
    for a, b in paragraphs:
        cuts.update((a, b))
    starting: dict[int, list[Span]] = defaultdict(list)
    for span in spans:
        if 0 <= span.begin < span.end <= len(text) and span.targets:
            cuts.update((span.begin, span.end))
            starting[span.begin].append(span)
    points = sorted(cuts)
    active: list[Span] = []
    out: list[str] = []
    which = 0
    opened = False
    tip = 0
    for a, b in pairwise(points):
        active = [s for s in active if s.end > a] + starting.get(a, [])
        while which < len(paragraphs) - 1 and a >= paragraphs[which][1]:
            if opened:
                out.append("</p>")
                opened = False
            which += 1
        p_start, p_end = paragraphs[which]
        if a < p_start or a >= p_end:
            continue  # the blank lines between paragraphs
        if not opened:
            out.append(f'<p id="{id_prefix}-p{p_start}">')
            opened = True
        piece = esc(text[a:b])
        if not active:
            out.append(str(piece))
            continue
        inner = min(active, key=lambda s: (s.end - s.begin, -s.begin))
        target = inner.primary
        tip += 1
        tip_id = f"{id_prefix}-{tip}"
        out.append(
            f'<span class="mw"><a class="m m-{esc(target.css)}" href="{esc(target.href or "#")}" id="t{a}" '
            f'data-start="{a}" data-end="{b}" data-depth="{len(active)}" aria-describedby="{tip_id}">{piece}</a>'
            f'<span class="tip" role="tooltip" id="{tip_id}">{esc(inner.description)}</span></span>'
        )
    if opened:
        out.append("</p>")
    return Markup("".join(out))  # noqa: S704  (every piece of text is escaped above)


def mentions_table(spans: Sequence[Span], lang: str) -> Markup:
    """Every span of the text in text order, with what it denotes (a table)."""
    lang_attr = esc(lang)
    rows = []
    for span in spans:
        denotes = "; ".join(
            f'<a class="n n-{esc(t.css)}" href="{esc(t.href or "#")}">{esc(t.label)}</a> <small>{esc(t.what)}</small>'
            for t in span.targets
        )
        rows.append(
            f'<tr><td><a href="#t{span.begin}">{span.begin}–{span.end}</a></td>'
            f'<td lang="{lang_attr}">{esc(span.anchor)}</td><td>{denotes}</td></tr>'
        )
    return Markup(  # noqa: S704  (every text and attribute above is escaped)
        '<table class="mentions"><caption class="visually-hidden">Mentions by position in the text</caption>'
        '<thead><tr><th scope="col">Characters</th><th scope="col">Text</th><th scope="col">Denotes</th></tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table>"
    )


# --- rendering ------------------------------------------------------------------------------------


@cache
def environment() -> jinja2.Environment:
    """The templates (imported on first use: workers that never render a page never load Jinja)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["formats"] = RDF_FORMATS
    return env


def render(template: str, **context: Any) -> bytes:
    return environment().get_template(template).render(**context).encode("utf-8")


def data_links(path: str) -> list[dict[str, str]]:
    """The data documents of a resource at ``/data/{path}``, one per format."""
    return [{"href": f"/data/{path}.{suffix}", "type": media, "name": name} for suffix, media, name in RDF_FORMATS]


def sections(site: Site, desc: Description) -> list[dict[str, Any]]:
    """The description as pages show it: what is asserted, then what is inferred, apart."""
    closure = {node: [(p, o) for p, o, _ in pairs] for node, pairs in desc.closure.items()}
    out = []
    for inferred, title in ((False, "Asserted"), (True, "Inferred")):
        arcs = [a for a in desc.arcs if desc.inferred(a) == inferred]
        outgoing = site.rows(((a.predicate, a.value) for a in arcs if not a.incoming), closure)
        incoming = site.rows(((a.predicate, a.value) for a in arcs if a.incoming), closure)
        out.append(
            {
                "title": title,
                "id": title.lower(),
                "outgoing": table(outgoing, f"About this resource ({title.lower()})"),
                "incoming": table(incoming, f"Links to this resource ({title.lower()})", incoming=True),
                "empty": not outgoing and not incoming,
            }
        )
    return out


# --- the pages ------------------------------------------------------------------------------------

ENTITY_GROUP = {
    "Person": "person",
    "Organisation": "org",
    "GovernmentBody": "org",
    "MilitaryUnit": "org",
    "ArmedGroup": "org",
    "NewsAgency": "org",
    "Place": "place",
    "Country": "place",
    "City": "place",
    "EquipmentModel": "equipment",
    "EquipmentCategory": "equipment",
}
"""The colour group of an entity, by its kgo class."""
GROUP_TITLES = (
    ("person", "People"),
    ("org", "Organisations"),
    ("place", "Places"),
    ("equipment", "Equipment"),
    ("event", "Events"),
    ("statement", "Statements"),
    ("quantity", "Quantities"),
    ("time", "Times"),
)
SKIP_IN_PICTURE = {"mention", "participation", "tenure", "text", "term", "external", "source", "relation", "other"}


def group_of(types: Iterable[str], kind: str) -> str:
    for t in types:
        if t.startswith(KGO_NS) and t[len(KGO_NS) :] in ENTITY_GROUP:
            return ENTITY_GROUP[t[len(KGO_NS) :]]
    return kind


@dataclass(frozen=True)
class Fact:
    """One line of a page's summary: a name and its values."""

    name: str
    values: tuple[Shown, ...]


def said(text: str) -> Shown:
    return Shown(text, literal=True, css="words")


def neighbours(site: Site, desc: Description) -> list[Neighbour]:
    """The resources linked to ``desc``'s, for its picture: asserted links first; mentions,
    participations, tenures and vocabulary left out (the page lists them)."""
    found: dict[str, dict[str, Any]] = {}
    for arc in desc.arcs:
        if arc.predicate == A or not isinstance(arc.value, ox.NamedNode) or arc.value.value == desc.iri:
            continue
        iri = arc.value.value
        if kind_of(iri, site.base) in SKIP_IN_PICTURE:
            continue
        entry = found.setdefault(iri, {"asserted": False, "incoming": arc.incoming, "relations": []})
        inferred = desc.inferred(arc)
        if not inferred and not entry["asserted"]:
            entry["asserted"], entry["incoming"] = True, arc.incoming
        relation = site.predicate(arc.predicate).text
        if relation not in entry["relations"]:
            entry["relations"].insert(len(entry["relations"]) if inferred else 0, relation)
    order = {"entity": 0, "position": 1, "event": 2, "article": 3, "statement": 4, "quantity": 5}
    ranked = sorted(
        found.items(),
        key=lambda item: (not item[1]["asserted"], order.get(kind_of(item[0], site.base), 9), site.label(item[0])),
    )
    out = []
    for iri, entry in ranked:
        relations = entry["relations"]
        relation = ", ".join(relations[:2]) + (" …" if len(relations) > 2 else "")
        out.append(Neighbour(site.href(iri), site.label(iri), site.css(iri), relation, entry["incoming"]))
    return out


def picture(site: Site, desc: Description, css: str) -> Markup:
    return neighbourhood(site.label(desc.iri), css, neighbours(site, desc), f"{site.label(desc.iri)} and its links")


def resource_context(site: Site, desc: Description, path: str) -> dict[str, Any]:
    """What every resource page shows: name, IRI, types, data links and the description."""
    asserted, inferred = desc.types(False), desc.types(True)
    kind = kind_of(desc.iri, site.base)
    return {
        "title": site.label(desc.iri),
        "iri": desc.iri,
        "path": path,
        "kind": kind,
        "css": group_of(asserted, kind),
        "alternates": data_links(path),
        "types": [site.show(ox.NamedNode(t)) for t in asserted],
        "schema_types": [site.show(ox.NamedNode(t)) for t in inferred if t.startswith(SCHEMA_NS)],
        "other_types": [site.show(ox.NamedNode(t)) for t in inferred if not t.startswith(SCHEMA_NS)],
        "sections": sections(site, desc),
        "facts": [],
        "quote": None,
        "picture": Markup(""),
        "contexts": [],
    }


def context_rows(site: Site, found: Sequence[Context]) -> list[dict[str, Any]]:
    return [
        {
            "before": c.before,
            "anchor": c.anchor,
            "after": c.after,
            "href": f"{site.href(c.article)}#t{c.begin}",
            "where": f"{site.label(c.article)}, characters {c.begin}–{c.end}",
        }
        for c in found
    ]


def _start(nodes: Nodes, iris: IRIs, desc: Description, extra: Iterable[str] = ()) -> tuple[Site, list[Context]]:
    """Look up what the page links to (and the texts of its mentions); the Site to name them."""
    prepare(nodes, [*desc.nodes(), *extra])
    mentions = [t.value for t in desc.values(k("denotedBy"), False) if isinstance(t, ox.NamedNode)]
    found = contexts(nodes, iris, mentions) if kind_of(desc.iri, iris.base) != "mention" else []
    return Site(iris, nodes), found


def entity_page(store: Store, iris: IRIs, desc: Description, path: str) -> bytes:
    """A person, organisation, place or equipment: names, types, Wikidata, posts, events with
    roles, statements, quantities, mentions in context and a picture of its neighbourhood."""
    nodes = nodes_of(store, iris)
    tenure_nodes = [t.value for t in desc.incoming(k("holder"), False) if isinstance(t, ox.NamedNode)]
    participations = [t.value for t in desc.incoming(k("participant"), False) if isinstance(t, ox.NamedNode)]
    prepare(nodes, [*tenure_nodes, *participations])
    events = [e for p in participations for e in nodes.iris(p, k("participationIn"))]
    site, found = _start(nodes, iris, desc, events)
    page = resource_context(site, desc, path)

    tenures: list[dict[str, Any]] = [
        {
            "position": site.shown(ox.NamedNode(p) for p in nodes.iris(t, k("position"))),
            "tenure": site.show(ox.NamedNode(t)),
            "time": site.shown(ox.NamedNode(w) for w in nodes.iris(t, k("time"))),
        }
        for t in tenure_nodes
    ]
    tenures.sort(key=lambda t: t["position"][0].text if t["position"] else "")
    roles: list[dict[str, Any]] = []
    for p in participations:
        for event in nodes.iris(p, k("participationIn")):
            mod, pol = local(nodes.first(event, k("modality"))), local(nodes.first(event, k("polarity")))
            start, end = nodes.text(event, k("startDate")) or None, nodes.text(event, k("endDate")) or None
            roles.append(
                {
                    "event": site.show(ox.NamedNode(event)),
                    "role": ", ".join(site.label(r) for r in nodes.iris(p, k("role"))) or "participant",
                    "words": factuality_words(mod, pol, local(nodes.first(event, k("certainty"))) or "certain"),
                    "css": factuality_class(mod, pol),
                    "when": span_words(start, end),
                    "sort": start or "9999",
                }
            )
    roles.sort(key=lambda e: (e["sort"], e["event"].text))
    statements: list[dict[str, Any]] = []
    for s in desc.incoming(k("speaker"), False):
        if not isinstance(s, ox.NamedNode):
            continue
        text = nodes.first(s.value, TEXT)
        kinds = [site.label(c) for c in nodes.iris(s.value, A) if c in (k("DirectQuote"), k("ReportedSpeech"))]
        statements.append(
            {
                "statement": site.show(s),
                "text": text_of(text),
                "kind": kinds[0] if kinds else "statement",
                "lang": text.language if isinstance(text, ox.Literal) else None,
            }
        )
    statements.sort(key=lambda s: s["statement"].href or "")

    facts = []
    if description := desc.values(DESCRIPTION):
        facts.append(Fact("Description", site.shown(description)))
    aliases = [*desc.values(ALT_LABEL, False), *desc.values(k("natoReportingName"), False)]
    if aliases:
        facts.append(Fact("Also called", site.shown(aliases)))
    for name, prop in (
        ("Part of", "partOf"),
        ("Contained in", "containedIn"),
        ("Category", "category"),
        ("Manufacturer", "manufacturer"),
        ("Equipped with", "equippedWith"),
        ("Outlawed in", "outlawedIn"),
        ("Post in", "postIn"),
    ):
        if values := desc.values(k(prop), False):
            facts.append(Fact(name, site.shown(values)))
    for q in desc.incoming(k("measures"), False):
        if isinstance(q, ox.NamedNode):
            words = quantity_words(quantity_facts(nodes, q.value), site)
            facts.append(Fact("Quantity", (Shown(words, site.href(q.value), css="quantity"),)))
    wikidata = [t.value for t in desc.values(EXACT_MATCH) if isinstance(t, ox.NamedNode)]
    page.update(
        facts=facts,
        aliases=[a.value for a in aliases],
        wikidata=[{"href": w, "id": w.rsplit("/", 1)[-1]} for w in wikidata],
        tenures=tenures,
        events=roles,
        statements=statements,
        contexts=context_rows(site, found),
        picture=picture(site, desc, page["css"]),
    )
    return render("entity.html", **page)


def event_page(store: Store, iris: IRIs, desc: Description, path: str) -> bytes:
    """An event: type, time (precision, normalisation), places, participants and roles,
    quantities and factuality in words, related events and statements, mentions in context."""
    nodes = nodes_of(store, iris)
    participations = [t.value for t in desc.values(k("hasParticipation"), False) if isinstance(t, ox.NamedNode)]
    site, found = _start(nodes, iris, desc)
    page = resource_context(site, desc, path)
    page["css"] = "event"

    mod, pol = local(desc.value(k("modality"))), local(desc.value(k("polarity")))
    certainty = local(desc.value(k("certainty"))) or "certain"
    start, end = text_of(desc.value(k("startDate"))) or None, text_of(desc.value(k("endDate"))) or None
    when: list[Shown] = [said(span_words(start, end))]
    for t in desc.values(k("time"), False):
        if not isinstance(t, ox.NamedNode):
            continue
        when.append(site.show(t))
        precision = local(nodes.first(t.value, k("precision")))
        if precision:
            when.append(said(f"precision: {PRECISION_WORDS.get(precision, precision)}"))
        if norm := nodes.text(t.value, k("normalisation")):
            when.append(said(f"normalised: {norm}"))
    facts: list[Fact] = [Fact("When", tuple(when))]
    places = desc.values(k("place"), False)
    facts.append(Fact("Where", site.shown(places) if places else (said("no place given"),)))
    if around := [p for p in desc.values(k("occurredIn"), True) if p not in places]:
        facts.append(Fact("Also in (inferred)", site.shown(around)))
    for name, prop, incoming in (
        ("Part of", "subEventOf", False),
        ("Parts", "subEventOf", True),
        ("In response to", "inResponseTo", False),
        ("Answered by", "inResponseTo", True),
        ("Purpose", "purpose", False),
        ("Outcome", "outcome", False),
        ("Statements about it", "about", True),
        ("Statements made at it", "venue", True),
        ("Shown in", "depictsEvent", True),
    ):
        values = desc.incoming(k(prop), False) if incoming else desc.values(k(prop), False)
        if values:
            facts.append(Fact(name, site.shown(values)))
    for q in desc.incoming(k("measures"), False):
        if isinstance(q, ox.NamedNode):
            words = quantity_words(quantity_facts(nodes, q.value), site)
            facts.append(Fact("Quantity", (Shown(words, site.href(q.value), css="quantity"),)))
    participants: list[dict[str, Any]] = [
        {"who": site.show(ox.NamedNode(who)), "role": ", ".join(site.label(r) for r in nodes.iris(p, k("role")))}
        for p in participations
        for who in nodes.iris(p, k("participant"))
    ]
    participants.sort(key=lambda p: (p["role"], p["who"].text))
    page.update(
        status=factuality_class(mod, pol),
        status_words=factuality_words(mod, pol, certainty),
        facts=facts,
        participants=participants,
        contexts=context_rows(site, found),
        picture=picture(site, desc, "event"),
    )
    return render("event.html", **page)


def article_page(store: Store, iris: IRIs, desc: Description, path: str) -> bytes:
    """An article: its text with every mention linked, its photo's caption and credit, its
    events on a timeline, and what it mentions."""
    nodes = nodes_of(store, iris)
    article_id = path.split("/")[1]
    graph = ref(str(iris.graph(article_id)))
    rows = select(
        store,
        f"""SELECT ?x ?m ?ev WHERE {{ GRAPH {graph} {{
              {{ ?x kgo:denotedBy ?m }} UNION {{ ?ev kgo:modality ?mod }} }} }}""",
    )
    denoted: dict[str, list[str]] = defaultdict(list)
    events: list[str] = []
    for row in rows:
        if "ev" in row:
            events.append(row["ev"].value)
        elif isinstance(row.get("m"), ox.NamedNode) and isinstance(row.get("x"), ox.NamedNode):
            denoted[row["m"].value].append(row["x"].value)
    photos = [t.value for t in desc.values(k("photo"), False) if isinstance(t, ox.NamedNode)]
    targets = {x for xs in denoted.values() for x in xs}
    # participations are named from their IRI (…/event/{e}/participant/{who}-{role}): no lookup each
    participations = {x: parts for x in targets if (parts := _participation(x, targets, iris.base))}
    prepare(nodes, [*desc.nodes(), *(t for t in targets if t not in participations), *events, *photos])
    site = Site(iris, nodes)
    page = resource_context(site, desc, path)
    page["css"] = "article"
    text = texts(nodes, iris, [article_id]).get(article_id, "")

    target_of: dict[str, Target] = {}
    for x in targets:
        kind = kind_of(x, iris.base)
        if x in participations:
            event, participant, role = participations[x]
            label = shorten(f"{site.label(participant)} as {role} in {site.label(event)}", 90)
            target_of[x] = Target(x, site.href(x), label, "participation", "participation", TARGET_RANK.get(kind, 9))
            continue
        kgo_types = tuple(sorted(t for t in nodes.iris(x, A) if t.startswith(KGO_NS)))
        what = site.label(_most_specific(kgo_types)) if kgo_types else kind
        target_of[x] = Target(x, site.href(x), site.label(x), what, site.css(x), TARGET_RANK.get(kind, 9))
    spans: list[Span] = []
    for mention, xs in denoted.items():
        where = mention_span(mention, iris.base)
        if where is None or where[0] != article_id or where[2] > len(text):
            continue
        chosen = sorted({target_of[x] for x in xs}, key=lambda t: (t.rank, t.label))
        spans.append(Span(where[1], where[2], text[where[1] : where[2]], chosen))
    spans.sort(key=lambda s: (s.begin, -s.end))

    items = []
    for event in events:
        mod, pol = local(nodes.first(event, k("modality"))), local(nodes.first(event, k("polarity")))
        items.append(
            TimelineItem(
                site.href(event),
                site.label(event),
                nodes.text(event, k("startDate")) or None,
                nodes.text(event, k("endDate")) or None,
                factuality_class(mod, pol),
                factuality_words(mod, pol, local(nodes.first(event, k("certainty"))) or "certain"),
            )
        )
    items.sort(key=lambda i: (i.start or i.end or "9999", i.label))
    published = text_of(desc.value(_iri(SCHEMA.datePublished))) or None

    photo: dict[str, Any] | None = None
    if photos:
        p = photos[0]
        photo = {
            "href": site.href(p),
            "caption": nodes.text(p, CAPTION),
            "credit": nodes.text(p, _iri(SCHEMA.creditText)),
            "depicts": site.shown(dict.fromkeys([*nodes.get(p, k("depicts")), *nodes.get(p, k("depictsEvent"))])),
            "credited": site.shown(dict.fromkeys([*nodes.get(p, k("creator")), *nodes.get(p, k("creditedTo"))])),
        }
    groups: dict[str, dict[str, Target]] = defaultdict(dict)
    for span in spans:
        for target in span.targets:
            groups[target.css].setdefault(target.iri, target)
    mentioned: list[dict[str, Any]] = []
    for css, title in GROUP_TITLES:
        entries: list[Target] = sorted(groups.get(css, {}).values(), key=lambda t: t.label.lower())
        if entries:
            mentioned.append({"title": title, "id": f"in-{css}", "entries": entries})
    headline = desc.value(HEADLINE)
    page.update(
        title=text_of(headline) or page["title"],
        lang=headline.language if isinstance(headline, ox.Literal) and headline.language else "en",
        alternative=text_of(desc.value(_iri(SCHEMA.alternativeHeadline))),
        published=date_words(published) if published else "",
        published_iso=published or "",
        publisher=site.shown(desc.values(k("publisher"))),
        dateline=site.shown(desc.values(k("dateline"))),
        text=highlighted(text, spans),
        spans=len(spans),
        mentions_table=mentions_table(
            spans, "en" if not isinstance(headline, ox.Literal) else headline.language or "en"
        ),
        photo=photo,
        timeline=timeline(items, published, "The article's events in time"),
        legend=timeline_legend(),
        dated=[i for i in items if i.dated],
        undated=[i for i in items if not i.dated],
        mentioned=mentioned,
    )
    return render("article.html", **page)


DEFINED_CLASSES = frozenset(
    k(n) for n in ("ActualEvent", "PlannedEvent", "EventToBePrevented", "NegatedEvent", "FactualEvent")
)
"""Classes defined by factuality (hasValue): true of a node, but not what it is."""


def _participation(iri: str, known: set[str], base: str) -> tuple[str, str, str] | None:
    """(event, participant, role) of a participation IRI ``{event}/participant/{who}-{role}``, the
    participant being one of ``known`` (an entity of the authority or of the article)."""
    event, sep, tail = iri.rpartition("/participant/")
    who_id, dash, role = tail.rpartition("-")
    if not sep or not dash or kind_of(event, base) != "event":
        return None
    article = event.rsplit("/event/", 1)[0]
    for who in (f"{article}/entity/{who_id}", f"{base}id/entity/{who_id}"):
        if who in known:
            return event, who, role
    return None


@cache
def _most_specific(all_types: tuple[str, ...]) -> str:
    """Of a node's kgo classes, one no other of them is a subclass of (by the ontology),
    leaving out the classes defined by factuality."""
    supers = ontology_info().supers
    types = [t for t in all_types if t not in DEFINED_CLASSES] or list(all_types)
    for t in types:
        if not any(t in supers.get(other, ()) for other in types if other != t):
            return t
    return types[0]


def summary_page(store: Store, iris: IRIs, desc: Description, path: str) -> bytes:
    """Statements, quantities, mentions, times, tenures, participations and the rest: the
    description, with a summary in words for the kinds that have one."""
    nodes = nodes_of(store, iris)
    kind = kind_of(desc.iri, iris.base)
    site, found = _start(nodes, iris, desc)
    page = resource_context(site, desc, path)
    facts: list[Fact] = []
    if kind == "statement" or str(KGO.Statement) in desc.types():
        text = desc.value(TEXT)
        page["quote"] = {
            "text": text_of(text),
            "direct": k("DirectQuote") in desc.types(),
            "lang": text.language if isinstance(text, ox.Literal) else None,
        }
        words = statement_words(
            local(desc.value(k("polarity"))), local(desc.value(k("temporality"))), local(desc.value(k("certainty")))
        )
        facts.append(Fact("Said by", site.shown(desc.values(k("speaker"), False))))
        facts.append(Fact("Factuality", (said(words),)))
        for name, prop in (("At", "venue"), ("When", "time"), ("About", "about")):
            if values := desc.values(k(prop), False):
                facts.append(Fact(name, site.shown(values)))
    if kind == "quantity":
        q = quantity_facts(nodes, desc.iri)
        facts.append(Fact("In words", (said(quantity_words(q, site)),)))
        if q.measures:
            facts.append(Fact("Measures", (site.show(ox.NamedNode(q.measures)),)))
        if q.counts:
            facts.append(Fact("Counts", site.shown(ox.NamedNode(c) for c in q.counts)))
        if q.source:
            facts.append(Fact("According to", (site.show(ox.NamedNode(q.source)),)))
    if kind == "time":
        begin = [nodes.first(i, p) for i in nodes.iris(desc.iri, _iri(TIME.hasBeginning)) for p in TIME_VALUES]
        end = [nodes.first(i, p) for i in nodes.iris(desc.iri, _iri(TIME.hasEnd)) for p in TIME_VALUES]
        start_value = next((v.value for v in begin if v is not None), None)
        end_value = next((v.value for v in end if v is not None), None)
        facts.append(Fact("When", (said(span_words(start_value, end_value)),)))
        if precision := local(desc.value(k("precision"))):
            facts.append(Fact("Precision", (said(PRECISION_WORDS.get(precision, precision)),)))
        for norm in desc.values(k("normalisation")):
            facts.append(Fact("How it was normalised", (site.show(norm),)))
        if used := desc.incoming(k("time"), False):
            facts.append(Fact("Time of", site.shown(used)))
    if kind == "mention":
        found = contexts(nodes, iris, [desc.iri])
        if denoted := desc.incoming(k("denotedBy"), False):
            facts.append(Fact("Denotes", site.shown(denoted)))
    page.update(facts=facts, contexts=context_rows(site, found))
    if kind not in ("mention", "text", "source"):
        page["picture"] = picture(site, desc, page["css"])
    return render("resource.html", **page)


def resource_page(store: Store, iris: IRIs, desc: Description, path: str) -> bytes:
    """The page of any resource, by what it is (its types, then its IRI)."""
    types = set(desc.types())
    kind = kind_of(desc.iri, iris.base)
    if k("NewsArticle") in types:
        return article_page(store, iris, desc, path)
    if k("Event") in types or kind == "event":
        return event_page(store, iris, desc, path)
    if kind == "entity" or any(t.startswith(KGO_NS) and t[len(KGO_NS) :] in ENTITY_GROUP for t in types):
        return entity_page(store, iris, desc, path)
    return summary_page(store, iris, desc, path)


# --- the home page, graphs, errors ----------------------------------------------------------------

_HOME: list[tuple[object, dict[str, Any]]] = []
"""The home page's figures, for the store object they were counted in (recounted after a write,
when the reader reopens its store)."""


def home_figures(store: Store, iris: IRIs) -> dict[str, Any]:
    if _HOME and _HOME[0][0] is store:
        return _HOME[0][1]
    counts = select(
        store,
        """SELECT ?articles ?entities ?events ?statements ?quantities ?triples WHERE {
          { SELECT (COUNT(DISTINCT ?a) AS ?articles) WHERE { ?a a kgo:NewsArticle } }
          { SELECT (COUNT(DISTINCT ?e) AS ?entities) WHERE {
              ?e a ?c FILTER(?c IN (kgo:Person, kgo:Organisation, kgo:Place, kgo:EquipmentModel,
                                    kgo:EquipmentCategory)) } }
          { SELECT (COUNT(DISTINCT ?v) AS ?events) WHERE { ?v a kgo:Event } }
          { SELECT (COUNT(DISTINCT ?s) AS ?statements) WHERE { ?s a kgo:Statement } }
          { SELECT (COUNT(DISTINCT ?q) AS ?quantities) WHERE { ?q a kgo:Quantity } }
          { SELECT (COUNT(DISTINCT *) AS ?triples) WHERE { ?x ?y ?z } }
        }""",
    )[0]
    articles = select(
        store,
        """SELECT DISTINCT ?a ?h ?d ?p WHERE { ?a a kgo:NewsArticle ; schema:headline ?h
             OPTIONAL { ?a schema:datePublished ?d } OPTIONAL { ?a kgo:publisher/rdfs:label ?p } }
           ORDER BY DESC(?d) ?h""",
    )
    site = Site(iris)
    seen: set[str] = set()
    listed = []
    for row in articles:
        if row["a"].value in seen:
            continue
        seen.add(row["a"].value)
        listed.append(
            {
                "href": site.href(row["a"].value),
                "headline": row["h"].value,
                "lang": row["h"].language if isinstance(row["h"], ox.Literal) else None,
                "date": date_words(text_of(row.get("d"))) if "d" in row else "",
                "date_iso": text_of(row.get("d")),
                "publisher": text_of(row.get("p")),
            }
        )
    figures = {
        "counts": [
            (name, number(counts.get(key)) or 0)
            for key, name in (
                ("articles", "articles"),
                ("entities", "entities: people, organisations, places, equipment"),
                ("events", "events"),
                ("statements", "statements"),
                ("quantities", "quantities"),
                ("triples", "distinct triples, asserted and inferred"),
            )
        ],
        "articles": listed,
    }
    _HOME[:] = [(store, figures)]
    return figures


def page_paths(store: Store, iris: IRIs, limit: int) -> list[str]:
    """Paths (after ``{base}id/``) of up to ``limit`` resources described in the store: articles,
    then entities and positions, then what articles hold (events, statements…), mentions last."""
    base = f"{iris.base}id/"
    rows = select(
        store,
        "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(isIRI(?s) && STRSTARTS(STR(?s), STR({ref(base)}))) }}",
    )
    found = [row["s"].value[len(base) :] for row in rows if "s" in row]

    def rank(path: str) -> tuple[int, str]:
        parts = path.split("/")
        if parts[0] == "article" and len(parts) == 2:
            return 0, path
        if parts[0] != "article":
            return 1, path
        return (3 if "mention" in parts else 2), path

    return [path for path in sorted(found, key=rank)[:limit] if SAFE_IRI.fullmatch(base + path)]


def home_page(store: Store, iris: IRIs, base_url: str, update: bool) -> bytes:
    return render(
        "home.html",
        title="kg: news articles as an event knowledge graph",
        base_iri=iris.base,
        base_url=base_url,
        update=update,
        alternates=[{"href": "/.well-known/void", "type": "text/turtle", "name": "VoID description"}],
        **home_figures(store, iris),
    )


def graph_page(store: Store, iris: IRIs, desc: Description, graph: str, triples: int) -> bytes:
    from kg.server.describe import _about

    nodes = nodes_of(store, iris)
    prepare(nodes, desc.nodes())
    site = Site(iris, nodes)
    title, about, source = _about(graph, iris)
    local_path = graph[len(iris.base) :]
    return render(
        "graph.html",
        title=title,
        iri=graph,
        about=about,
        source=site.show(ox.NamedNode(str(source))) if source is not None else None,
        triples=triples,
        inferred=iris.is_inferred_graph(graph),
        sections=sections(site, desc),
        alternates=[
            {"href": f"/{local_path}.{suffix}", "type": media, "name": name}
            for suffix, media, name in RDF_FORMATS
            if suffix not in ("trig", "nq")
        ],
    )


def error_page(status: int, title: str, message: str, iri: str | None = None) -> bytes:
    return render("error.html", title=title, status=status, message=message, iri=iri, alternates=[])


# --- pages without the store: the ontology, the query form ------------------------------------------

EXAMPLE_PREFIXES = """PREFIX kgo: <http://127.0.0.1:8000/ontology#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX entity: <http://127.0.0.1:8000/id/entity/>
"""

EXAMPLES: tuple[tuple[str, str, str], ...] = (
    (
        "minister",
        "Who is Russia's defence minister, and what else is he called?",
        """SELECT ?person ?name (GROUP_CONCAT(?alias; separator="|") AS ?aliases) WHERE {
  ?tenure a kgo:Tenure ; kgo:position ?post ; kgo:holder ?person .
  ?post org:postIn ?ministry . ?ministry kgo:partOf entity:russia ; rdfs:label ?m .
  ?post rdfs:label ?postName FILTER(CONTAINS(LCASE(STR(?postName)), "defence minister"))
  ?person skos:prefLabel ?name ; skos:altLabel ?alias .
} GROUP BY ?person ?name""",
    ),
    (
        "photo",
        "Who is shown in the photo?",
        """SELECT DISTINCT ?name WHERE {
  ?article kgo:photo ?photo . ?photo kgo:depicts ?p .
  ?p a kgo:Person ; skos:prefLabel ?name
}""",
    ),
    (
        "strikes",
        "When did the Aerospace Forces start their strikes in Syria?",
        """SELECT DISTINCT ?start WHERE {
  ?e a kgo:MilitaryOperation ; kgo:involves entity:russian-aerospace-forces ;
     kgo:place entity:syria ; kgo:startDate ?start .
}""",
    ),
    (
        "quotes",
        "What did Shoigu say, word for word?",
        """SELECT ?text WHERE {
  ?q a kgo:DirectQuote ; kgo:speaker entity:sergey-shoigu ; schema:text ?text
}""",
    ),
    (
        "wikidata",
        "Which entities are linked to Wikidata?",
        """SELECT ?name ?wd WHERE {
  ?e kgo:denotedBy ?m ; skos:exactMatch ?wd ; skos:prefLabel ?name
}""",
    ),
    (
        "aircraft",
        "Which aircraft types belong to the air group?",
        """SELECT ?name WHERE {
  ?unit kgo:equippedWith ?model . ?unit skos:prefLabel ?u .
  FILTER(CONTAINS(STR(?u), 'air group'))
  ?model skos:prefLabel ?name
}""",
    ),
    (
        "president",
        "Who is the president of Syria?",
        """SELECT ?name WHERE {
  ?person org:holds ?post . ?post org:postIn entity:syria ; rdfs:label ?l
  FILTER(CONTAINS(LCASE(STR(?l)), 'president'))
  ?person skos:prefLabel ?name
}""",
    ),
    (
        "syria",
        "Which events took place in Syria, including places inside it?",
        """SELECT ?e ?label WHERE {
  ?e a kgo:FactualEvent ; kgo:occurredIn entity:syria ; rdfs:label ?label
}""",
    ),
    (
        "persons",
        "Who are the people, as schema.org sees them after inference?",
        """SELECT ?name WHERE { ?p a schema:Person ; schema:name ?name }""",
    ),
    (
        "ground",
        "Does Russia plan to take part in ground operations? (a negated plan)",
        """ASK {
  ?e a kgo:PlannedEvent, kgo:NegatedEvent ; kgo:involves entity:russia ;
     rdfs:label ?l FILTER(CONTAINS(LCASE(?l), 'ground'))
}""",
    ),
)
"""The competency questions of tests/test_competency.py, titled in words, for the query page."""

RESULT_FORMATS: tuple[tuple[str, str], ...] = (
    ("", "as the browser asks (SPARQL JSON, or Turtle for graphs)"),
    ("json", "SPARQL results JSON"),
    ("xml", "SPARQL results XML"),
    ("csv", "CSV"),
    ("tsv", "TSV"),
    ("text", "N-Triples as plain text (CONSTRUCT, DESCRIBE)"),
    ("turtle", "Turtle (CONSTRUCT, DESCRIBE)"),
    ("jsonld", "JSON-LD (CONSTRUCT, DESCRIBE)"),
    ("rdfxml", "RDF/XML (CONSTRUCT, DESCRIBE)"),
)


@cache
def query_page(editor: bool = False) -> bytes:
    """The query form with the examples; with ``editor``, the hook that loads YASGUI."""
    first = EXAMPLES[0]
    return render(
        "query.html",
        title="Query the knowledge graph",
        editor=editor,
        examples=[
            {"id": ident, "title": title, "query": EXAMPLE_PREFIXES + "\n" + query} for ident, title, query in EXAMPLES
        ],
        initial=EXAMPLE_PREFIXES + "\n" + first[2],
        result_formats=RESULT_FORMATS,
        alternates=[],
    )


@cache
def ontology_page() -> bytes:
    info = ontology_info()
    groups = [
        ("classes", "Classes", info.of_kind("class")),
        ("object-properties", "Object properties", info.of_kind("object property")),
        ("datatype-properties", "Datatype properties", info.of_kind("datatype property")),
        ("individuals", "Concept schemes and individuals", info.of_kind("concept scheme", "individual")),
    ]
    return render(
        "ontology.html",
        title=info.title,
        info=info,
        groups=groups,
        alternates=[
            {"href": "/ontology.ttl", "type": "text/turtle", "name": "Turtle"},
            {"href": "/ontology.rdf", "type": "application/rdf+xml", "name": "RDF/XML"},
            {"href": "/ontology.nt", "type": "application/n-triples", "name": "N-Triples"},
            {"href": "/ontology.jsonld", "type": "application/ld+json", "name": "JSON-LD"},
        ],
    )
