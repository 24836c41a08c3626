"""Queries and writes run in worker processes, so that one can be stopped.

pyoxigraph cannot cancel a running query, so a hard time limit needs a process to kill.
Readers each hold a read-only view of the store; one writer holds it read-write. A
request is pickled to a worker over a pipe and answered with an :class:`Outcome`, the
finished HTTP response. When a worker overruns its time it is killed and replaced, and
the others keep serving. After every write the writer bumps a shared generation
number; a reader that sees it change reopens its view before the next request.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import Any

import anyio

from kg.errors import (
    KGError,
    NotConformingError,
    QueryError,
    QueryRefusedError,
    QueryTimeoutError,
    ResultTooLargeError,
    StoreError,
)

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


Handler = Callable[..., Outcome]


def _serve(conn: Connection, config: WorkerConfig, generation: Synchronized[int], writable: bool) -> None:
    """A worker's loop: open the store, answer requests until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    from kg.server import operations
    from kg.store import open_store

    def opened() -> Any:
        # A read-only open reads the writer's file list; a compaction can delete a file between
        # the two (RocksDB "Corruption: … No such file"). The next attempt sees the new list.
        for attempt in range(20):
            try:
                return open_store(Path(config.store), read_only=not writable, prefixes=config.prefixes)
            except (RuntimeError, OSError, StoreError):
                if writable or attempt == 19:
                    raise
                time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    store, seen = opened(), generation.value
    while True:
        try:
            op, args = conn.recv()
        except (EOFError, OSError):
            return
        if not writable and generation.value != seen:
            store.close()
            store, seen = opened(), generation.value
        try:
            try:
                outcome = operations.run(op, store, config, args)
            except (StoreError, RuntimeError, OSError):
                if writable:
                    raise
                # A read-only view can lose files the writer compacts away after it opened
                # (RocksDB "Corruption: … No such file"): reopen on the current files, once.
                store.close()
                store, seen = opened(), generation.value
                outcome = operations.run(op, store, config, args)
            if writable and 200 <= outcome.status < 300 and op != "noop":
                with generation.get_lock():
                    generation.value += 1
        except KGError as err:
            outcome = outcome_of(err)
        except Exception:  # a worker must answer; the parent logs nothing internal to clients
            outcome = error_outcome(500, "InternalError", "the server could not answer this request")
        conn.send(outcome)


class Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, config: WorkerConfig, generation: Synchronized[int], writable: bool) -> None:
        self.conn, child = _CTX.Pipe()
        self.process: BaseProcess = _CTX.Process(
            target=_serve, args=(child, config, generation, writable), daemon=True, name="kg-worker"
        )
        self.process.start()
        child.close()

    def call(self, op: str, args: dict[str, Any], timeout: float) -> Outcome:
        """Send one request and wait for its answer; TimeoutError when it takes too long."""
        self.conn.send((op, args))
        if not self.conn.poll(timeout):
            raise TimeoutError
        outcome: Outcome = self.conn.recv()
        return outcome

    def kill(self) -> None:
        if self.process.pid is not None and self.process.is_alive():
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        self.conn.close()
        self.process.join(2)
        if self.process.is_alive():
            self.kill()


class BusyError(Exception):
    """Every worker is busy and the wait queue is full."""


class Pool:
    """A fixed number of workers of one kind; requests wait for an idle one, up to a cap."""

    def __init__(
        self, config: WorkerConfig, generation: Synchronized[int], size: int, writable: bool, max_waiting: int
    ) -> None:
        self.config, self.generation, self.size, self.writable = config, generation, size, writable
        self.max_waiting = max_waiting
        self.pending = 0
        self.idle: asyncio.Queue[Worker] = asyncio.Queue()
        self.workers: set[Worker] = set()
        self._replacements: set[asyncio.Task[None]] = set()
        self.timeouts = 0

    def _spawn(self) -> Worker:
        worker = Worker(self.config, self.generation, self.writable)
        self.workers.add(worker)
        return worker

    async def start(self) -> None:
        for worker in await asyncio.gather(*(anyio.to_thread.run_sync(self._spawn) for _ in range(self.size))):
            self.idle.put_nowait(worker)
        # a first request to each worker proves it opened the store
        for _ in range(self.size):
            await self.call("noop", {}, timeout=60)

    async def call(self, op: str, args: dict[str, Any], timeout: float) -> Outcome:
        if self.pending >= self.max_waiting:
            raise BusyError
        self.pending += 1
        try:
            worker = await self.idle.get()
            try:
                outcome = await anyio.to_thread.run_sync(worker.call, op, args, timeout)
            except (TimeoutError, EOFError, OSError) as err:
                # the worker is killed; its replacement joins the pool once it has opened the
                # store, so that no request waits for a process to start
                self.workers.discard(worker)
                await anyio.to_thread.run_sync(worker.kill)
                self._replacements.add(asyncio.create_task(self._replace()))
                if isinstance(err, TimeoutError):
                    self.timeouts += 1
                    setting = "KG_UPDATE_TIMEOUT" if self.writable else "KG_QUERY_TIMEOUT"
                    raise QueryTimeoutError(f"stopped after {timeout:g} s ({setting})") from None
                raise StoreError("a worker process failed") from None
            self.idle.put_nowait(worker)
            return outcome
        finally:
            self.pending -= 1

    async def _replace(self) -> None:
        worker = await anyio.to_thread.run_sync(self._spawn)
        try:
            await anyio.to_thread.run_sync(worker.call, "noop", {}, 60.0)
        except (TimeoutError, EOFError, OSError):
            await anyio.to_thread.run_sync(worker.kill)
            self.workers.discard(worker)
            self._replacements.add(asyncio.create_task(self._replace()))
            return
        finally:
            self._replacements.discard(asyncio.current_task())
        self.idle.put_nowait(worker)

    def stop(self) -> None:
        for worker in list(self.workers):
            worker.stop()
        self.workers.clear()


def new_generation() -> Synchronized[int]:
    generation: Synchronized[int] = _CTX.Value("q", 0)
    return generation


def now() -> datetime:
    return datetime.now(UTC)
