"""kg.pipeline: builds are deterministic, one article's rebuild touches only its graphs, and a
refused build writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from kg import pipeline
from kg.annotation import authority_path
from kg.errors import AnnotationError
from kg.formats import rdf_syntax
from kg.namespaces import IRIs
from kg.store import Store, open_store
from tests.conftest import BUILT_AT, SEED, SEED_ID, TEST_ARTICLES, articles_root

SECOND = "test-second-article"


@pytest.fixture
def two_articles(tmp_path: Path) -> Path:
    """An articles root with the seed and the small second article, sharing one authority."""
    return articles_root(tmp_path / "articles", authority_path(TEST_ARTICLES), SEED, TEST_ARTICLES / SECOND)


def graphs_of(store: Store, names: list[str]) -> dict[str, Graph]:
    return {n: Graph().parse(data=store.export(rdf_syntax("ntriples"), [n]), format="nt") for n in names}


def test_two_builds_give_isomorphic_datasets(two_articles: Path, tmp_path: Path, iris: IRIs) -> None:
    folders = [two_articles / SEED_ID, two_articles / SECOND]
    stores = [open_store(tmp_path / f"store{i}") for i in range(2)]
    for store in stores:
        pipeline.build(folders, store, iris, BUILT_AT)
    first, second = (graphs_of(s, s.graph_names()) for s in stores)
    assert sorted(first) == sorted(second)
    assert len(first) == 9
    assert all(isomorphic(first[name], second[name]) for name in first)


def test_rebuilding_one_article_leaves_the_others_untouched(two_articles: Path, tmp_path: Path, iris: IRIs) -> None:
    store = open_store(tmp_path / "store")
    pipeline.build([two_articles / SEED_ID, two_articles / SECOND], store, iris, BUILT_AT)
    seed_names = [str(n) for n in iris.article_graphs(SEED_ID)]
    second_names = [str(n) for n in iris.article_graphs(SECOND)]
    seed_before, second_before = graphs_of(store, seed_names), graphs_of(store, second_names)

    annotation = two_articles / SECOND / "annotation.yaml"
    data = annotation.read_text(encoding="utf-8")
    label = next(line for line in data.splitlines() if line.strip().startswith("label:"))
    annotation.write_text(data.replace(label, label.rstrip().rstrip('"') + ' (revised)"', 1), encoding="utf-8")
    pipeline.build([two_articles / SECOND], store, iris, BUILT_AT)

    seed_after, second_after = graphs_of(store, seed_names), graphs_of(store, second_names)
    assert all(isomorphic(seed_before[n], seed_after[n]) for n in seed_names)
    assert not isomorphic(second_before[second_names[0]], second_after[second_names[0]])


def test_a_refused_article_stops_the_whole_build_before_any_write(
    two_articles: Path, tmp_path: Path, iris: IRIs
) -> None:
    store = open_store(tmp_path / "store")
    annotation = two_articles / SECOND / "annotation.yaml"
    annotation.write_text(annotation.read_text(encoding="utf-8") + "\nunknown_section: 1\n", encoding="utf-8")
    with pytest.raises(AnnotationError, match="unknown_section"):
        pipeline.build([two_articles / SEED_ID, two_articles / SECOND], store, iris, BUILT_AT)
    assert len(store) == 0
    assert store.graph_names() == []
