"""``kg serve``: one supervisor, several server processes on one socket, one writer.

The supervisor binds the listening socket and starts ``KG_QUERY_WORKERS`` server processes
that accept from it, each running the whole app (kg/server/app.py) with reads in its own
threads; and, when writes are enabled, the writer process, first, since opening the store
read-write may have to recover it. Then it keeps that many running:

- a server process whose read overran its time says it retires: a replacement starts at
  once, and the retiring one exits when its other requests are answered (which stops the
  runaway read);
- a process that dies is replaced; the writer, too (it is killed when a write overruns);
- SIGINT or SIGTERM stops them all, letting requests in progress finish.
"""

from __future__ import annotations

import multiprocessing
import os
import secrets
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import cast

from kg.errors import StoreError
from kg.server.workers import (
    SLOTS,
    Shared,
    WriterAddress,
    follow_the_supervisor,
    open_view,
    worker_config,
    writer_main,
)
from kg.settings import Settings
from kg.store import is_remote, shown

_CTX = multiprocessing.get_context("spawn")
MAX_START_FAILURES = 8
"""Server processes in a row that may die starting before ``kg serve`` gives up."""
GRACE = 5.0
"""Seconds a stopping or retiring process has beyond the query time limit to finish its requests."""


def _server_main(settings: Settings, shared: Shared, sock: socket.socket, notes: Connection, slot: int) -> None:
    """A server process: the app on the shared socket until told to stop or until it retires."""
    import uvicorn

    from kg.server.app import create_app

    follow_the_supervisor()
    retiring = threading.Event()
    limit = settings.query_timeout + GRACE

    def retire() -> None:
        if retiring.is_set():
            return
        retiring.set()
        notes.send("retiring")
        server.should_exit = True  # stop accepting, close idle connections, finish the others
        # and be sure to go, runaway thread and all
        threading.Timer(limit, os._exit, (0,)).start()

    app = create_app(settings, shared, retire, ready=lambda: notes.send("ready"), slot=slot)
    config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=int(limit) + 1, lifespan="on")
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    os._exit(0)  # a runaway read's thread must not keep the process alive


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # so asyncio sets TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise StoreError(f"cannot listen on {host}:{port}: {err.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


class Supervisor:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        folder = tempfile.mkdtemp(prefix="kg-serve-")  # private (0700): only this user reaches the writer
        self.folder = Path(folder)
        writer = WriterAddress(str(self.folder / "writer"), secrets.token_bytes(32)) if settings.update_token else None
        self.shared = Shared.new(writer)
        self.config = worker_config(settings)
        self.servers: dict[BaseProcess, Connection] = {}
        self.retiring: dict[BaseProcess, Connection] = {}
        self.slots: dict[BaseProcess, int] = {}
        self.ready: set[BaseProcess] = set()
        self.failures = 0
        """Server processes in a row that died before they were ready."""
        self.free_slots = list(reversed(range(SLOTS)))
        self.writer: BaseProcess | None = None
        self.stopping = False

    # --- starting processes ---

    def _start_writer(self) -> None:
        assert self.shared.writer is not None
        self.shared.write_deadline.value = 0.0  # the killed writer's write is over
        ours, theirs = _CTX.Pipe(duplex=False)
        process = _CTX.Process(
            target=writer_main,
            args=(
                self.shared.writer,
                self.config,
                self.shared.generation,
                self.shared.write_deadline,
                self.settings.update_timeout,
                theirs,
            ),
            name="kg-writer",
            daemon=True,
        )
        process.start()
        theirs.close()
        if not ours.poll(120) or _received(ours) is None:
            process.kill()
            raise StoreError(f"the writer could not open the store at {shown(self.settings.store)}")
        ours.close()
        self.writer = process

    def _start_server(self, sock: socket.socket) -> BaseProcess:
        ours, theirs = _CTX.Pipe(duplex=False)
        slot = self.free_slots.pop()
        process = _CTX.Process(
            target=_server_main, args=(self.settings, self.shared, sock, theirs, slot), name="kg-server", daemon=True
        )
        process.start()
        theirs.close()
        self.servers[process] = ours
        self.slots[process] = slot
        return process

    def _reaped(self, process: BaseProcess) -> None:
        """A server process is gone: whatever reads it was counting are over."""
        process.join()
        slot = self.slots.pop(process)
        with self.shared.in_flight.get_lock():
            self.shared.in_flight[slot] = 0
        self.free_slots.append(slot)

    # --- running ---

    def run(self, on_ready: Callable[[], None]) -> None:
        settings = self.settings
        try:
            missing = not is_remote(settings.store) and not Path(settings.store).exists()
            if missing or self.shared.writer is None:
                open_view(self.config, writable=missing).close()  # fails here, not in a child
            sock = _listen(settings.host, settings.port)
        except BaseException:
            self._remove_folder()
            raise
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            if self.shared.writer is not None:
                self._start_writer()
            for _ in range(settings.query_workers):
                self._start_server(sock)
            self._wait_ready()
            on_ready()
            while not self.stopping:
                self._step(sock)
        finally:
            self._shut_down()
            sock.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _wait_ready(self) -> None:
        waiting = dict(self.servers)
        while waiting and not self.stopping:
            for ready in wait([*waiting.values(), *(p.sentinel for p in waiting)], timeout=0.5):
                process = next(p for p, c in waiting.items() if ready in (c, p.sentinel))
                if ready is process.sentinel or _received(waiting[process]) is None:
                    raise StoreError("a server process could not start (see the messages above)")
                self.ready.add(process)
                del waiting[process]

    def _step(self, sock: socket.socket) -> None:
        watched: dict[object, tuple[str, BaseProcess]] = {}
        for process, conn in self.servers.items():
            watched[conn] = ("note", process)
            watched[process.sentinel] = ("exit", process)
        for process in self.retiring:
            watched[process.sentinel] = ("gone", process)
        if self.writer is not None:
            watched[self.writer.sentinel] = ("writer", self.writer)
        self._watch_the_writer()
        for ready in wait(cast(list[Connection | int], list(watched)), timeout=0.5):
            what, process = watched[ready]
            if self.stopping:
                return
            if what == "note" and process in self.servers:
                note = _received(self.servers[process])
                if note == "ready":
                    self.ready.add(process)
                    self.failures = 0
                if note == "retiring":
                    self.retiring[process] = self.servers.pop(process)
                    self._start_server(sock)
                # "ready" from a replacement needs nothing; None: it is exiting, and its sentinel says so
            elif what == "exit" and process in self.servers:
                self.servers.pop(process).close()
                self._reaped(process)
                if process not in self.ready:  # died starting: wait longer each time, then give up
                    self.failures += 1
                    if self.failures > MAX_START_FAILURES:
                        raise StoreError("server processes keep failing to start (see the messages above)")
                    time.sleep(min(0.1 * 2**self.failures, 5.0))
                self.ready.discard(process)
                self._start_server(sock)
            elif what == "gone" and process in self.retiring:
                self.retiring.pop(process).close()
                self._reaped(process)
                self.ready.discard(process)
            elif what == "writer" and process is self.writer:
                process.join()
                self._start_writer()

    def _watch_the_writer(self) -> None:
        """Kill a write that overran its limit, even if the server process that asked is gone."""
        deadline = self.shared.write_deadline.value
        writer = self.writer
        if writer is not None and writer.pid is not None and 0 < deadline < time.time() - 1.0 and writer.is_alive():
            os.kill(writer.pid, signal.SIGKILL)  # its sentinel fires: the loop starts a new one

    def _stop(self, *_: object) -> None:
        self.stopping = True

    def _shut_down(self) -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C stops waiting
        processes = [*self.servers, *self.retiring]
        for process in processes:
            if process.pid is not None and process.is_alive():
                os.kill(process.pid, signal.SIGTERM)  # uvicorn finishes the requests in progress
        for process in processes:
            process.join(self.settings.query_timeout + GRACE + 2)
            if process.is_alive():
                process.kill()
                process.join()
        if self.writer is not None:
            if self.writer.is_alive() and self.writer.pid is not None:
                os.kill(self.writer.pid, signal.SIGTERM)
            self.writer.join(self.settings.update_timeout)
            if self.writer.is_alive():
                self.writer.kill()
                self.writer.join()
        for conn in [*self.servers.values(), *self.retiring.values()]:
            conn.close()
        self._remove_folder()

    def _remove_folder(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _received(conn: Connection) -> object | None:
    """The next note on ``conn``, or None if the other end is gone."""
    try:
        note: object = conn.recv()
    except (EOFError, OSError):
        return None
    return note


def serve(settings: Settings, on_ready: Callable[[], None] = lambda: None) -> None:
    """Serve until SIGINT or SIGTERM; StoreError if the store or the address cannot be had."""
    Supervisor(settings).run(on_ready)
