"""kg.cli: every command with --help, the build/validate/export/query tour, exit codes, and the
promise that refused input leaves the store as it was."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from typer.testing import CliRunner

from kg.annotation import authority_path
from kg.cli import app
from kg.formats import RDF_SYNTAXES
from tests.conftest import ARTICLES, SEED_ID, articles_root

runner = CliRunner()


def kg(*args: str, store: Path | None = None) -> tuple[int, str, str]:
    env = {"KG_STORE": str(store)} if store else {}
    result = runner.invoke(app, list(args), env={"SOURCE_DATE_EPOCH": "1700000000", **env})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    """A writable copy of the bundled articles root."""
    return articles_root(tmp_path / "articles", authority_path(ARTICLES), ARTICLES / SEED_ID)


@pytest.fixture(scope="module")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled articles built once by `kg build`; tests only read it."""
    store = tmp_path_factory.mktemp("built") / "store"
    code, _, err = kg("build", str(ARTICLES), store=store)
    assert code == 0, err
    return store


@pytest.fixture
def store_copy(built_store: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the built store."""
    return Path(shutil.copytree(built_store, tmp_path / "store"))


def quads(store: Path) -> set[tuple[str, ...]]:
    code, out, err = kg("export", "--format", "nquads", store=store)
    assert code == 0, err
    return set(out.splitlines())


@pytest.mark.parametrize("command", [[], ["build"], ["validate"], ["export"], ["query"], ["serve"]])
def test_every_command_has_help(command: list[str]) -> None:
    code, out, _ = kg(*command, "--help")
    assert code == 0
    assert "Usage:" in out


def test_build_reports_what_it_stored(built_store: Path) -> None:
    code, out, _ = kg("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "json", store=built_store)
    assert code == 0
    assert int(json.loads(out)["results"]["bindings"][0]["n"]["value"]) > 3000


def test_validate_prints_the_report_and_exits_0(articles: Path) -> None:
    code, out, _ = kg("validate", str(articles / SEED_ID))
    assert code == 0
    assert out.startswith("conforms")


def test_query_prints_a_table(built_store: Path) -> None:
    query = (
        "SELECT ?name WHERE { <http://127.0.0.1:8000/id/entity/sergey-shoigu> "
        "<http://www.w3.org/2004/02/skos/core#altLabel> ?name }"
    )
    code, out, _ = kg("query", query, store=built_store)
    assert code == 0
    assert '"Sergei Shoigu"@en' in out
    assert out.rstrip().endswith("(1 row)")


def test_query_from_a_file_and_as_csv(built_store: Path, tmp_path: Path) -> None:
    file = tmp_path / "q.rq"
    file.write_text("ASK { ?s ?p ?o }", encoding="utf-8")
    code, out, _ = kg("query", f"@{file}", "--format", "csv", store=built_store)
    assert code == 0
    assert out.strip().splitlines()[-1] == "true" or "true" in out


def test_malformed_query_exits_2(built_store: Path) -> None:
    code, _, err = kg("query", "SELEKT", store=built_store)
    assert code == 2
    assert "malformed query" in err


@pytest.mark.parametrize("syntax", RDF_SYNTAXES, ids=lambda s: s.name)
def test_export_every_format_parses(built_store: Path, syntax: object, tmp_path: Path) -> None:
    from kg.formats import RdfSyntax

    assert isinstance(syntax, RdfSyntax)
    out = tmp_path / f"dump.{syntax.suffix}"
    code, _, err = kg("export", "--format", syntax.name, "--output", str(out), store=built_store)
    assert code == 0, err
    if syntax.datasets:
        dataset = Dataset().parse(out, format=syntax.rdflib)
        assert len([g for g in dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)]) == 6
    else:
        assert len(Graph().parse(out, format=syntax.rdflib)) > 3000


def test_asserted_only_contains_no_inferred_triple(built_store: Path) -> None:
    code, out, _ = kg("export", "--format", "nquads", "--asserted-only", store=built_store)
    assert code == 0
    everything = quads(built_store)
    asserted = set(out.splitlines())
    inferred = {q for q in everything if q.rstrip(" .").endswith("/inferred>")}
    assert asserted and inferred
    assert not asserted & inferred
    assert asserted | inferred == everything


def test_export_one_article_and_an_unknown_one(built_store: Path) -> None:
    code, out, _ = kg("export", "--format", "nquads", "--article", SEED_ID, store=built_store)
    assert code == 0
    assert f"/graph/article/{SEED_ID}>" in out
    code, _, err = kg("export", "--article", "no-such-article", store=built_store)
    assert code == 2
    assert "no-such-article" in err


BROKEN = [
    ("bad-offset", '[1358, 1364, "Shoigu"]', '[1357, 1363, "Shoigu"]', r"mentions\.sergey-shoigu\[5\]: offsets"),
    ("unknown-entity", "  publisher: tass", "  publisher: nobody", r"article\.publisher: unknown entity 'nobody'"),
    ("wrong-type", "type: Meeting", "type: Party", r"events\[0\]\.type: Input should be"),
    ("missing-field", "  language: en\n", "", r"article\.language: Field required"),
    ("malformed-yaml", "  language: en", "  language: [en", r"line \d+, column \d+: malformed YAML"),
]


@pytest.mark.parametrize(("old", "new", "expected"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_annotation_exits_2_names_the_place_and_leaves_the_store_unchanged(
    articles: Path, store_copy: Path, old: str, new: str, expected: str
) -> None:
    store = store_copy
    before = quads(store)
    annotation = articles / SEED_ID / "annotation.yaml"
    text = annotation.read_text(encoding="utf-8")
    assert old in text
    annotation.write_text(text.replace(old, new, 1), encoding="utf-8")
    code, _, err = kg("build", str(articles), store=store)
    assert code == 2
    assert str(annotation) in err
    assert re.search(expected, err), err
    assert quads(store) == before


def test_non_conforming_article_exits_1_with_a_report_and_is_not_stored(articles: Path, store_copy: Path) -> None:
    store = store_copy
    before = quads(store)
    annotation = articles / SEED_ID / "annotation.yaml"
    text = annotation.read_text(encoding="utf-8")
    # an equipment model cannot speak: the schema allows any entity, the shapes do not
    annotation.write_text(text.replace("speaker: sergey-shoigu", "speaker: kalibr", 1), encoding="utf-8")
    code, _, err = kg("build", str(articles), store=store)
    assert code == 1
    assert "does not conform" in err and "kgo:speaker" in err and "Violation" in err
    assert quads(store) == before
    code, out, _ = kg("validate", str(articles / SEED_ID))
    assert code == 1
    assert "kgo:speaker" in out


def test_store_in_use_exits_3(built_store: Path) -> None:
    from kg.store import open_store

    holder = open_store(built_store)
    try:
        code, _, err = kg("build", str(ARTICLES), store=built_store)
    finally:
        holder.close()
    assert code == 3
    assert "in use" in err
