"""kg.annotation: the seed loads, every span matches the text, and broken input is refused
with the file, the field path, the line and what was expected."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.annotation import (
    Annotation,
    Span,
    authority_path,
    field_path,
    iter_spans,
    load_article,
    load_authority,
)
from kg.errors import AnnotationError, InputError
from tests.conftest import ARTICLES, SEED, SEED_ID, articles_root

SEED_SHA256 = "22959df20716226d75c5646804267ab39fb5c21bb83729c39f42729bcb71e9dd"


def test_bundled_text_is_the_seed_byte_for_byte() -> None:
    assert hashlib.sha256((SEED / "text.txt").read_bytes()).hexdigest() == SEED_SHA256


def test_seed_loads_and_every_span_reproduces_its_surface() -> None:
    article = load_article(SEED, load_authority(authority_path(ARTICLES)))
    assert article.id == SEED_ID
    spans = list(iter_spans(article.annotation))
    assert len(spans) > 100
    for loc, span in spans:
        assert article.text[span.start : span.end] == span.text, field_path(loc)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of the articles root with the seed in it."""
    return articles_root(tmp_path / "articles", authority_path(ARTICLES), SEED) / SEED_ID


def _edit(folder: Path, old: str, new: str) -> None:
    path = folder / "annotation.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _load(folder: Path) -> None:
    load_article(folder, load_authority(authority_path(folder.parent)))


def _line_of(folder: Path, needle: str) -> int:
    lines = (folder / "annotation.yaml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_wrong_offset_names_field_line_and_both_strings(seed_copy: Path) -> None:
    _edit(seed_copy, '[1358, 1364, "Shoigu"]', '[1357, 1363, "Shoigu"]')
    with pytest.raises(AnnotationError) as err:
        _load(seed_copy)
    message = str(err.value)
    assert str(seed_copy / "annotation.yaml") in message
    assert "mentions.sergey-shoigu[5]" in message
    assert f"line {_line_of(seed_copy, '[1357, 1363')}" in message
    assert "'Shoigu'" in message and "[1357, 1363]" in message


@pytest.mark.parametrize("name", ["../secret.txt", "/etc/hostname", ".hidden", "annotation.yaml", "a\\b.txt"])
def test_the_text_is_a_plain_file_beside_the_annotation(seed_copy: Path, name: str) -> None:
    _edit(seed_copy, "  text: text.txt", f"  text: '{name}'")  # single-quoted YAML: no escapes
    with pytest.raises(AnnotationError, match=r"line \d+: article\.text: Value error, must be the plain name"):
        _load(seed_copy)


def test_a_text_linked_from_outside_the_folder_is_refused(seed_copy: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes((seed_copy / "text.txt").read_bytes())
    (seed_copy / "linked.txt").symlink_to(secret)
    _edit(seed_copy, "  text: text.txt", "  text: linked.txt")
    with pytest.raises(InputError, match="must be in the article's folder"):
        _load(seed_copy)


def test_span_past_the_end_of_the_text(seed_copy: Path) -> None:
    _edit(seed_copy, '[1358, 1364, "Shoigu"]', '[9358, 9364, "Shoigu"]')
    with pytest.raises(AnnotationError, match=r"ends past the text \(3331 code points\)"):
        _load(seed_copy)


def test_unknown_entity_reference(seed_copy: Path) -> None:
    _edit(seed_copy, "  publisher: tass", "  publisher: tass-agency")
    with pytest.raises(AnnotationError, match=r"article\.publisher: unknown entity 'tass-agency'"):
        _load(seed_copy)


def test_wrong_type_is_refused_with_the_allowed_values(seed_copy: Path) -> None:
    _edit(seed_copy, "type: Meeting", "type: Party")
    with pytest.raises(AnnotationError) as err:
        _load(seed_copy)
    assert "events[0].type" in str(err.value)
    assert "'Meeting'" in str(err.value)
    assert f"line {_line_of(seed_copy, 'type: Party')}" in str(err.value)


def test_missing_field(seed_copy: Path) -> None:
    path = seed_copy / "annotation.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["article"]["headline"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"article\.headline: Field required"):
        _load(seed_copy)


def test_unknown_field_is_refused(seed_copy: Path) -> None:
    _edit(seed_copy, "  language: en", "  language: en\n  lang: en")
    with pytest.raises(AnnotationError, match=r"article\.lang: Extra inputs are not permitted"):
        _load(seed_copy)


def test_malformed_yaml_names_line_and_column(seed_copy: Path) -> None:
    _edit(seed_copy, "  language: en", "  language: [en")
    with pytest.raises(InputError, match=r"annotation\.yaml: line \d+, column \d+: malformed YAML"):
        _load(seed_copy)


def test_text_changed_under_the_annotation(seed_copy: Path) -> None:
    text = seed_copy / "text.txt"
    text.chmod(0o644)
    text.write_bytes(text.read_bytes() + b" ")
    with pytest.raises(AnnotationError, match=r"article\.sha256: text\.txt has sha256"):
        _load(seed_copy)


def test_missing_text_file(seed_copy: Path) -> None:
    (seed_copy / "text.txt").unlink()
    with pytest.raises(InputError, match=r"text\.txt: no such text file"):
        _load(seed_copy)


def test_quantity_needs_exactly_one_kind_of_value(seed_copy: Path) -> None:
    path = seed_copy / "annotation.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["quantities"][0]["value"] = 50
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"quantities\[0\]: .*exactly one of value, lower_bound, vague"):
        _load(seed_copy)


def test_authority_reference_errors(tmp_path: Path) -> None:
    path = tmp_path / "authority.yaml"
    path.write_text("entities:\n  moscow: {type: City, name: Moscow, contained_in: [russia]}\n", encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"entities\.moscow\.contained_in\[0\]: unknown entity 'russia'"):
        load_authority(path)


def test_wikidata_ids_must_look_like_items(tmp_path: Path) -> None:
    path = tmp_path / "authority.yaml"
    path.write_text("entities:\n  russia: {type: Country, name: Russia, wikidata: P159}\n", encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"line 2: entities\.russia\.wikidata"):
        load_authority(path)


# --- property tests: spans against arbitrary text ---------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=60)


def _minimal(text: str, start: int, end: int, surface: str) -> dict[str, object]:
    span = [start, end, surface]
    return {
        "article": {
            "id": "a",
            "text": "text.txt",
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "language": "en",
            "publisher": "p",
            "headline": span,
            "dateline": {"place": "p", "mentions": [span]},
            "date_published": "2015-10-21",
        }
    }


@settings(max_examples=60, deadline=None)
@given(text=_TEXT, data=st.data())
def test_any_span_cut_from_the_text_loads_and_any_other_surface_fails(
    tmp_path_factory: pytest.TempPathFactory, text: str, data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    folder = tmp_path_factory.mktemp("a")
    (folder / "text.txt").write_bytes(text.encode("utf-8"))
    authority = folder / "authority.yaml"
    authority.write_text("entities:\n  p: {type: Place, name: P}\n", encoding="utf-8")

    # every non-ASCII character escaped: written raw, YAML folds line breaks such as U+0085
    good = _minimal(text, start, end, text[start:end])
    (folder / "annotation.yaml").write_text(yaml.safe_dump(good, allow_unicode=False), encoding="utf-8")
    article = load_article(folder, load_authority(authority))
    assert article.annotation.article.headline == Span(start=start, end=end, text=text[start:end])

    other = data.draw(st.text(min_size=1, max_size=5).filter(lambda s: s != text[start:end]))
    bad = _minimal(text, start, end, other)
    (folder / "annotation.yaml").write_text(yaml.safe_dump(bad, allow_unicode=False), encoding="utf-8")
    with pytest.raises(AnnotationError, match=r"article\.headline: offsets"):
        load_article(folder, load_authority(authority))


@given(st.lists(st.one_of(st.integers(0, 5), st.sampled_from(["events", "time", "a-b"])), max_size=5))
def test_field_path_round_trips_its_parts(loc: list[int | str]) -> None:
    path = field_path(tuple(loc))
    for part in loc:
        assert (f"[{part}]" if isinstance(part, int) else str(part)) in path


def test_annotation_schema_is_exported_as_json_schema() -> None:
    schema = Annotation.model_json_schema()
    assert {"article", "events", "statements", "quantities"} <= set(schema["properties"])
