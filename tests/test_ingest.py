"""kg.ingest and `kg ingest`: each article stored whole in its own transaction, unchanged ones
skipped, bad ones refused without stopping the others, and `kill -9` at any moment leaves every
article wholly present or absent."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from kg import pipeline
from kg.annotation import authority_path
from kg.formats import rdf_syntax
from kg.ingest import Event, ingest, stored_digests
from kg.namespaces import DEFAULT_BASE as BASE
from kg.namespaces import IRIs
from kg.server.workers import WorkerConfig, open_view
from kg.store import Store, open_store
from tests.conftest import BUILT_AT, TEST_ARTICLES, articles_root
from tests.serving import clean_env, kg_command

SMALL = TEST_ARTICLES / "test-second-article"
"""A small article (one event): its builds take a fraction of the seed's."""


def copies(target: Path, count: int) -> Path:
    """An articles root holding ``count`` copies of the small article, ids ``copy-1``…"""
    root = articles_root(target, authority_path(TEST_ARTICLES))
    text = (SMALL / "annotation.yaml").read_text(encoding="utf-8")
    for i in range(1, count + 1):
        folder = root / f"copy-{i}"
        folder.mkdir()
        (folder / "text.txt").write_bytes((SMALL / "text.txt").read_bytes())
        (folder / "annotation.yaml").write_text(text.replace("id: test-second-article", f"id: copy-{i}", 1))
    return root


def folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir())


def quads(store: Store) -> frozenset[str]:
    return frozenset(store.export(rdf_syntax("nquads")).decode().splitlines())


def graphs_of(store: Store, article_id: str, iris: IRIs) -> list[bool]:
    return [store.has_graph(name) for name in iris.article_graphs(article_id)]


def relabel(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- the library -----------------------------------------------------------------------------------


def test_an_ingest_stores_what_a_build_stores_and_a_second_run_skips_it(tmp_path: Path, iris: IRIs) -> None:
    root = copies(tmp_path / "articles", 3)
    store = open_store(tmp_path / "store")
    seen: list[Event] = []
    summary = ingest(folders(root), store, iris, BUILT_AT, workers=1, on_event=seen.append)
    assert (summary.authority_stored, summary.stored, summary.unchanged, summary.refused) == (True, 3, 0, [])
    assert sorted((e.kind, e.name) for e in seen) == [("stored", f"copy-{i}") for i in (1, 2, 3)]
    built = open_store(tmp_path / "built")
    pipeline.build(folders(root), built, iris, BUILT_AT)
    assert quads(store) == quads(built)  # the same graphs as one kg build of the same articles

    again = ingest(folders(root), store, iris, BUILT_AT, workers=1)
    assert (again.authority_stored, again.stored, again.unchanged) == (False, 0, 3)
    assert quads(store) == quads(built)
    digests = stored_digests(store)
    assert len(digests) == 4 and all(re.fullmatch("[0-9a-f]{64}", d) for d in digests.values())


def test_a_changed_article_is_replaced_and_the_others_are_skipped(tmp_path: Path, iris: IRIs) -> None:
    root = copies(tmp_path / "articles", 3)
    store = open_store(tmp_path / "store")
    ingest(folders(root), store, iris, BUILT_AT, workers=1)
    before = quads(store)
    relabel(root / "copy-2" / "annotation.yaml", "(fictional)", "(fictional, revised)")
    summary = ingest(folders(root), store, iris, BUILT_AT, workers=1)
    assert (summary.stored, summary.unchanged) == (1, 2)
    changed = before ^ quads(store)
    assert changed and all("copy-2" in line for line in changed)


def test_a_changed_authority_rebuilds_every_article(tmp_path: Path, iris: IRIs) -> None:
    root = copies(tmp_path / "articles", 2)
    store = open_store(tmp_path / "store")
    ingest(folders(root), store, iris, BUILT_AT, workers=1)
    relabel(authority_path(root), "name: Sergey Shoigu", "name: Sergei Shoigu")
    summary = ingest(folders(root), store, iris, BUILT_AT, workers=1)
    assert (summary.authority_stored, summary.stored, summary.unchanged) == (True, 2, 0)


def test_bad_articles_are_refused_with_the_reason_and_the_others_are_stored(tmp_path: Path, iris: IRIs) -> None:
    root = copies(tmp_path / "articles", 2)
    (root / "broken").mkdir()
    (root / "broken" / "annotation.yaml").write_text("article:\n  id: broken\n  language: [en\n", encoding="utf-8")
    twin = root / "twin"  # a second folder with the id of copy-1
    twin.mkdir()
    for name in ("text.txt", "annotation.yaml"):
        (twin / name).write_bytes((root / "copy-1" / name).read_bytes())
    relabel(twin / "annotation.yaml", "(fictional)", "(fictional twin)")
    store = open_store(tmp_path / "store")
    summary = ingest(folders(root), store, iris, BUILT_AT, workers=1)
    assert summary.stored == 2
    reasons = {e.name: e.detail for e in summary.refused}
    assert set(reasons) == {"broken", "copy-1"}, reasons
    assert "broken/annotation.yaml: line 4, column 1: malformed YAML" in reasons["broken"]
    assert "used twice" in reasons["copy-1"]
    assert graphs_of(store, "copy-1", iris) == [True, True, True]
    assert not any(graphs_of(store, "broken", iris))


def test_two_workers_store_the_same_as_one(tmp_path: Path, iris: IRIs) -> None:
    root = copies(tmp_path / "articles", 4)
    one, two = open_store(tmp_path / "one"), open_store(tmp_path / "two")
    ingest(folders(root), one, iris, BUILT_AT, workers=1)
    summary = ingest(folders(root), two, iris, BUILT_AT, workers=2)
    assert summary.stored == 4
    assert quads(one) == quads(two)


# --- the command, and kill -9 ------------------------------------------------------------------------


def run_ingest(root: Path, store: Path, **kwargs: object) -> subprocess.Popen[bytes]:
    env = clean_env()
    env["SOURCE_DATE_EPOCH"] = str(int(BUILT_AT.timestamp()))  # the same graphs every run
    return subprocess.Popen(
        [*kg_command(), "ingest", str(root), "--store", str(store), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,  # type: ignore[call-overload]
    )


def test_kg_ingest_reports_its_progress_and_summary_and_exits_1_on_a_refusal(tmp_path: Path) -> None:
    root = copies(tmp_path / "articles", 3)
    (root / "broken").mkdir()
    (root / "broken" / "annotation.yaml").write_text("article: {}\n", encoding="utf-8")
    process = run_ingest(root, tmp_path / "store")
    _, err = process.communicate(timeout=300)
    text = err.decode()
    assert process.returncode == 1, text
    assert "refused broken:" in text and "article.id: Field required" in text
    assert "authority stored; 3 article(s) stored, 0 unchanged, 1 refused" in text
    assert "articles/s" in text


def whole_or_absent(location: Path, ids: list[str], expected: dict[str, frozenset[str]], beside: bool = False) -> int:
    """Check a store's articles are each wholly there (exactly as built) or wholly absent; the number there.
    ``beside``: read-only, beside a running ingest (retrying a compaction race, as the server does);
    else read-write, as the next ingest opens it."""
    config = WorkerConfig(str(location), BASE, {}, 1 << 30)
    store = open_view(config, writable=False) if beside else open_store(location)
    try:
        present = 0
        everything = quads(store)
        for article_id in ids:
            lines = frozenset(line for line in everything if f"/{article_id}/" in line.split(" ")[-2])
            assert lines in (frozenset(), expected[article_id]), f"{article_id}: {len(lines)} quads"
            present += bool(lines)
        return present
    finally:
        store.close()


@pytest.mark.slow
def test_kill_9_at_any_moment_leaves_each_article_whole_or_absent(tmp_path: Path, iris: IRIs) -> None:
    count = 8
    root = copies(tmp_path / "articles", count)
    ids = [f"copy-{i}" for i in range(1, count + 1)]
    reference = tmp_path / "reference"
    started = time.monotonic()
    finished = run_ingest(root, reference)
    assert finished.communicate(timeout=300) and finished.returncode == 0
    whole_run = time.monotonic() - started  # kills are spread over a run's length, not a test of speed
    store = open_store(reference, read_only=True)
    everything = quads(store)
    store.close()
    expected = {i: frozenset(line for line in everything if f"/{i}/" in line.split(" ")[-2]) for i in ids}
    assert all(expected.values())

    location, rng, present = tmp_path / "store", random.Random(20151021), []
    for _ in range(20):
        if present and present[-1] == count:
            shutil.rmtree(location)  # all done: start again, so that the next kill has work to stop
        process = run_ingest(root, location, start_new_session=True)
        started, moment = time.monotonic(), rng.uniform(0.1, whole_run)
        while time.monotonic() - started < moment and process.poll() is None:
            if (location / "CURRENT").exists():  # a reader beside the ingest sees whole articles only
                whole_or_absent(location, ids, expected, beside=True)
            time.sleep(0.05)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)  # the command and its worker processes, at once
        process.communicate(timeout=60)
        present.append(whole_or_absent(location, ids, expected))
    finishing = run_ingest(root, location)
    assert finishing.communicate(timeout=300) and finishing.returncode == 0
    assert whole_or_absent(location, ids, expected) == count  # and re-running completes the job
    print(f"\n[kg ingest] articles present after each of 20 kill -9: {present}")
