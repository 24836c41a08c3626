"""Where requests run: reads in the server process's threads, writes in one writer process.

pyoxigraph cannot cancel a running query, so a hard time limit needs a process to stop.
Each server process (kg/server/supervisor.py) answers reads in its own threads over a
read-only view of the store (:class:`Readers`); pyoxigraph releases the GIL while it
evaluates, so the event loop keeps serving meanwhile. A read that overruns its time is
answered 503 and its process *retires*: it stops taking connections, finishes what it has,
and exits, which stops the runaway query; the supervisor has started a replacement by then.

Writes go to the one writer process, which holds the store read-write, over a Unix socket
(:class:`WriterClient`, :func:`writer_main`); one that overruns is stopped by killing the
writer, which the supervisor restarts. After every write the writer bumps a shared
generation number; a server process that sees it change reopens its view before its next read.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from multiprocessing.connection import Client, Connection, Listener, wait
from multiprocessing.sharedctypes import Synchronized, SynchronizedArray
from pathlib import Path
from typing import Any, TypeAlias

from kg.errors import (
    KGError,
    NotConformingError,
    QueryError,
    QueryRefusedError,
    QueryTimeoutError,
    ResultTooLargeError,
    StoreError,
)
from kg.server.metrics import Metrics
from kg.settings import Settings
from kg.store import is_remote

_CTX = multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class Outcome:
    """A finished HTTP response, made in a worker."""

    status: int
    media_type: str | None = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    refusal: str | None = None
    """Why the request was refused, for metrics (``service``, ``non_local_graph``…)."""


def error_outcome(status: int, error: str, message: str, refusal: str | None = None) -> Outcome:
    body = json.dumps({"error": error, "message": message}).encode()
    return Outcome(status, "application/json", body, refusal=refusal)


def outcome_of(err: KGError) -> Outcome:
    """The one table from kg errors to HTTP responses; internal details never leak."""
    if isinstance(err, QueryRefusedError):
        return error_outcome(403, "Refused", str(err), refusal=err.reason)
    if isinstance(err, ResultTooLargeError):
        return error_outcome(400, "ResultTooLarge", str(err), refusal="result_too_large")
    if isinstance(err, QueryError):
        return error_outcome(400, "MalformedQuery", str(err))
    if isinstance(err, NotConformingError):
        return error_outcome(422, "NotConforming", err.report.text(), refusal="not_conforming")
    if isinstance(err, QueryTimeoutError):
        return error_outcome(503, "Timeout", str(err))
    if isinstance(err, StoreError):
        return error_outcome(503, "Unavailable", "the store could not answer this request")
    return error_outcome(500, "InternalError", "the server could not answer this request")


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker process needs to open the store and shape its answers (picklable)."""

    store: str
    base_iri: str
    prefixes: dict[str, str]
    max_result_bytes: int
    articles: str = "articles"
    """The articles root, whose authority file articles sent to ``POST /articles`` are built against."""


def worker_config(settings: Settings) -> WorkerConfig:
    from kg.namespaces import IRIs

    prefixes = IRIs(settings.base_iri).prefixes()
    return WorkerConfig(
        str(settings.store), settings.base_iri, prefixes, settings.max_result_bytes, str(settings.articles)
    )


def open_view(config: WorkerConfig, writable: bool) -> Any:
    """The store, read-write for the writer or a read-only view for readers.

    A read-only open reads the writer's file list; a compaction can delete a file between the
    two (RocksDB "Corruption: … No such file"). The next attempt sees the new list.
    """
    from kg.store import open_store

    for attempt in range(20):
        try:
            return open_store(config.store, read_only=not writable, prefixes=config.prefixes, base_iri=config.base_iri)
        except (RuntimeError, OSError, StoreError):
            if writable or attempt == 19:
                raise
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


def _answer(
    store: Any, config: WorkerConfig, op: str, args: dict[str, Any], reopen: Callable[[], Any] | None = None
) -> Outcome:
    """Run one operation to its response; with ``reopen``, once more on a new view if the store failed."""
    from kg.server import operations

    try:
        try:
            return operations.run(op, store, config, args)
        except (StoreError, RuntimeError, OSError):
            if reopen is None:
                raise
            return operations.run(op, reopen(), config, args)
    except KGError as err:
        return outcome_of(err)
    except Exception:  # never an internal detail to the client
        return error_outcome(500, "InternalError", "the server could not answer this request")


class BusyError(Exception):
    """The cap on queries running or waiting at once is reached."""


class Readers:
    """Reads in this process: a thread each over a shared read-only view of the store.

    ``in_flight`` counts reads across every server process, one slot each (``slot`` is this
    process's, which the supervisor clears when the process is gone); past ``cap`` a read is refused
    (BusyError). ``on_timeout`` is called when a read overruns: the process must retire;
    ``on_open`` with each view this process opens (at start, and after each write).
    """

    def __init__(
        self,
        config: WorkerConfig,
        generation: Synchronized[int],
        in_flight: InFlight,
        slot: int,
        cap: int,
        on_timeout: Callable[[], None],
        on_open: Callable[[Any], None] = lambda store: None,
    ) -> None:
        self.config, self.generation, self.in_flight, self.cap = config, generation, in_flight, cap
        self.slot = slot
        self.on_timeout, self.on_open = on_timeout, on_open
        self.executor = ThreadPoolExecutor(cap, thread_name_prefix="kg-read")
        self.store: Any = None
        self.seen = -1
        self.reopening = asyncio.Lock()

    async def start(self) -> None:
        await self._view()

    async def _view(self) -> Any:
        if self._generation() != self.seen:
            async with self.reopening:
                if self._generation() != self.seen:
                    seen = self._generation()
                    loop = asyncio.get_running_loop()
                    self.store = await loop.run_in_executor(self.executor, open_view, self.config, False)
                    self.seen = seen
                    self.on_open(self.store)
        return self.store

    def _generation(self) -> int:
        # read without the lock: a process that died holding it must not stop every reader
        value: int = self.generation.get_obj().value
        return value

    @contextmanager
    def _admitted(self) -> Iterator[None]:
        counts = self.in_flight
        with counts.get_lock():
            if sum(counts.get_obj()) >= self.cap:
                raise BusyError
            counts[self.slot] += 1
        try:
            yield
        finally:
            with counts.get_lock():
                counts[self.slot] -= 1

    def _reopen(self) -> Any:
        # A read-only view can lose files the writer compacts away after it opened: answer from
        # a view of the current files (the old view closes when its last reader ends).
        self.seen = -1
        return open_view(self.config, False)

    def _run(self, store: Any, op: str, args: dict[str, Any]) -> Outcome:
        # only the embedded store's read-only view can lose files; a remote engine's errors are its own
        reopen = None if is_remote(self.config.store) else self._reopen
        return _answer(store, self.config, op, args, reopen=reopen)

    async def call(self, op: str, args: dict[str, Any], timeout: float) -> Outcome:
        with self._admitted():
            store = await self._view()
            work = asyncio.get_running_loop().run_in_executor(self.executor, self._run, store, op, args)
            try:
                return await asyncio.wait_for(work, timeout)
            except TimeoutError:
                self.on_timeout()
                raise QueryTimeoutError(f"stopped after {timeout:g} s (KG_QUERY_TIMEOUT)") from None

    def stop(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


@dataclass(frozen=True)
class WriterAddress:
    """Where the writer process listens (a Unix socket in a private folder) and its key."""

    path: str
    authkey: bytes


def writer_main(
    address: WriterAddress,
    config: WorkerConfig,
    generation: Synchronized[int],
    deadline: Synchronized[float],
    limit: float,
    ready: Connection,
) -> None:
    """The writer process: open the store read-write, then answer one write at a time.

    While a write runs, ``deadline`` holds the time (``time.time()``) by which it must be done,
    ``limit`` seconds after it started; the supervisor kills the writer past it, whether or not
    the server process that asked is still there to do so. After every write, answered or not,
    ``generation`` is bumped: readers reopen their views rather than miss a commit.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor decides when we stop

    def stop(*_: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    follow_the_supervisor()
    store = open_view(config, writable=True)
    _bump(generation)  # opening may have recovered writes that no reader has seen
    try:
        Path(address.path).unlink(missing_ok=True)
        with Listener(address.path, family="AF_UNIX", authkey=address.authkey) as listener:
            ready.send(os.getpid())
            ready.close()
            while True:
                try:
                    conn = listener.accept()
                except (OSError, EOFError, multiprocessing.AuthenticationError):
                    continue
                with conn:
                    try:
                        if not conn.poll(WriterClient.STARTING):
                            continue  # a caller that never says what it wants does not hold the writer
                        op, args = conn.recv()
                        deadline.value = time.time() + limit
                        conn.send(os.getpid())  # started: the caller's time limit runs from here
                    except (EOFError, OSError):
                        deadline.value = 0.0
                        continue
                    try:
                        outcome = _answer(store, config, op, args)
                    finally:
                        deadline.value = 0.0
                        _bump(generation)
                    with suppress(OSError):  # the caller went away; the write stands
                        conn.send(outcome)
    finally:
        store.close()


def follow_the_supervisor() -> None:
    """In a child: exit when the supervisor is gone (killed, say), rather than serve on alone."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="kg-follow", daemon=True).start()


def _bump(generation: Synchronized[int]) -> None:
    with generation.get_lock():
        generation.value += 1


class WriterClient:
    """A server process's way to the writer: one connection per write."""

    STARTING = 60.0
    """Seconds to wait for a writer that is (re)starting, on top of the write's own limit."""

    def __init__(self, address: WriterAddress) -> None:
        self.address = address

    def _connect(self) -> Connection:
        deadline = time.monotonic() + self.STARTING
        while True:
            try:
                return Client(self.address.path, family="AF_UNIX", authkey=self.address.authkey)
            except (OSError, EOFError):  # not there yet, restarting, or reset as it was killed
                if time.monotonic() > deadline:
                    raise StoreError("the writer process is not answering") from None
                time.sleep(0.05)

    def _call(self, op: str, args: dict[str, Any], timeout: float) -> Outcome:
        try:
            with self._connect() as conn:
                conn.send((op, args))
                pid: int = conn.recv()  # waits while the writer finishes earlier writes (each bounded)
                if not conn.poll(timeout):
                    with suppress(OSError):
                        os.kill(pid, signal.SIGKILL)  # the supervisor starts a new writer
                    raise QueryTimeoutError(f"stopped after {timeout:g} s (KG_UPDATE_TIMEOUT)")
                outcome: Outcome = conn.recv()
                return outcome
        except (EOFError, OSError):
            raise StoreError("the writer process failed") from None

    async def call(self, op: str, args: dict[str, Any], timeout: float) -> Outcome:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self._call, op, args, timeout)


SLOTS = 2 * 64 + 8
"""Read counters: enough for KG_QUERY_WORKERS (64 at most) retiring while as many replace them."""

InFlight: TypeAlias = "SynchronizedArray[int]"


@dataclass(frozen=True)
class Shared:
    """What every process of one server shares, made by the supervisor and handed to each at its start."""

    generation: Synchronized[int]
    """Bumped by the writer after each write: readers reopen their view when it changes."""
    write_deadline: Synchronized[float]
    """When the running write must be done (time.time()), 0 when none runs: the supervisor's watch."""
    in_flight: InFlight
    """Reads running, per server process (a slot each, :data:`SLOTS`)."""
    metrics: Metrics
    writer: WriterAddress | None
    """None when writes are disabled (no KG_UPDATE_TOKEN)."""

    @classmethod
    def new(cls, writer: WriterAddress | None) -> Shared:
        ctx = multiprocessing.get_context("spawn")
        generation: Synchronized[int] = ctx.Value("q", 0)
        deadline: Synchronized[float] = ctx.Value("d", 0.0)
        in_flight: InFlight = ctx.Array("q", SLOTS)
        return cls(generation, deadline, in_flight, Metrics(), writer)

    def reads(self) -> int:
        """Reads running now, in every server process."""
        with self.in_flight.get_lock():
            return sum(self.in_flight.get_obj())
