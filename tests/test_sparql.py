"""kg.sparql: the dataset clause is read from the query's tokens, never from inside a string,
an IRI or a comment."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.sparql import DatasetClause, dataset_clause, refusal, tokens


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", DatasetClause()),
        ("SELECT * FROM <http://e/g> WHERE { ?s ?p ?o }", DatasetClause(("http://e/g",))),
        ("select * from named <http://e/a> from <http://e/b> { }", DatasetClause(("http://e/b",), ("http://e/a",))),
        ("PREFIX g: <http://e/>\nSELECT * FROM g:one WHERE {}", DatasetClause(("g:one",))),
        ("# FROM <http://e/x>\nSELECT * WHERE { ?s ?p 'FROM <y>' }", DatasetClause()),
        ("SELECT * WHERE { { SELECT * WHERE { ?s ?p ?o } } }", DatasetClause()),
        ("SELECT (?a < ?b AS ?c) FROM <http://e/g> WHERE {}", DatasetClause(("http://e/g",))),
        ('SELECT ("""FROM <z>""" AS ?t) WHERE {}', DatasetClause()),
        ("CONSTRUCT { ?s ?p ?o } FROM <http://e/g> WHERE { ?s ?p ?o }", DatasetClause(("http://e/g",))),
        ("SELECT * WHERE { ?s ?p ?o } VALUES ?s { <http://e/from> }", DatasetClause()),
    ],
)
def test_dataset_clause(query: str, expected: DatasetClause) -> None:
    assert dataset_clause(query) == expected


def test_tokens_skip_comments_and_keep_strings_whole() -> None:
    kinds = [(t.kind, t.text) for t in tokens('SELECT ?x # note\nWHERE { ?x ?p "a # b" }')]
    assert ("string", '"a # b"') in kinds
    assert all("note" not in text for _, text in kinds)


@given(st.text(alphabet=st.characters(blacklist_characters='"\\\n\r'), max_size=40))
def test_from_inside_a_string_is_never_a_dataset_clause(text: str) -> None:
    assert not dataset_clause(f'SELECT ("{text} FROM <http://e/g>" AS ?x) WHERE {{}}')


@given(st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=40))
def test_from_inside_a_comment_is_never_a_dataset_clause(text: str) -> None:
    assert not dataset_clause(f"# {text} FROM <http://e/g>\nSELECT * WHERE {{}}")


@pytest.mark.parametrize(
    "query",
    [
        'DEFINE get:soft "replace" SELECT * FROM <http://example.org/> WHERE { ?s ?p ?o }',
        'SELECT (bif:file_to_string("/etc/hostname") AS ?x) WHERE {}',
        'SELECT (<bif:file_to_string>("/etc/hostname") AS ?x) WHERE {}',
        "SELECT (SQL:now() AS ?x) WHERE {}",
    ],
)
def test_engine_pragmas_and_built_ins_are_refused(query: str) -> None:
    refused = refusal(query)
    assert refused is not None and refused[0] == "vendor"


def test_such_words_inside_names_strings_and_variables_are_just_text() -> None:
    assert refusal('PREFIX ex: <http://e/> SELECT ?define WHERE { ?s ex:define "bif:x" ; <http://e/sql:y> ?o }') is None
