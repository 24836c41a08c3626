"""load -> map -> infer -> validate, one source at a time; store only what passed, all at once.

Inference is kg.rules' compiled OWL 2 RL closure, proved identical to owlrl's (kg.reason) by
the tests; owlrl stays the reference.

A build has two kinds of source: the shared authority (entities and positions)
and the articles that reference it. Each gives three named graphs: asserted,
inferred, provenance.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from kg import __version__, resources
from kg.annotation import Article, Authority, authority_path, load_article, load_authority
from kg.errors import InputError, NotConformingError, QueryRefusedError
from kg.mapper import Source, map_article, map_authority, provenance, referenced_authority, revision
from kg.namespaces import KGO, IRIs
from kg.rules import infer_fast as infer
from kg.store import GraphName, Store, WriteCheck
from kg.validate import Report, check


@dataclass(frozen=True)
class Built:
    """One source's three graphs, ready to store, and the gate's report on them."""

    name: str
    names: tuple[URIRef, URIRef, URIRef]
    asserted: Graph
    inferred: Graph
    provenance: Graph
    report: Report
    digest: str
    """The input digest: of everything the build read (sources, authority, kg's version)."""

    def graphs(self) -> dict[GraphName, Graph]:
        asserted, inferred, record = self.names
        return {asserted: self.asserted, inferred: self.inferred, record: self.provenance}


@dataclass(frozen=True)
class AuthoritySource:
    """A loaded authority file, with the hash of its bytes for provenance."""

    authority: Authority
    path: Path
    sha256: str


def load_authority_source(path: Path) -> AuthoritySource:
    authority = load_authority(path)
    return AuthoritySource(authority, path, hashlib.sha256(path.read_bytes()).hexdigest())


def load(folder: Path, authority: AuthoritySource) -> Article:
    return load_article(folder, authority.authority)


def gate(*asserted: Graph) -> Report:
    """The first half of the SHACL gate: article shapes on the asserted graph (the union of
    ``asserted``, which is not copied)."""
    return check(asserted, resources.shapes(), resources.ontology())


def closure_gate(*graphs: Graph) -> Report:
    """The gate's second half: closure shapes on the asserted graph with its inferred one (the
    union of ``graphs``, not copied)."""
    return check(graphs, resources.closure_shapes(), resources.ontology())


def _gated(
    asserted: Sequence[Graph], infer_it: Callable[[], Graph], known: Graph | None = None
) -> tuple[Graph, Report]:
    """Article shapes on ``asserted``; if it passes, its closure (``infer_it()``) and the closure shapes
    on both (with ``known``, inferred triples already stored that it builds on)."""
    report = gate(*asserted)
    if not report.conforms:
        return Graph(), report
    inferred = infer_it()
    return inferred, report + closure_gate(*asserted, inferred, *([] if known is None else [known]))


def build_authority(source: AuthoritySource, iris: IRIs, built_at: datetime) -> Built:
    """Map, infer and gate the authority file."""
    asserted = map_authority(source.authority, iris)
    names = iris.authority_graphs()
    inferred, report = _gated([asserted], partial(infer, asserted, resources.ontology()))
    if not report.conforms:
        raise NotConformingError(source.path.name, report)
    origin = Source(URIRef(f"{names[0]}#source"), source.path.name, source.sha256)
    digest = input_digest(authority=source.sha256)
    record = provenance(names, [origin], iris, built_at, __version__) + _digest_record(names, digest)
    return Built(source.path.name, names, asserted, inferred, record, report, digest)


def build_article(article: Article, iris: IRIs, built_at: datetime, authority: Built) -> Built:
    """Map, infer and gate one article against its (already built) authority.

    Raises NotConformingError, with the report, when the article fails the gate.
    """
    mapped = map_article(article, iris, built_at, __version__)
    context = map_authority(article.authority, iris, referenced_authority(article.annotation, article.authority))
    inferred, report = _gated(
        [mapped.asserted, context],
        partial(infer, mapped.asserted, resources.ontology(), context=context, known=authority.inferred),
        known=authority.inferred,
    )
    if not report.conforms:
        raise NotConformingError(article.id, report)
    names = iris.article_graphs(article.id)
    digest = article_digest(article, authority)
    record = mapped.provenance + _digest_record(names, digest)
    return Built(article.id, names, mapped.asserted, inferred, record, report, digest)


def input_digest(**inputs: str) -> str:
    """The input digest of a build that read ``inputs`` (name: SHA-256), with this version of kg."""
    lines = [f"kg {__version__}", *(f"{name} {value}" for name, value in sorted(inputs.items()))]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def article_digest(article: Article, authority: Built) -> str:
    """What an article's build reads: its annotation, its text, and the authority built before it."""
    return input_digest(
        annotation=article.annotation_sha256, text=article.annotation.article.sha256, authority=authority.digest
    )


def _digest_record(names: tuple[URIRef, URIRef, URIRef], digest: str) -> Graph:
    record = Graph()
    record.add((URIRef(f"{names[2]}#build"), KGO.inputDigest, Literal(digest)))
    return record


Progress = Callable[[str], None]


def authority_of(folders: Sequence[Path], authority_file: Path | None) -> Path:
    """The authority file of a build: the one given, or the one beside the article folders."""
    if authority_file is not None:
        return authority_file
    roots = {folder.resolve().parent for folder in folders}
    if len(roots) != 1:
        raise InputError(", ".join(sorted(str(r) for r in roots)), "articles from several roots: pass --authority")
    return authority_path(roots.pop())


def build(
    folders: Sequence[Path],
    store: Store,
    iris: IRIs,
    built_at: datetime,
    authority_file: Path | None = None,
    progress: Progress = lambda _: None,
) -> list[Built]:
    """Build the authority and the given article folders, then store them in one transaction.

    Everything is loaded, mapped, inferred and gated first; the first input error
    or non-conforming graph stops the build before anything is written, so a
    failed build leaves the store exactly as it was.
    """
    source = load_authority_source(authority_of(folders, authority_file))
    progress(f"authority {source.path}: map, infer, validate")
    authority = build_authority(source, iris, built_at)
    built = [authority]
    for i, folder in enumerate(folders, 1):
        progress(f"[{i}/{len(folders)}] {folder.name}: load, map, infer, validate")
        built.append(build_article(load(folder, source), iris, built_at, authority))
    graphs: dict[GraphName, Graph] = {}
    for item in built:
        graphs.update(item.graphs())
    progress(f"storing {len(built) - 1} article(s) and the authority: {sum(map(len, graphs.values()))} triples")
    store.replace_graphs(graphs)
    return built


def validate_article(folder: Path, iris: IRIs, built_at: datetime, authority_file: Path | None = None) -> Built:
    """Build one article (and its authority) without storing anything."""
    source = load_authority_source(authority_of([folder], authority_file))
    authority = build_authority(source, iris, built_at)
    return build_article(load(folder, source), iris, built_at, authority)


def write_check(store: Store, iris: IRIs, written_at: datetime) -> WriteCheck:
    """The gate for writes through the endpoint (SPARQL Update, Graph Store).

    A graph kg derives (inferred, provenance) or builds from a file (the authority) is never
    written directly. A changed article graph passes the same gate as ``kg build``; its
    inferred graph is recomputed and its provenance records the write. Other graphs are the
    user's own and are written as they are.
    """

    def check(changes: Mapping[GraphName, Graph | None]) -> dict[GraphName, Graph]:
        extra: dict[GraphName, Graph] = {}
        for name, graph in changes.items():
            kind = None if name is None else iris.graph_kind(str(name))
            if name is None or kind is None:
                continue
            if kind != "article":
                raise QueryRefusedError(
                    "derived_graph", f"<{name}> is derived by kg build, not written directly; change its source"
                )
            article_id = iris.article_of_graph(str(name))
            assert article_id is not None
            _, inferred_name, provenance_name = iris.article_graphs(article_id)
            if graph is None:
                extra[inferred_name], extra[provenance_name] = Graph(), Graph()
                continue
            authority_name, authority_inferred_name, _ = iris.authority_graphs()
            context, known = store.graph(authority_name), store.graph(authority_inferred_name)
            inferred, report = _gated(
                [graph, context], partial(infer, graph, resources.ontology(), context=context, known=known), known
            )
            if not report.conforms:
                raise NotConformingError(article_id, report)
            extra[inferred_name] = inferred
            extra[provenance_name] = store.graph(provenance_name) + revision(name, iris, written_at, __version__)
        return extra

    return check
