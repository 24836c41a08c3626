"""The ``kg`` command line. Errors become a message on stderr and an exit code, here only.

Exit codes: 0 ok; 1 an article does not conform to the shapes; 2 bad input or
usage (unreadable or invalid annotation, malformed query, unknown option);
3 the store cannot be opened or written (for example while ``kg serve`` holds it).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer

from kg import __version__, pipeline
from kg.annotation import AUTHORITY_FILE, find_articles
from kg.errors import InputError, KGError, NotConformingError, QueryError, StoreError
from kg.formats import RDF_SYNTAXES, rdf_syntax, results_syntax
from kg.namespaces import IRIs
from kg.settings import Settings
from kg.store import Store, open_store, shown

EXIT_CODES: tuple[tuple[type[KGError], int], ...] = (
    (NotConformingError, 1),
    (InputError, 2),
    (QueryError, 2),
    (StoreError, 3),
    (KGError, 2),
)

app = typer.Typer(
    name="kg",
    help="News articles as a faithful, validated event knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

RdfFormatName = Enum("RdfFormatName", {s.name: s.name for s in RDF_SYNTAXES}, type=str)  # type: ignore[misc]


class ResultsFormatName(StrEnum):
    table = "table"
    json = "json"
    xml = "xml"
    csv = "csv"
    tsv = "tsv"


def _settings() -> Settings:
    return Settings()


def _built_at() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC).replace(microsecond=0)


def _open(settings: Settings, location: str | None, *, read_only: bool = False) -> Store:
    iris = IRIs(settings.base_iri)
    return open_store(location or settings.store, read_only=read_only, prefixes=iris.prefixes(), base_iri=iris.base)


def _fail(err: KGError) -> NoReturn:
    code = next(code for kind, code in EXIT_CODES if isinstance(err, kind))
    typer.echo(f"kg: error: {err}", err=True)
    raise typer.Exit(code)


T = TypeVar("T")


def _run(action: Callable[[], T]) -> T:
    try:
        return action()
    except KGError as err:
        _fail(err)


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _article_folders(paths: list[Path], settings: Settings) -> list[Path]:
    """Article folders from arguments: an articles root means every article in it."""
    folders: list[Path] = []
    for path in paths or [settings.articles]:
        if (path / AUTHORITY_FILE).is_file():
            folders.extend(find_articles(path))
        elif path.is_dir():
            folders.append(path)
        else:
            raise InputError(str(path), "not an article folder nor a folder of articles")
    if not folders:
        raise InputError(str(paths[0] if paths else settings.articles), "no articles found")
    return folders


StoreOption = Annotated[
    str | None, typer.Option("--store", help="Store folder or sparql+http://… [default: KG_STORE or data/store].")
]
AuthorityOption = Annotated[
    Path | None,
    typer.Option("--authority", help="Authority file [default: authority.yaml beside the article folders]."),
]


@app.command()
def build(
    paths: Annotated[list[Path] | None, typer.Argument(help="Article folders or articles roots.")] = None,
    store: StoreOption = None,
    authority: AuthorityOption = None,
) -> None:
    """Build articles into the store: map, infer, validate, then store all in one transaction."""
    settings = _settings()

    def action() -> None:
        folders = _article_folders(paths or [], settings)
        target = _open(settings, store)
        try:
            built = pipeline.build(folders, target, IRIs(settings.base_iri), _built_at(), authority, progress=_say)
        finally:
            target.close()
        for item in built:
            _say(
                f"{item.name}: {len(item.asserted)} asserted, {len(item.inferred)} inferred, "
                f"{len(item.provenance)} provenance triples; {len(item.report.warnings)} warning(s)"
            )
        _say(f"built {len(built) - 1} article(s) into {shown(store or settings.store)}")

    _run(action)


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Article folders or articles roots.")] = None,
    store: StoreOption = None,
    authority: AuthorityOption = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Processes that build articles [default: CPU count].")
    ] = None,
) -> None:
    """Ingest many articles: each stored in its own transaction, unchanged ones skipped, bad ones
    refused (and reported) without stopping the others. Exit 1 if any was refused."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from kg.ingest import Event
    from kg.ingest import ingest as run_ingest

    settings = _settings()
    console = Console(stderr=True)

    def action() -> int:
        folders = _article_folders(paths or [], settings)
        target = _open(settings, store)
        progress = Progress(
            TextColumn("[bold]ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]:.1f} articles/s"),
            TextColumn("refused {task.fields[refused]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
        )
        started, refused = time.perf_counter(), 0

        def seen(event: Event) -> None:
            nonlocal refused
            if event.kind == "refused":
                refused += 1
                progress.console.print(f"refused {event.name}:\n{event.detail}", markup=False, highlight=False)
            done = progress.tasks[task].completed + 1
            rate = done / max(time.perf_counter() - started, 1e-9)
            progress.update(task, advance=1, rate=rate, refused=refused)

        try:
            with progress:
                task = progress.add_task("ingest", total=len(folders), rate=0.0, refused=0)
                summary = run_ingest(
                    folders,
                    target,
                    IRIs(settings.base_iri),
                    _built_at(),
                    authority,
                    workers=workers or os.cpu_count() or 1,
                    on_event=seen,
                )
        finally:
            target.close()
        _say(summary.text())
        return 1 if summary.refused else 0

    code = _run(action)
    if code:
        raise typer.Exit(code)


@app.command()
def validate(
    folder: Annotated[Path, typer.Argument(help="An article folder (holding annotation.yaml).")],
    authority: AuthorityOption = None,
) -> None:
    """Validate one article against the shapes and print the report; exit 1 if it does not conform."""
    settings = _settings()

    def action() -> None:
        try:
            built = pipeline.validate_article(folder, IRIs(settings.base_iri), _built_at(), authority)
        except NotConformingError as err:
            typer.echo(err.report.text())
            raise typer.Exit(1) from None
        typer.echo(built.report.text())

    _run(action)


@app.command()
def export(
    format: Annotated[RdfFormatName, typer.Option("--format", "-f", help="RDF syntax.")] = "turtle",  # type: ignore[assignment]
    asserted_only: Annotated[bool, typer.Option("--asserted-only", help="Leave out inferred graphs.")] = False,
    article: Annotated[list[str] | None, typer.Option("--article", help="Only this article (repeatable).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")] = None,
    store: StoreOption = None,
) -> None:
    """Export the store (or some articles) as Turtle, TriG, N-Quads, N-Triples, JSON-LD or RDF/XML."""
    settings = _settings()
    iris = IRIs(settings.base_iri)
    authority = {str(n) for n in iris.authority_graphs()}

    def action() -> bytes:
        source = _open(settings, store, read_only=True)
        try:
            names = source.graph_names()
            if article:
                unknown = sorted(set(article) - {iris.article_of_graph(n) for n in names})
                if unknown:
                    raise InputError("--article", f"no such article in the store: {', '.join(unknown)}")
                names = [n for n in names if iris.article_of_graph(n) in set(article) or n in authority]
            if asserted_only:
                names = [n for n in names if not iris.is_inferred_graph(n)]
            return source.export(rdf_syntax(format.value), names)
        finally:
            source.close()

    data = _run(action)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        _say(f"wrote {len(data)} bytes to {output}")


@app.command()
def query(
    sparql: Annotated[str, typer.Argument(help="A SPARQL 1.1 query, or @FILE to read it from a file.")],
    format: Annotated[
        ResultsFormatName, typer.Option("--format", "-f", help="Output format.")
    ] = ResultsFormatName.table,
    store: StoreOption = None,
) -> None:
    """Run a SPARQL query over the store (the default graph is the union of all graphs)."""
    settings = _settings()

    def action() -> str | bytes:
        text = sparql
        if sparql.startswith("@"):
            try:
                text = Path(sparql[1:]).read_text(encoding="utf-8")
            except OSError as err:
                raise InputError(sparql[1:], f"cannot read query: {err.strerror}") from None
        source = _open(settings, store, read_only=True)
        try:
            result = source.query(text)
            if result.kind == "graph":
                return result.serialize_graph(rdf_syntax("turtle"))
            if format is not ResultsFormatName.table:
                return result.serialize_results(results_syntax(format.value))
            return _table(result.variables or ["ask"], list(result.rows()))
        finally:
            source.close()

    out = _run(action)
    if isinstance(out, bytes):
        sys.stdout.buffer.write(out)
        sys.stdout.flush()
    else:
        typer.echo(out)


def _table(head: list[str], rows: list[tuple[str | None, ...]]) -> str:
    cells = [[c if c is not None else "" for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(head)]
    line = "+".join("-" * (w + 2) for w in widths)
    out = [" | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)), line]
    out += [" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address [default: KG_HOST or 127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: KG_PORT or 8000].")] = None,
    store: StoreOption = None,
) -> None:
    """Serve the store over the SPARQL 1.1 Protocol at /sparql."""
    from kg.server.supervisor import serve as run_server

    settings = _settings()
    overrides = {k: v for k, v in (("host", host), ("port", port), ("store", store)) if v is not None}
    settings = settings.model_copy(update=overrides)
    url = f"http://{settings.host}:{settings.port}/sparql"
    _run(lambda: run_server(settings, on_ready=lambda: _say(f"kg {__version__}: SPARQL endpoint at {url}")))


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """News articles as a faithful, validated event knowledge graph."""
    if version:
        typer.echo(f"kg {__version__}")
        raise typer.Exit(0)
