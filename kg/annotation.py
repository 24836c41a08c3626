"""The stand-off annotation of an article, and its loader with precise errors.

An article is a folder holding its text, byte for byte as published, and an
``annotation.yaml`` that says what the text says: entities mentioned, posts
held, events, statements, quantities. Entities are global: they are described
once in the shared authority file and referenced here by id. Everything else is
local to the article.

Offsets are Unicode code points into the exact text; every span is written
``[start, end, "surface"]`` and loading fails when the surface does not match
the text between the offsets.

``load_article`` returns an :class:`Article`, or raises
:class:`~kg.errors.AnnotationError` listing every problem with its field path
and YAML line, or :class:`~kg.errors.InputError` for unreadable files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kg.errors import AnnotationError, InputError

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Id = Annotated[str, Field(pattern=SLUG)]
Ref = Annotated[str, Field(pattern=SLUG)]
ISO_DATE = r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$"

ANNOTATION_FILE = "annotation.yaml"
AUTHORITY_FILE = "authority.yaml"

EntityType = Literal[
    "Person",
    "Organisation",
    "GovernmentBody",
    "MilitaryUnit",
    "ArmedGroup",
    "NewsAgency",
    "Place",
    "Country",
    "City",
    "EquipmentModel",
    "EquipmentCategory",
]
PositionType = Literal["Post", "MilitaryRank"]
EventType = Literal[
    "Meeting",
    "Conference",
    "SpeechAct",
    "MilitaryOperation",
    "Strike",
    "Liberation",
    "Request",
    "Decision",
    "Assistance",
    "Spread",
    "War",
]
Role = Literal[
    "agent",
    "patient",
    "target",
    "instrument",
    "attendee",
    "organiser",
    "speaker",
    "requester",
    "beneficiary",
    "opponent",
]
RelationProperty = Literal["equipped_with", "outlawed_in", "part_of", "located_in"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Span(Model):
    """A stretch of the article text: code-point offsets and the surface found there."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            if len(value) != 3:
                raise ValueError("a span is [start, end, surface text]")
            return {"start": value[0], "end": value[1], "text": value[2]}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end <= self.start:
            raise ValueError(f"span end {self.end} is not after start {self.start}")
        return self


Spans = Annotated[list[Span], Field(min_length=1)]


# --- the authority: global entities and positions --------------------------------------


class Entity(Model):
    """A person, organisation, place or piece of equipment, known across articles."""

    type: EntityType
    name: str = Field(min_length=1)
    aliases: list[str] = []
    description: str | None = None
    wikidata: str | None = Field(default=None, pattern=r"^Q[1-9]\d*$")
    part_of: list[Ref] = []
    contained_in: list[Ref] = []
    category: Ref | None = None
    manufacturer: Ref | None = None
    nato_name: str | None = None


class Position(Model):
    """A post (W3C ORG) or a military rank, held by people over time."""

    type: PositionType = "Post"
    name: str = Field(min_length=1)
    organisation: Ref


class Authority(Model):
    """The shared authority file: every global entity and position, by id."""

    entities: dict[Id, Entity]
    positions: dict[Id, Position] = {}


# --- the article -------------------------------------------------------------------------


class Dateline(Model):
    place: Ref
    mentions: Spans


def is_text_file_name(name: str) -> bool:
    """Whether ``name`` can name an article's text: a plain, visible file name other than the annotation's."""
    return bool(name) and not any(c in name for c in "/\\\x00") and not name.startswith(".") and name != ANNOTATION_FILE


class ArticleMeta(Model):
    id: Id
    text: str = Field(
        min_length=1,
        description="file name of the text, beside the annotation (a plain file name: no folder, not hidden)",
    )

    @field_validator("text")
    @classmethod
    def _plain_file_name(cls, name: str) -> str:
        if not is_text_file_name(name):
            raise ValueError("must be the plain name of a file beside the annotation (no folder, not hidden)")
        return name

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    language: str = Field(pattern=r"^[a-z]{2,3}(?:-[A-Za-z0-9]+)*$")
    publisher: Ref
    headline: Span
    alternative_headline: Span | None = None
    dateline: Dateline
    date_published: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    publication_time: Ref | None = Field(
        default=None, description="the time expression that grounds date_published, if any"
    )


class Photo(Model):
    id: Id
    captions: Spans
    depicts: list[Ref] = []
    depicts_event: Ref | None = None
    location: Ref | None = None
    creator: Ref | None = None
    credit: Span | None = None
    credited_to: list[Ref] = []


class LocalEntity(Entity):
    """An entity that only this article knows (``part of their territory``)."""

    mentions: Spans


class TimeExpression(Model):
    """A normalised time: a day, month or year, or a range of them.

    ``begin`` alone is an open-ended range (``since 2011``); ``begin`` and ``end``
    equal is a single day, month or year.
    """

    begin: str | None = Field(default=None, pattern=ISO_DATE)
    end: str | None = Field(default=None, pattern=ISO_DATE)
    mentions: Spans
    derivation: str = Field(min_length=1)

    @model_validator(mode="after")
    def _some_bound(self) -> TimeExpression:
        if self.begin is None and self.end is None:
            raise ValueError("a time needs begin, end or both")
        return self


class Factuality(Model):
    """How the article presents an event: happened, planned, negated, to be prevented."""

    modality: Literal["actual", "planned", "to_be_prevented"] = "actual"
    polarity: Literal["positive", "negative"] = "positive"
    certainty: Literal["certain", "probable", "possible", "underspecified"] = "certain"


class Participant(Model):
    entity: Ref
    role: Role
    mentions: list[Span] = []


class Event(Model):
    id: Id
    type: EventType
    label: str = Field(min_length=1)
    mentions: Spans
    time: Ref | None = None
    time_relation: Literal["within", "begins"] = Field(
        "within", description="within: the event lies in the time; begins: it started then"
    )
    places: list[Ref] = []
    participants: list[Participant] = []
    factuality: Factuality = Factuality()
    sub_event_of: Ref | None = None
    in_response_to: Ref | None = None
    purpose: Span | None = None
    outcome: Span | None = None


class StatementFactuality(Model):
    """FactBank-style factuality of what a statement asserts."""

    certainty: Literal["certain", "probable", "possible", "underspecified"] = "certain"
    polarity: Literal["positive", "negative"] = "positive"
    temporality: Literal["future", "non_future"]


class Statement(Model):
    id: Id
    kind: Literal["direct_quote", "reported_speech"]
    speaker: Ref
    venue: Ref | None = None
    content: Span
    mentions: list[Span] = []
    about: list[Ref] = []
    time: Ref | None = None
    factuality: StatementFactuality


class Bound(Model):
    value: int = Field(ge=0)
    inclusive: bool


class Quantity(Model):
    """A count the article gives: exact, bounded or vague, never an invented number."""

    id: Id
    mentions: Spans
    value: int | None = Field(default=None, ge=0)
    lower_bound: Bound | None = None
    vague: str | None = Field(default=None, min_length=1)
    unit: str = Field(min_length=1)
    of: list[Ref] = []
    measures: Ref
    aspect: str | None = None
    attributed_to: Ref | None = None
    attribution: Span | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Quantity:
        kinds = [k for k in ("value", "lower_bound", "vague") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"give exactly one of value, lower_bound, vague (got {kinds or 'none'})")
        return self


class Tenure(Model):
    """A person holding a post or rank, as the article asserts it at a time."""

    id: Id
    holder: Ref
    position: Ref
    time: Ref | None = None
    mentions: Spans


class Relation(Model):
    subject: Ref
    property: RelationProperty
    object: Ref
    mentions: Spans


class Annotation(Model):
    """Everything one article says, as stand-off annotation over its text."""

    article: ArticleMeta
    photo: Photo | None = None
    mentions: dict[Ref, Spans] = {}
    local_entities: dict[Id, LocalEntity] = {}
    times: dict[Id, TimeExpression] = {}
    tenures: list[Tenure] = []
    events: list[Event] = []
    statements: list[Statement] = []
    quantities: list[Quantity] = []
    relations: list[Relation] = []

    @field_validator("events", "statements", "quantities", "tenures")
    @classmethod
    def _unique_ids(cls, items: list[Any]) -> list[Any]:
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise ValueError(f"id {item.id!r} is used twice")
            seen.add(item.id)
        return items


@dataclass(frozen=True)
class Article:
    """A loaded, checked article: its annotation, its exact text and where they came from."""

    annotation: Annotation
    text: str
    authority: Authority
    folder: Path
    annotation_sha256: str

    @property
    def id(self) -> str:
        return self.annotation.article.id


# --- loading -------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay the strings that were written."""


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same, on libyaml when PyYAML has it (several times faster); the pure-Python loader
    still words the errors, so that messages do not depend on how PyYAML was built."""


for _loader in (_Loader, _FastLoader):
    _loader.yaml_implicit_resolvers = {
        key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

Nodes = Callable[[], "yaml.Node | None"]
"""The document's YAML nodes (with their lines), composed only when an error needs a line."""


def _read(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except UnicodeDecodeError as err:
        raise InputError(str(path), f"not UTF-8 at byte {err.start}") from None
    except OSError as err:
        raise InputError(str(path), f"cannot read: {err.strerror}") from None


def _parse_yaml(path: Path, source: str) -> tuple[Any, Nodes]:
    try:
        data = yaml.load(source, Loader=_FastLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError:
        try:
            yaml.load(source, Loader=_Loader)  # noqa: S506 - a SafeLoader; for the error's words
        except yaml.MarkedYAMLError as err:
            mark = err.problem_mark
            where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
            raise InputError(str(path), f"{where}malformed YAML: {err.problem}") from None
        raise InputError(str(path), "malformed YAML") from None
    if not isinstance(data, dict):
        raise AnnotationError(str(path), ["the document must be a mapping"])
    return data, lambda: yaml.compose(source, Loader=_FastLoader)


def _line(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at a pydantic error location, or its nearest parent."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            found = node.value[part]
        else:
            found = None
        if found is None:
            break
        node = found
        line = node.start_mark.line + 1
    return line


def field_path(loc: tuple[int | str, ...]) -> str:
    """``("events", 3, "time")`` -> ``events[3].time``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def _validate(model: type[Model], path: Path, data: Any, nodes: Nodes) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as err:
        problems = []
        node = nodes()
        for e in err.errors(include_url=False):
            loc = tuple(p for p in e["loc"] if not str(p).startswith("function-"))
            line = _line(node, loc)
            where = f"line {line}: " if line else ""
            problems.append(f"{where}{field_path(loc)}: {e['msg']}")
        raise AnnotationError(str(path), problems) from None


def load_authority(path: Path) -> Authority:
    """Load and check the authority file (entities and positions, by id)."""
    data, nodes = _parse_yaml(path, _read(path))
    authority: Authority = _validate(Authority, path, data, nodes)
    problems = list(_authority_problems(authority))
    if problems:
        raise AnnotationError(str(path), problems)
    return authority


def _authority_problems(authority: Authority) -> Iterator[str]:
    entities = authority.entities
    for eid, entity in entities.items():
        for name in ("part_of", "contained_in"):
            for i, ref in enumerate(getattr(entity, name)):
                if ref not in entities:
                    yield f"entities.{eid}.{name}[{i}]: unknown entity {ref!r}"
        for name in ("category", "manufacturer"):
            ref = getattr(entity, name)
            if ref is not None and ref not in entities:
                yield f"entities.{eid}.{name}: unknown entity {ref!r}"
    for pid, position in authority.positions.items():
        if position.organisation not in entities:
            yield f"positions.{pid}.organisation: unknown entity {position.organisation!r}"


def load_article(folder: Path, authority: Authority) -> Article:
    """Load ``folder/annotation.yaml`` and its text, check spans and references."""
    path = folder / ANNOTATION_FILE
    source = _read(path)
    data, nodes = _parse_yaml(path, source)
    annotation: Annotation = _validate(Annotation, path, data, nodes)
    text_path = folder / annotation.article.text
    if text_path.resolve().parent != folder.resolve():  # a link that leads out of the folder
        raise InputError(str(text_path), "the text file must be in the article's folder")
    try:
        raw = text_path.read_bytes()
    except OSError:
        raise InputError(str(text_path), "no such text file (named in article.text)") from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != annotation.article.sha256:
        raise AnnotationError(
            str(path),
            [
                f"article.sha256: {text_path.name} has sha256 {digest}, the annotation expects "
                f"{annotation.article.sha256}"
            ],
        )
    text = _read(text_path)
    problems = [*_span_problems(annotation, text), *_reference_problems(annotation, authority)]
    if problems:
        lines, node = [], nodes()
        for loc, message in problems:
            line = _line(node, loc)
            lines.append(f"{'line ' + str(line) + ': ' if line else ''}{field_path(loc)}: {message}")
        raise AnnotationError(str(path), lines)
    return Article(annotation, text, authority, folder, hashlib.sha256(source.encode()).hexdigest())


def iter_spans(value: Any, loc: tuple[int | str, ...] = ()) -> Iterator[tuple[tuple[int | str, ...], Span]]:
    """Every span in an annotation (or part of one), with its field path."""
    if isinstance(value, Span):
        yield loc, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from iter_spans(getattr(value, name), (*loc, name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_spans(item, (*loc, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from iter_spans(item, (*loc, i))


def _span_problems(annotation: Annotation, text: str) -> Iterator[tuple[tuple[int | str, ...], str]]:
    for loc, span in iter_spans(annotation):
        if span.end > len(text):
            yield loc, f"span [{span.start}, {span.end}] ends past the text ({len(text)} code points)"
        elif text[span.start : span.end] != span.text:
            found = text[span.start : span.end]
            yield loc, (f"offsets [{span.start}, {span.end}] hold {found!r}, not {span.text!r}")


def _reference_problems(annotation: Annotation, authority: Authority) -> Iterator[tuple[tuple[int | str, ...], str]]:
    entities = set(authority.entities) | set(annotation.local_entities)
    events = {e.id for e in annotation.events}
    times = set(annotation.times)
    positions = set(authority.positions)
    statements = {s.id for s in annotation.statements}
    clash = entities & (events | statements)
    for name in sorted(clash):
        yield ("local_entities", name), "id is used by an entity and an event or statement"

    def check(
        loc: tuple[int | str, ...], ref: str | None, known: set[str], what: str
    ) -> Iterator[tuple[tuple[int | str, ...], str]]:
        if ref is not None and ref not in known:
            yield loc, f"unknown {what} {ref!r}"

    meta = annotation.article
    yield from check(("article", "publisher"), meta.publisher, entities, "entity")
    yield from check(("article", "dateline", "place"), meta.dateline.place, entities, "entity")
    yield from check(("article", "publication_time"), meta.publication_time, times, "time")
    for ref in annotation.mentions:
        yield from check(("mentions", ref), ref, entities, "entity")
    for lid, local in annotation.local_entities.items():
        for i, ref in enumerate(local.part_of):
            yield from check(("local_entities", lid, "part_of", i), ref, entities, "entity")
        for i, ref in enumerate(local.contained_in):
            yield from check(("local_entities", lid, "contained_in", i), ref, entities, "entity")
        for name in ("category", "manufacturer"):
            yield from check(("local_entities", lid, name), getattr(local, name), entities, "entity")
    if annotation.photo is not None:
        photo = annotation.photo
        for i, ref in enumerate(photo.depicts):
            yield from check(("photo", "depicts", i), ref, entities, "entity")
        for i, ref in enumerate(photo.credited_to):
            yield from check(("photo", "credited_to", i), ref, entities, "entity")
        yield from check(("photo", "depicts_event"), photo.depicts_event, events, "event")
        yield from check(("photo", "location"), photo.location, entities, "entity")
        yield from check(("photo", "creator"), photo.creator, entities, "entity")
    for i, tenure in enumerate(annotation.tenures):
        yield from check(("tenures", i, "holder"), tenure.holder, entities, "entity")
        yield from check(("tenures", i, "position"), tenure.position, positions, "position")
        yield from check(("tenures", i, "time"), tenure.time, times, "time")
    for i, event in enumerate(annotation.events):
        yield from check(("events", i, "time"), event.time, times, "time")
        yield from check(("events", i, "sub_event_of"), event.sub_event_of, events, "event")
        yield from check(("events", i, "in_response_to"), event.in_response_to, events, "event")
        for j, ref in enumerate(event.places):
            yield from check(("events", i, "places", j), ref, entities, "entity")
        for j, part in enumerate(event.participants):
            yield from check(("events", i, "participants", j, "entity"), part.entity, entities, "entity")
    for i, statement in enumerate(annotation.statements):
        yield from check(("statements", i, "speaker"), statement.speaker, entities, "entity")
        yield from check(("statements", i, "venue"), statement.venue, events, "event")
        yield from check(("statements", i, "time"), statement.time, times, "time")
        for j, ref in enumerate(statement.about):
            yield from check(("statements", i, "about", j), ref, entities | events, "entity or event")
    for i, quantity in enumerate(annotation.quantities):
        yield from check(("quantities", i, "measures"), quantity.measures, entities | events, "entity or event")
        yield from check(("quantities", i, "attributed_to"), quantity.attributed_to, entities, "entity")
        for j, ref in enumerate(quantity.of):
            yield from check(("quantities", i, "of", j), ref, entities, "entity")
    for i, relation in enumerate(annotation.relations):
        yield from check(("relations", i, "subject"), relation.subject, entities, "entity")
        yield from check(("relations", i, "object"), relation.object, entities, "entity")


def find_articles(root: Path) -> list[Path]:
    """The article folders under ``root`` (each holds an annotation.yaml), sorted."""
    if not root.is_dir():
        raise InputError(str(root), "not a folder of articles")
    return sorted(p.parent for p in root.glob(f"*/{ANNOTATION_FILE}"))


def authority_path(root: Path) -> Path:
    """Where the authority file of an articles folder lives."""
    return root / AUTHORITY_FILE
