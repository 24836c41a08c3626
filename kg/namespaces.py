"""IRIs and prefixes: the vocabularies kg speaks and the IRIs it mints. No logic beyond naming."""

from __future__ import annotations

__all__ = ["DCTERMS", "OWL", "PROV", "RDF", "RDFS", "SH", "SKOS", "TIME", "XSD"]

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, XSD

DEFAULT_BASE = "http://127.0.0.1:8000/"

KGO = Namespace("http://127.0.0.1:8000/ontology#")
"""The news ontology. Its namespace is fixed, whatever base the data is minted under."""
ONTOLOGY_IRI = URIRef("http://127.0.0.1:8000/ontology")

SCHEMA = Namespace("https://schema.org/")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
ORG = Namespace("http://www.w3.org/ns/org#")
NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
GAF = Namespace("http://groundedannotationframework.org/gaf#")
WD = Namespace("http://www.wikidata.org/entity/")

PREFIXES: dict[str, str] = {
    "kgo": str(KGO),
    "schema": str(SCHEMA),
    "sem": str(SEM),
    "prov": str(PROV),
    "org": str(ORG),
    "time": str(TIME),
    "nif": str(NIF),
    "gaf": str(GAF),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "wd": str(WD),
}


class IRIs:
    """The IRIs kg mints under one base.

    Entities and positions are global (``id/entity/…``, ``id/position/…``) and
    described in the authority's graphs (``graph/authority``, ``…/inferred``,
    ``…/provenance``); what one article says is minted under the article
    (``id/article/{article}/…``) and kept in its three graphs
    (``graph/article/{article}``, ``…/inferred``, ``…/provenance``).
    """

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        if not base.endswith(("/", "#")):
            base += "/"
        self.base = base

    def __repr__(self) -> str:
        return f"IRIs({self.base!r})"

    def prefixes(self) -> dict[str, str]:
        """Vocabulary prefixes plus short ones for the global IRIs minted under this base
        (article IRIs have slashes in their local part, which Turtle would have to escape)."""
        return {
            **PREFIXES,
            "entity": f"{self.base}id/entity/",
            "position": f"{self.base}id/position/",
        }

    def entity(self, entity_id: str) -> URIRef:
        return URIRef(f"{self.base}id/entity/{entity_id}")

    def position(self, position_id: str) -> URIRef:
        return URIRef(f"{self.base}id/position/{position_id}")

    def article(self, article_id: str) -> URIRef:
        return URIRef(f"{self.base}id/article/{article_id}")

    def local(self, article_id: str, kind: str, local_id: str) -> URIRef:
        """Something minted for one article: an event, statement, quantity, time, photo…"""
        return URIRef(f"{self.base}id/article/{article_id}/{kind}/{local_id}")

    def mention(self, article_id: str, start: int, end: int) -> URIRef:
        return self.local(article_id, "mention", f"{start}-{end}")

    def software(self, version: str) -> URIRef:
        return URIRef(f"{self.base}id/software/kg/{version}")

    def graph(self, article_id: str) -> URIRef:
        """The named graph of what the article asserts."""
        return URIRef(f"{self.base}graph/article/{article_id}")

    def inferred_graph(self, article_id: str) -> URIRef:
        return URIRef(f"{self.base}graph/article/{article_id}/inferred")

    def provenance_graph(self, article_id: str) -> URIRef:
        return URIRef(f"{self.base}graph/article/{article_id}/provenance")

    def article_graphs(self, article_id: str) -> tuple[URIRef, URIRef, URIRef]:
        """Asserted, inferred and provenance graph of an article."""
        return (self.graph(article_id), self.inferred_graph(article_id), self.provenance_graph(article_id))

    def authority_graphs(self) -> tuple[URIRef, URIRef, URIRef]:
        """Asserted, inferred and provenance graph of the shared authority (entities, positions)."""
        root = f"{self.base}graph/authority"
        return (URIRef(root), URIRef(f"{root}/inferred"), URIRef(f"{root}/provenance"))

    def article_of_graph(self, graph: str) -> str | None:
        """The article id a named graph belongs to, or None for any other graph."""
        prefix = f"{self.base}graph/article/"
        if not graph.startswith(prefix):
            return None
        return graph[len(prefix) :].split("/", 1)[0] or None

    def graph_kind(self, graph: str) -> str | None:
        """What a graph kg minted holds: ``article``, ``authority``, or either followed by
        ``-inferred`` / ``-provenance``; None for a graph kg did not mint."""
        root = f"{self.base}graph/"
        if not graph.startswith(root):
            return None
        rest = graph[len(root) :].split("/")
        if rest[0] == "article" and len(rest) in (2, 3) and rest[1]:
            owner = "article"
        elif rest[0] == "authority" and len(rest) in (1, 2):
            owner = "authority"
        else:
            return None
        tail = rest[-1] if len(rest) == (3 if owner == "article" else 2) else None
        if tail is None:
            return owner
        return f"{owner}-{tail}" if tail in ("inferred", "provenance") else None

    def is_inferred_graph(self, graph: str) -> bool:
        return graph.startswith(f"{self.base}graph/") and graph.endswith("/inferred")
