"""kg.synthetic: generated articles are reproducible, load with the real loader, pass the real
gate without a finding, and are like the seed in shape and size."""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import __version__, pipeline, synthetic
from kg.annotation import SLUG, Annotation, Article, authority_path, find_articles, iter_spans
from kg.mapper import map_article
from kg.namespaces import KGO, RDF, IRIs
from kg.pipeline import Built
from tests.conftest import BUILT_AT

ARTICLES_PER_SEED = {0: 2, 1: 2, 2: 1}  # building is ~1-2 s an article: keep the batch small


@dataclass(frozen=True)
class Generated:
    article: Article
    built: Built


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory, iris: IRIs) -> list[Generated]:
    """Articles of several seeds, each loaded and built against its own built authority.
    Module-scoped because building is the slow part; the tests only read them."""
    out = []
    for seed, count in ARTICLES_PER_SEED.items():
        root = tmp_path_factory.mktemp(f"seed-{seed}") / "articles"
        folders = synthetic.generate(root, count, seed)
        source = pipeline.load_authority_source(authority_path(root))
        authority = pipeline.build_authority(source, iris, BUILT_AT)
        for folder in folders:
            article = pipeline.load(folder, source)
            out.append(Generated(article, pipeline.build_article(article, iris, BUILT_AT, authority)))
    return out


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def precision(value: str | None) -> int:
    return len(value or "")


def check_shape(annotation: Annotation) -> None:
    """What every generated article has, whatever its seed."""
    factualities = {(e.factuality.modality, e.factuality.polarity) for e in annotation.events}
    assert ("planned", "positive") in factualities
    assert ("planned", "negative") in factualities
    assert ("to_be_prevented", "positive") in factualities
    assert any(s.kind == "direct_quote" for s in annotation.statements)
    assert any(q.lower_bound is not None for q in annotation.quantities)
    assert any(q.vague is not None for q in annotation.quantities)
    assert {max(precision(t.begin), precision(t.end)) for t in annotation.times.values()} >= {4, 10}


# --- reproducible --------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    first = synthetic.generate(tmp_path / "a", 3, seed=5)
    second = synthetic.generate(tmp_path / "b", 3, seed=5)
    assert [f.name for f in first] == [f.name for f in second]
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert len(files(tmp_path / "a")) == 1 + 2 * 3


def test_another_seed_gives_other_articles(tmp_path: Path) -> None:
    synthetic.generate(tmp_path / "a", 3, seed=5)
    synthetic.generate(tmp_path / "b", 3, seed=6)
    assert authority_path(tmp_path / "a").read_bytes() != authority_path(tmp_path / "b").read_bytes()
    texts = [{p.read_text(encoding="utf-8") for p in (tmp_path / r).glob("*/text.txt")} for r in ("a", "b")]
    assert len(texts[0]) == len(texts[1]) == 3
    assert not texts[0] & texts[1]


def test_an_article_does_not_depend_on_how_many_are_generated(tmp_path: Path) -> None:
    one = synthetic.generate(tmp_path / "one", 1, seed=3)
    three = synthetic.generate(tmp_path / "three", 3, seed=3)
    assert files(one[0]) == files(three[0])
    assert authority_path(tmp_path / "one").read_bytes() == authority_path(tmp_path / "three").read_bytes()


def test_folders_are_the_articles_ids_unique_and_found_by_the_loader(tmp_path: Path) -> None:
    folders = synthetic.generate(tmp_path / "articles", 4, seed=9)
    assert find_articles(tmp_path / "articles") == folders
    assert len({f.name for f in folders}) == 4
    assert all(re.fullmatch(SLUG, f.name) for f in folders)


@pytest.mark.parametrize(("count", "seed"), [(-1, 0), (1, -1)])
def test_a_negative_count_or_seed_is_refused(tmp_path: Path, count: int, seed: int) -> None:
    with pytest.raises(ValueError, match="non-negative"):
        synthetic.generate(tmp_path / "articles", count, seed)
    assert not (tmp_path / "articles").exists()


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_any_seed_gives_articles_the_real_loader_accepts(seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "articles"
        folders = synthetic.generate(root, 1, seed)
        source = pipeline.load_authority_source(authority_path(root))
        for folder in folders:
            article = pipeline.load(folder, source)
            assert article.id == folder.name
            for _, span in iter_spans(article.annotation):
                assert article.text[span.start : span.end] == span.text
            check_shape(article.annotation)


# --- through the real pipeline ---------------------------------------------------------------------


def test_every_span_reproduces_its_surface(batch: list[Generated]) -> None:
    for item in batch:
        spans = [span for _, span in iter_spans(item.article.annotation)]
        assert len(spans) > 100
        assert all(item.article.text[s.start : s.end] == s.text for s in spans)


def test_every_article_passes_the_gate_without_a_finding(batch: list[Generated]) -> None:
    assert len(batch) == sum(ARTICLES_PER_SEED.values())
    for item in batch:
        assert item.built.report.conforms
        assert not item.built.report.findings, item.built.report.text()
        assert len(item.built.inferred) > 0


def test_articles_vary_as_the_seed_does(batch: list[Generated]) -> None:
    annotations = [item.article.annotation for item in batch]
    for annotation in annotations:
        check_shape(annotation)
    types = Counter(e.type for a in annotations for e in a.events)
    assert len(types) >= 9
    assert len({len(a.events) for a in annotations}) > 1
    assert len({a.article.publisher for a in annotations}) > 1
    roles = {p.role for a in annotations for e in a.events for p in e.participants}
    assert len(roles) >= 9
    precisions = {max(precision(t.begin), precision(t.end)) for a in annotations for t in a.times.values()}
    assert precisions == {4, 7, 10}
    assert any(q.value is not None for a in annotations for q in a.quantities)
    assert {"possible", "probable"} <= {e.factuality.certainty for a in annotations for e in a.events}


def test_the_built_graphs_say_what_the_annotations_do(batch: list[Generated]) -> None:
    for item in batch:
        asserted, closure = item.built.asserted, item.built.asserted + item.built.inferred
        assert (None, RDF.type, KGO.DirectQuote) in asserted
        assert (None, KGO.vagueAmount, None) in asserted
        assert (None, KGO.exclusiveMinimum, None) in asserted or (None, KGO.inclusiveMinimum, None) in asserted
        assert (None, RDF.type, KGO.PlannedEvent) in closure
        assert (None, RDF.type, KGO.NegatedEvent) in closure


def test_an_article_is_the_size_of_the_seed(batch: list[Generated], seed_article: Article, iris: IRIs) -> None:
    seed = len(map_article(seed_article, iris, BUILT_AT, __version__).asserted)  # what build_article asserts
    sizes = [len(item.built.asserted) for item in batch]
    assert all(seed / 3 <= size <= seed * 3 for size in sizes), (seed, sizes)
    assert len(set(sizes)) > 1
