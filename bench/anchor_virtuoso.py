"""Virtuoso for bench/http_bench.py: Debian's ``virtuoso-t`` with a fresh database holding the
benchmark's dataset, either answering on ``--port`` itself or behind ``kg serve`` (``--front``).

``python -P bench/anchor_virtuoso.py --port N --nquads FILE --data DIR [--front]``. The data is
loaded through Virtuoso's SPARQL endpoint on a port of its own (one graph per update request, as
kg's remote store writes); then Virtuoso is restarted on ``--port``, or kg serve is started on
``--port`` with ``KG_STORE`` naming Virtuoso. Nothing listens on ``--port`` before the data is in.
Stops both on SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyoxigraph as ox

INI = """[Database]
DatabaseFile = {data}/virtuoso.db
ErrorLogFile = {data}/virtuoso.log
LockFile = {data}/virtuoso.lck
TransactionFile = {data}/virtuoso.trx
xa_persistent_file = {data}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {data}/virtuoso-temp.db
TransactionFile = {data}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
ThreadsPerQuery = 2
DirsAllowed = ., {data}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {data}
ServerThreads = 16
MaxClientConnections = 16
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(data: Path, http_port: int) -> subprocess.Popen[bytes]:
    ini = data / "virtuoso.ini"
    ini.write_text(INI.format(data=data, sql_port=free_port(), http_port=http_port), encoding="utf-8")
    binary = shutil.which("virtuoso-t") or "virtuoso-t"
    process = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=data)
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/sparql?query=ASK%7B%7D", timeout=5):
                return process
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("virtuoso-t did not start") from None
            time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()  # Virtuoso checkpoints and exits
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def load(nquads: Path, http_port: int) -> None:
    """Each graph of ``nquads`` in one SPARQL update, through kg's remote store."""
    from rdflib import Graph, URIRef

    from kg.store import open_store

    store = open_store(
        f"sparql+http://dba:dba@127.0.0.1:{http_port}/sparql?update=http://127.0.0.1:{http_port}/sparql-auth",
        base_iri="http://127.0.0.1:8000/",
    )
    graphs: dict[str, list[str]] = {}
    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        graphs.setdefault(str(quad.graph_name.value), []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    for name, lines in graphs.items():
        store.replace_graphs({URIRef(name): Graph().parse(data="\n".join(lines), format="nt")})
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--nquads", type=Path, required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--front", action="store_true", help="kg serve on --port, Virtuoso behind it")
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    children: list[subprocess.Popen[bytes]] = []

    def finish(*_: object) -> None:
        for child in reversed(children):  # kg serve first, then the Virtuoso behind it
            stop(child)
        sys.exit(0)

    signal.signal(signal.SIGINT, finish)
    signal.signal(signal.SIGTERM, finish)
    inner = free_port()
    loading = start(args.data, inner)
    children.append(loading)
    load(args.nquads, inner)
    if args.front:
        kg = Path(sys.executable).with_name("kg")
        env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
        env["KG_STORE"] = f"sparql+http://127.0.0.1:{inner}/sparql"
        env["KG_WARM_PAGES"] = "0"
        children.append(subprocess.Popen([str(kg), "serve", "--port", str(args.port)], env=env))
    else:
        stop(loading)
        children.clear()
        children.append(start(args.data, args.port))
    while all(child.poll() is None for child in children):
        time.sleep(0.5)
    finish()


if __name__ == "__main__":
    main()
