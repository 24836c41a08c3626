"""Shared fixtures. Values that are expensive and immutable in use (the built seed) are
session-scoped and handed out as copies; stores and apps are fresh per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import Graph

from kg import pipeline
from kg.annotation import Article, authority_path
from kg.namespaces import IRIs
from kg.pipeline import Built
from kg.store import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "articles"
SEED_ID = "tass-2015-10-21-russia-syria-assistance"
SEED = ARTICLES / SEED_ID
TEST_ARTICLES = Path(__file__).resolve().parent / "data" / "articles"
BUILT_AT = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def articles_root(target: Path, authority: Path, *folders: Path) -> Path:
    """A writable articles root at ``target``: the given authority file and article folders."""
    target.mkdir()
    shutil.copy(authority, authority_path(target))
    for folder in folders:
        shutil.copytree(folder, target / folder.name)
    return target


def copy(graph: Graph) -> Graph:
    out = Graph()
    out += graph
    for prefix, namespace in graph.namespaces():
        out.bind(prefix, namespace)
    return out


@pytest.fixture(scope="session")
def iris() -> IRIs:
    return IRIs()


def fresh(built: Built) -> Built:
    return Built(
        built.name,
        built.names,
        copy(built.asserted),
        copy(built.inferred),
        copy(built.provenance),
        built.report,
        built.digest,
    )


@pytest.fixture(scope="session")
def _authority_built(iris: IRIs) -> Built:
    return pipeline.build_authority(pipeline.load_authority_source(authority_path(ARTICLES)), iris, BUILT_AT)


@pytest.fixture(scope="session")
def _seed_built(iris: IRIs, _authority_built: Built) -> Built:
    source = pipeline.load_authority_source(authority_path(ARTICLES))
    return pipeline.build_article(pipeline.load(SEED, source), iris, BUILT_AT, _authority_built)


@pytest.fixture
def seed_article() -> Article:
    return pipeline.load(SEED, pipeline.load_authority_source(authority_path(ARTICLES)))


@pytest.fixture
def authority_built(_authority_built: Built) -> Built:
    """The bundled authority mapped, inferred and gated (fresh copies of its graphs)."""
    return fresh(_authority_built)


@pytest.fixture
def seed_built(_seed_built: Built) -> Built:
    """The seed article mapped, inferred and gated (fresh copies of its graphs)."""
    return fresh(_seed_built)


@pytest.fixture
def seed_context(seed_article: Article, iris: IRIs) -> Graph:
    """The authority's description of what the seed references (the gate sees it with the article)."""
    from kg.mapper import map_authority, referenced_authority

    return map_authority(
        seed_article.authority, iris, referenced_authority(seed_article.annotation, seed_article.authority)
    )


@pytest.fixture
def seed_asserted(seed_built: Built) -> Graph:
    return seed_built.asserted


@pytest.fixture
def seed_store(tmp_path: Path, iris: IRIs, _authority_built: Built, _seed_built: Built) -> Iterator[Store]:
    """A fresh temporary store holding the authority and the built seed article."""
    store = open_store(tmp_path / "store", prefixes=iris.prefixes())
    store.replace_graphs({**_authority_built.graphs(), **_seed_built.graphs()})
    yield store
    store.close()
