"""Real SPARQL engines on 127.0.0.1 for the remote store's tests: Oxigraph server (the `oxigraph`
package's binary) and Virtuoso Open Source (Debian's `virtuoso-opensource`, which .ci/run installs),
each started with its own data folder and stopped at the end."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.serving import free_port


@dataclass(frozen=True)
class Engine:
    name: str
    location: str
    """What KG_STORE names it by: sparql+http://…"""


def _binary(name: str) -> str | None:
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


@contextmanager
def oxigraph_server(folder: Path) -> Iterator[Engine | None]:
    """``oxigraph serve --union-default-graph`` on a free port, or None without the binary."""
    binary = _binary("oxigraph")
    if binary is None:
        yield None
        return
    port = free_port()
    log = (folder / "oxigraph.log").open("wb")
    process = subprocess.Popen(
        [binary, "serve", "--location", str(folder / "data"), "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(
                        f"oxigraph serve did not start: {(folder / 'oxigraph.log').read_text()}"
                    ) from None
                time.sleep(0.1)
        yield Engine("oxigraph", f"sparql+{base}/query?update={base}/update")
    finally:
        process.terminate()
        process.wait(10)
        log.close()


VIRTUOSO_INI = """[Database]
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
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {data}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {data}
ServerThreads = 4
MaxClientConnections = 4
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""


@contextmanager
def virtuoso_server(folder: Path) -> Iterator[Engine | None]:
    """Virtuoso Open Source (Debian's ``virtuoso-t``) with a fresh database in ``folder`` on free
    ports, updates through /sparql-auth as its default dba user; None without the binary."""
    binary = _binary("virtuoso-t")
    if binary is None:
        yield None
        return
    data = folder / "data"
    data.mkdir()
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(data=data, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    log = (folder / "virtuoso.out").open("wb")
    process = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)], cwd=data, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait(f"{base}/sparql?query=ASK%7B%7D", process, folder / "virtuoso.out", 120)
        yield Engine("virtuoso", f"sparql+http://dba:dba@127.0.0.1:{http_port}/sparql?update={base}/sparql-auth")
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"the engine did not start: {log.read_text(errors='replace')[-2000:]}") from None
            time.sleep(0.2)
