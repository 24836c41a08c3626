"""Bulk ingest: many articles, each built and stored in a transaction of its own.

``kg build`` stores everything it was given at once, or nothing. An ingest is for many
articles, where one bad article must not stop the others and a stopped run must not have
to start again:

- the authority is built first and stored if it changed;
- each article is loaded, mapped, inferred and gated (in ``workers`` processes), then its
  three graphs (asserted, inferred, provenance) replace its old ones in one transaction:
  whenever the run stops, even by ``kill -9``, an article is in the store wholly or not at all;
- an article whose *input digest* (its annotation, its text, the authority, kg's version:
  ``kgo:inputDigest`` in its provenance) is the one stored is skipped, so re-running
  completes a stopped run and a changed authority rebuilds every article;
- an article that fails to load or to pass the gate is refused, with the reason, and the
  others go on.

Articles already in the store and absent from the run are left as they are.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from kg.errors import InputError, NotConformingError
from kg.namespaces import KGO, IRIs
from kg.pipeline import (
    AuthoritySource,
    Built,
    article_digest,
    authority_of,
    build_article,
    build_authority,
    load,
    load_authority_source,
)
from kg.store import Payload, Store

Kind = Literal["stored", "unchanged", "refused"]

FLUSH_EVERY = 200
"""Articles stored between two flushes of the store: bounds the memory the store keeps for them
(about 2 MB an article on the embedded store) at some 0.8 GB."""


@dataclass(frozen=True)
class Event:
    """What became of one article."""

    kind: Kind
    name: str
    """The article's id, or its folder's name when it could not be loaded."""
    detail: str = ""
    """Why it was refused (the SHACL report or the input error), or what was stored."""
    cause: Literal["", "input", "shapes"] = ""
    """What refused it: its input (unreadable, invalid, a clash) or the SHACL gate."""


@dataclass
class Summary:
    authority_stored: bool = False
    stored: int = 0
    unchanged: int = 0
    refused: list[Event] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.stored + self.unchanged + len(self.refused)

    def text(self) -> str:
        rate = self.total / self.seconds if self.seconds > 0 else 0.0
        authority = "authority stored; " if self.authority_stored else ""
        return (
            f"{authority}{self.stored} article(s) stored, {self.unchanged} unchanged, {len(self.refused)} refused, "
            f"in {self.seconds:.1f} s ({rate:.1f} articles/s)"
        )


def stored_digests(store: Store) -> dict[str, str]:
    """The input digest of every build in the store, by the name of its provenance graph."""
    result = store.query(f"SELECT ?g ?d WHERE {{ GRAPH ?g {{ ?build <{KGO.inputDigest}> ?d }} }}")
    out = {}
    for graph, digest in result.rows():
        if graph is not None and digest is not None:
            out[graph.strip("<>")] = digest.split('"')[1]
    return out


# --- one article, in a worker process or in this one --------------------------------------------


@dataclass(frozen=True)
class _Context:
    source: AuthoritySource
    authority: Built
    base_iri: str
    built_at: datetime
    digests: dict[str, str]


@dataclass(frozen=True)
class _Ready:
    """An article that passed the gate, its graphs written out for the store (by the worker)."""

    name: str
    payload: Payload


_CONTEXT: list[_Context] = []


def _start(context: _Context) -> None:
    _CONTEXT[:] = [context]


def _one(folder: Path) -> _Ready | Event:
    """Build the article in ``folder`` unless its stored build has the digest it would have."""
    context = _CONTEXT[0]
    iris = IRIs(context.base_iri)
    try:
        article = load(folder, context.source)
        record = str(iris.article_graphs(article.id)[2])
        if context.digests.get(record) == article_digest(article, context.authority):
            return Event("unchanged", article.id)
        built = build_article(article, iris, context.built_at, context.authority)
        return _Ready(built.name, Payload.of(built.graphs()))
    except NotConformingError as err:
        return Event("refused", err.article_id, err.report.text(), "shapes")
    except InputError as err:
        return Event("refused", folder.name, str(err), "input")
    except (ValueError, OSError) as err:  # an input nothing above foresaw: this article only
        return Event("refused", folder.name, f"{folder}: cannot be read: {err}", "input")


def _results(context: _Context, folders: Sequence[Path], workers: int) -> Iterator[_Ready | Event]:
    """Each folder's build or event, as they are done (in order with one worker)."""
    if workers <= 1 or len(folders) <= 1:
        _start(context)
        for folder in folders:
            yield _one(folder)
        return
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=spawn, initializer=_start, initargs=(context,)) as pool:
        waiting: set[Future[_Ready | Event]] = set()
        queue = iter(folders)
        for folder in queue:  # a few ahead per worker, not all at once: results are large
            waiting.add(pool.submit(_one, folder))
            if len(waiting) >= 2 * workers:
                break
        while waiting:
            done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
                following = next(queue, None)
                if following is not None:
                    waiting.add(pool.submit(_one, following))


def ingest(
    folders: Sequence[Path],
    store: Store,
    iris: IRIs,
    built_at: datetime,
    authority_file: Path | None = None,
    workers: int = 2,
    on_event: Callable[[Event], None] = lambda _: None,
) -> Summary:
    """Ingest ``folders`` into ``store`` (see the module). An authority that fails to load or
    to pass the gate stops the run before anything is written (InputError, NotConformingError)."""
    started = time.perf_counter()
    summary = Summary()
    source = load_authority_source(authority_of(folders, authority_file))
    authority = build_authority(source, iris, built_at)
    digests = stored_digests(store)
    if digests.get(str(authority.names[2])) != authority.digest:
        store.replace_graphs(authority.graphs())
        summary.authority_stored = True
    context = _Context(source, authority, iris.base, built_at, digests)
    seen: set[str] = set()
    for result in _results(context, folders, workers):
        if isinstance(result, _Ready):
            if result.name in seen:
                event = Event(
                    "refused", result.name, f"the article id {result.name!r} is used twice in this run", "input"
                )
            else:
                store.replace_graphs(result.payload)
                event = Event("stored", result.name, f"{len(result.payload)} triples")
        else:
            event = result
        if event.kind != "refused":
            seen.add(event.name)
        if event.kind == "stored":
            summary.stored += 1
            if summary.stored % FLUSH_EVERY == 0:
                store.flush()
        elif event.kind == "unchanged":
            summary.unchanged += 1
        else:
            summary.refused.append(event)
        on_event(event)
    store.flush()
    summary.seconds = time.perf_counter() - started
    return summary
