"""Real SPARQL engines on 127.0.0.1 for the remote store's tests: Oxigraph server (the `oxigraph`
package's binary), started once per session with its own data folder and stopped at the end."""

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
