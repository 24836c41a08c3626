"""One synthetic article: its text written from sentence templates, annotated as it grows.

:class:`_ArticleWriter` appends each span to the text while recording its offsets, and gathers
events (:class:`_EventDraft`) and times (:class:`_TimeDraft`) until the annotation is built from
:mod:`kg.annotation`'s own models. It draws its names from a :class:`~kg.synthetic.pool._Pool`.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from kg.annotation import (
    Annotation,
    ArticleMeta,
    Bound,
    Dateline,
    Entity,
    EntityType,
    Event,
    EventType,
    Factuality,
    LocalEntity,
    Participant,
    Photo,
    Quantity,
    Relation,
    RelationProperty,
    Role,
    Span,
    Statement,
    StatementFactuality,
    Tenure,
    TimeExpression,
)
from kg.synthetic.pool import _Country, _Named, _Official, _Pool

TEXT_FILE = "text.txt"
MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _day(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}"


@dataclass
class _EventDraft:
    """An event while its article is written: mentions and participants gather as they appear."""

    id: str
    type: EventType
    label: str
    mentions: list[Span] = field(default_factory=list)
    participants: dict[tuple[str, Role], list[Span]] = field(default_factory=dict)
    factuality: Factuality = field(default_factory=Factuality)
    time: str | None = None
    time_relation: Literal["within", "begins"] = "within"
    places: list[str] = field(default_factory=list)
    sub_event_of: str | None = None
    in_response_to: str | None = None
    purpose: Span | None = None
    outcome: Span | None = None

    def build(self) -> Event:
        participants = [Participant(entity=e, role=r, mentions=s) for (e, r), s in self.participants.items()]
        return Event(
            id=self.id,
            type=self.type,
            label=self.label,
            mentions=self.mentions,
            time=self.time,
            time_relation=self.time_relation,
            places=self.places,
            participants=participants,
            factuality=self.factuality,
            sub_event_of=self.sub_event_of,
            in_response_to=self.in_response_to,
            purpose=self.purpose,
            outcome=self.outcome,
        )


@dataclass
class _TimeDraft:
    """A time expression while its article is written: its mentions gather as they appear."""

    begin: str | None
    end: str | None
    derivation: str
    mentions: list[Span] = field(default_factory=list)


class _ArticleWriter:
    """Writes one article paragraph by paragraph and annotates each span as the text grows.

    Some paragraphs are always written, so that every article has a planned, a negated and a
    to-be-prevented event, direct quotes, a bounded and a vague quantity and times of day and
    year precision; the others, and every name, number, date and wording, are drawn from ``rng``.
    """

    def __init__(self, rng: random.Random, pool: _Pool, article_id: str) -> None:
        self.rng, self.pool, self.article_id = rng, pool, article_id
        self.text = ""
        self.mentions: dict[str, list[Span]] = {}
        self.local: dict[str, Entity] = {}
        self.times: dict[str, _TimeDraft] = {}
        self.tenures: dict[tuple[str, str], list[Span]] = {}
        self.events: list[_EventDraft] = []
        self.kinds: dict[str, int] = {}
        self.statements: list[Statement] = []
        self.quantities: list[Quantity] = []
        self.relations: list[Relation] = []
        self.photo: Photo | None = None
        self.a, self.b, self.c = rng.sample(pool.countries, 3)  # acting, host and third country
        self.group = rng.choice(pool.groups)
        self.monitor = rng.choice(pool.international)
        self.speaker = rng.choice((self.a.defence_minister, self.a.foreign_minister))
        self.spelling = rng.choice(("Defence", "Defense"))
        self.published = date(2016, 1, 1) + timedelta(days=rng.randrange(9 * 365))
        day, weekday = self.published.isoformat(), WEEKDAYS[self.published.weekday()]
        self.today = self.time(
            "publication-day",
            day,
            day,
            f'Day and month from the dateline ("{_day(self.published)}"), year from the publication date; '
            f'"{weekday}" is that day.',
        )
        self.speech = self.event("speech", "SpeechAct", f"{self.speaker.person.name}'s remarks")
        self.speech.time = self.today
        self.plan = self.event("continued-assistance", "Assistance", f"Continued assistance to {self.b.place.name}")
        self.plan.factuality = Factuality(modality="planned")
        self.spread = self.event("threat-spread", "Spread", f"Spread of the {self.group.name} threat")
        self.spread.factuality = Factuality(modality="to_be_prevented")
        self.spread.places = [self.a.place.id]
        self.war = self.event("war", "War", f"War between the {self.b.adjective} army and militants")
        self.request = self.event("request", "Request", f"{self.b.place.name}'s request for military assistance")

    # --- writing and recording -------------------------------------------------------------

    def put(self, surface: str) -> Span:
        """Append ``surface`` (never empty) to the text; its span."""
        start = len(self.text)
        self.text += surface
        return Span(start=start, end=len(self.text), text=surface)

    def mark(self) -> int:
        return len(self.text)

    def since(self, mark: int) -> Span:
        return Span(start=mark, end=len(self.text), text=self.text[mark:])

    def mention(self, ref: str, span: Span) -> Span:
        spans = self.mentions.setdefault(ref, [])
        if span not in spans:
            spans.append(span)
        return span

    def name(self, entity: _Named | str, surface: str | None = None) -> Span:
        """Write an entity's short name, or ``surface``, as a mention of the entity."""
        if isinstance(entity, str):
            return self.mention(entity, self.put(surface or entity))
        return self.mention(entity.id, self.put(surface or entity.short))

    def take(self, event: _EventDraft, entity: _Named | str, role: Role, span: Span) -> Span:
        """``entity`` takes part in ``event`` as ``role``, denoted by ``span`` (also a mention)."""
        ref = entity if isinstance(entity, str) else entity.id
        spans = event.participants.setdefault((ref, role), [])
        if span not in spans:
            spans.append(span)
        return self.mention(ref, span)

    def event(self, kind: str, type_: EventType, label: str) -> _EventDraft:
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        draft = _EventDraft(kind if self.kinds[kind] == 1 else f"{kind}-{self.kinds[kind]}", type_, label)
        self.events.append(draft)
        return draft

    def time(self, tid: str, begin: str | None, end: str | None, derivation: str) -> str:
        self.times[tid] = _TimeDraft(begin, end, derivation)
        return tid

    def day(self, tid: str, day: date, prefix: str) -> str:
        """A time of one day whose year the text leaves to the publication date."""
        derivation = f'Day and month from the text ("{prefix} {_day(day)}"); the year {day.year} from publication.'
        return self.time(tid, day.isoformat(), day.isoformat(), derivation)

    def when(self, tid: str, surface: str) -> Span:
        span = self.put(surface)
        self.times[tid].mentions.append(span)
        return span

    def holds(self, official: _Official, span: Span, position: str | None = None) -> Span:
        spans = self.tenures.setdefault((official.person.id, position or official.post), [])
        if span not in spans:
            spans.append(span)
        return span

    def title(self, official: _Official) -> str:
        return official.title.replace("Defence", self.spelling)

    def titled(self, official: _Official, country: _Country, possessive: bool = False) -> Span:
        """``Castavian President Mara Velik`` or ``Castavia’s President …``: a tenure mention
        around the name (the possessive also names the country); the name's span."""
        mark = self.mark()
        if possessive:
            self.name(country.place)
            self.put("’s ")
        else:
            self.put(f"{country.adjective} ")
        self.put(f"{self.title(official)} ")
        name = self.name(official.person)
        self.holds(official, self.since(mark))
        return name

    def sentence(self) -> None:
        """Start a sentence: a space after the one before it in the same paragraph."""
        if self.text.endswith("."):
            self.put(" ")

    def said(self, surface: str = "said") -> Span:
        span = self.put(surface)
        self.speech.mentions.append(span)
        return span

    def state(
        self,
        kind: Literal["direct_quote", "reported_speech"],
        content: Span,
        attribution: Span,
        about: list[str],
        temporality: Literal["future", "non_future"],
        polarity: Literal["positive", "negative"] = "positive",
        certainty: Literal["certain", "probable", "possible"] = "certain",
        speaker: _Official | None = None,
    ) -> None:
        factuality = StatementFactuality(certainty=certainty, polarity=polarity, temporality=temporality)
        self.statements.append(
            Statement(
                id=f"statement-{len(self.statements) + 1}",
                kind=kind,
                speaker=(speaker or self.speaker).person.id,
                venue=self.speech.id if speaker is None else None,
                time=self.today,
                content=content,
                mentions=[attribution],
                about=about,
                factuality=factuality,
            )
        )

    def count(self, span: Span, unit: str, measures: str, aspect: str, **value: object) -> None:
        qid = f"quantity-{len(self.quantities) + 1}"
        fields = {"id": qid, "mentions": [span], "unit": unit, "measures": measures, "aspect": aspect, **value}
        self.quantities.append(Quantity.model_validate(fields))

    def relate(self, subject: str, prop: RelationProperty, obj: str, span: Span) -> None:
        self.relations.append(Relation(subject=subject, property=prop, object=obj, mentions=[span]))

    def local_entity(self, lid: str, type_: EntityType, name: str, **fields: object) -> str:
        """An entity only this article knows; its mentions are gathered like the others'."""
        self.local[lid] = Entity.model_validate({"type": type_, "name": name, **fields})
        return lid

    # --- the article, paragraph by paragraph ------------------------------------------------

    def write(self) -> tuple[str, Annotation]:
        rng = self.rng
        headline = self.headline()
        alternative = self.alternative_headline() if rng.random() < 0.7 else None
        if rng.random() < 0.7:
            self.photograph()
        dateline = self.lead()
        self.collegium_quote()
        self.decision()
        offensive = self.offensive_quote() if rng.random() < 0.75 else None
        if rng.random() < 0.7:
            self.plan_quote()
        if rng.random() < 0.6:
            self.cooperation()
        self.operation(offensive)
        if rng.random() < 0.7:
            self.possible_assistance()
        self.casualties()
        if rng.random() < 0.7:
            self.conference()
        if rng.random() < 0.6:
            self.planned_meeting()
        self.text = self.text.rstrip("\n") + "\n"  # no span ends in a line break
        return self.text, self.annotation(headline, alternative, dateline)

    def headline(self) -> Span:
        a, b = self.a, self.b
        agent = self.take(self.plan, a.place, "agent", self.name(a.place))
        self.put(" to ")
        self.plan.mentions.append(self.put(self.rng.choice(("continue rendering assistance", "keep assisting"))))
        self.put(" ")
        self.take(self.plan, b.place, "beneficiary", self.name(b.place))
        self.put(" against ")
        self.take(self.plan, self.group, "opponent", self.name(self.group))
        content = self.since(agent.start)
        self.put(" — ")
        attribution = self.holds(self.speaker, self.name(self.speaker.person, self.title(self.speaker).lower()))
        about = [self.plan.id, a.place.id, b.place.id, self.group.id]
        self.state("reported_speech", content, attribution, about, "future")
        headline = self.since(0)
        self.put("\n\n")
        return headline

    def alternative_headline(self) -> Span:
        a, mark = self.a, self.mark()
        self.name(a.place.id, a.capital.name)  # the capital standing for the state
        self.put(" will not allow ")
        spread = self.mark()
        self.put("the ")
        self.take(self.spread, self.group, "agent", self.name(self.group, self.group.name))
        self.put(" threat to spread to its allies")
        self.spread.mentions.append(self.since(spread))
        content = self.since(mark)
        self.put(", ")
        attribution = self.mark()
        self.take(self.speech, self.speaker.person, "speaker", self.titled(self.speaker, a))
        self.put(" ")
        self.said("says")
        about = [self.spread.id, a.place.id]
        self.state("reported_speech", content, self.since(attribution), about, "future", "negative")
        alternative = self.since(mark)
        self.put("\n")
        return alternative

    def photograph(self) -> None:
        a, b = self.a, self.b
        meeting = self.event("photo-meeting", "Meeting", f"Meeting in the {a.landmark.name} of {a.capital.name}")
        mark = self.mark()
        people = [(b.president, b, ", "), (a.president, a, " and "), (self.speaker, a, " during ")]
        for official, country, glue in people:
            self.take(meeting, official.person, "attendee", self.titled(official, country, possessive=True))
            self.put(glue)
        at = self.mark()
        self.put("a meeting at ")
        place = self.mark()
        self.name(a.capital)
        self.put("’s ")
        self.name(a.landmark)
        self.relate(a.landmark.id, "located_in", a.capital.id, self.since(place))
        meeting.mentions.append(self.since(at))
        meeting.places = [a.landmark.id]
        caption = self.since(mark)
        self.put("\n")
        photographer = self.rng.choice(self.pool.photographers)
        credit = self.mark()
        self.put("© ")
        self.name(photographer)
        self.put("/")
        self.name(a.agency)
        self.photo = Photo(
            id="photo",
            captions=[caption],
            depicts=[official.person.id for official, _, _ in people],
            depicts_event=meeting.id,
            location=a.landmark.id,
            creator=photographer.id,
            credit=self.since(credit),
            credited_to=[a.agency.id],
        )
        self.put("\n")

    def lead(self) -> Dateline:
        a, b, speaker = self.a, self.b, self.speaker
        if not self.text.endswith("\n\n"):
            self.put("\n")
        dateline = Dateline(place=a.capital.id, mentions=[self.put(a.capital.name.upper())])
        self.put(", ")
        self.when(self.today, _day(self.published))
        self.put(". /")
        self.name(a.agency)
        self.put("/. ")
        first = self.mark()
        self.take(self.plan, a.place, "agent", self.name(a.place))
        self.put(" cannot allow ")
        spread = self.mark()
        self.put("the spread of the ")
        self.take(self.spread, self.group, "agent", self.name(self.group, self.group.name))
        self.put(" threat to ")
        self.name(a.place)
        self.put(" and its allies")
        self.spread.mentions.append(self.since(spread))
        refusal = self.since(first)
        self.put(" and ")
        second = self.mark()
        words, glue = self.rng.choice((("will continue to render assistance", " to "), ("will keep helping", " ")))
        self.plan.mentions.append(self.put(words))
        self.put(glue)
        government = self.mark()
        self.put("the legitimate government of ")
        self.name(b.place)
        self.take(self.plan, b.government, "beneficiary", self.since(government))
        promise = self.since(second)
        self.put(", ")
        attribution = self.mark()
        if speaker.rank is not None:
            self.put(f"{a.adjective} {self.title(speaker)}, ")
            rank = self.mark()
            self.put("General ")
            name = self.name(speaker.person)
            self.holds(speaker, self.since(rank), speaker.rank)
            self.holds(speaker, self.since(attribution))
        else:
            name = self.titled(speaker, a)
        self.take(self.speech, speaker.person, "speaker", name)
        self.put(" ")
        self.said()
        self.put(" on ")
        self.when(self.today, WEEKDAYS[self.published.weekday()])
        said = self.since(attribution)
        self.state("reported_speech", refusal, said, [self.spread.id, self.group.id, a.place.id], "future", "negative")
        self.state("reported_speech", promise, said, [self.plan.id, b.government.id], "future")
        self.put(".\n\n")
        return dateline

    def collegium_quote(self) -> None:
        a, c, speaker = self.a, self.c, self.speaker
        self.put('"')
        content = self.mark()
        self.put("In recent years, the activity of the ")
        self.name(self.group, self.group.name)
        self.put(" (")
        outlawed = self.mark()
        self.put("outlawed in ")
        self.name(a.place)
        self.relate(self.group.id, "outlawed_in", a.place.id, self.since(outlawed))
        self.put(") has considerably intensified. ")
        self.name(a.place.id, "We")
        self.put(" cannot allow ")
        spread = self.mark()
        self.put("the expansion of the terrorist threat to the territory of ")
        self.name(a.place)
        self.put(" and ")
        self.name(a.place.id, "our")
        self.put(" allies")
        self.spread.mentions.append(self.since(spread))
        self.put(",")
        quote = self.since(content)
        self.put('" ')
        attribution = self.mark()
        name = self.name(speaker.person, speaker.surname)
        self.put(" ")
        self.said()
        self.put(" at ")
        ministries = "defence ministries" if speaker.rank else "foreign ministries"
        kinds: tuple[tuple[str, EventType], ...] = (("collegium meeting", "Meeting"), ("conference", "Conference"))
        kind, type_ = self.rng.choice(kinds)
        meeting = self.event(
            "joint-meeting", type_, f"Joint {kind} of the {a.adjective} and {c.adjective} {ministries}"
        )
        meeting.time = self.today
        at = self.mark()
        self.put(f"a joint {kind} of the ")
        organisers = self.mark()
        self.put(f"{a.adjective} and {c.adjective} {ministries.replace('defence', self.spelling.lower())}")
        for country in (a, c):
            body = country.defence_ministry if speaker.rank else country.foreign_ministry
            self.take(meeting, body, "organiser", self.since(organisers))
        meeting.mentions.append(self.since(at))
        self.take(meeting, speaker.person, "attendee", name)
        self.speech.sub_event_of = meeting.id
        about = [self.group.id, self.spread.id, a.place.id]
        self.state("direct_quote", quote, self.since(attribution), about, "future", "negative")
        self.put(".\n\n")

    def decision(self) -> None:
        a, b = self.a, self.b
        attribution = self.mark()
        self.holds(self.speaker, self.name(self.speaker.person, "The minister"))
        self.put(" ")
        self.said()
        said = self.since(attribution)
        self.put(" ")
        content = self.mark()
        self.put("that ")
        decision = self.event("decision", "Decision", f"{a.place.name}'s decision to answer the request")
        assistance = self.event("military-assistance", "Assistance", f"{a.adjective} military assistance")
        decision.in_response_to = assistance.in_response_to = self.request.id
        agent = self.name(a.place)
        self.take(decision, a.place, "agent", agent)
        self.take(assistance, a.place, "agent", agent)
        self.put(" ")
        decision.mentions.append(self.put(self.rng.choice(("has decided", "decided"))))
        self.put(" to answer ")
        request = self.mark()
        self.put(self.rng.choice(("the request of friendly ", "the request of ")))
        self.take(self.request, b.place, "requester", self.name(b.place))
        self.request.mentions.append(self.since(request))
        self.put(" and ")
        provide = self.mark()
        self.put("provide military assistance to ")
        government = self.name(b.government, f"the {b.adjective} government")
        self.take(assistance, b.government, "beneficiary", government)
        self.put(" in the fight against the ")
        self.take(assistance, self.group, "opponent", self.name(self.group, self.group.name))
        assistance.mentions.append(self.since(provide))
        about = [decision.id, self.request.id, assistance.id, a.place.id, b.place.id, b.government.id]
        about.append(self.group.id)
        self.state("reported_speech", self.since(content), said, about, "non_future")
        self.put(".\n\n")

    def offensive_quote(self) -> _EventDraft:
        a, b = self.a, self.b
        offensive = self.event("offensive", "MilitaryOperation", f"The {b.adjective} army's large-scale offensive")
        liberation = self.event("liberation", "Liberation", f"The {b.adjective} army liberates territory")
        support = self.event("air-support", "Assistance", f"{a.adjective} air support for the {b.adjective} army")
        offensive.places, liberation.sub_event_of = [b.place.id], offensive.id
        self.put('"')
        content = self.mark()
        army = self.name(b.army, f"The {b.adjective} army")
        self.take(offensive, b.army, "agent", army)
        self.take(liberation, b.army, "agent", army)
        self.take(support, b.army, "beneficiary", army)
        self.put(" with ")
        mark = self.mark()
        self.take(support, a.place, "agent", self.name(a.place.id, "our"))
        self.put(" air support")
        support.mentions.append(self.since(mark))
        self.put(" has ")
        offensive.mentions.append(self.put("changed from defence to offensive"))
        self.put(" and ")
        liberation.mentions.append(self.put("liberated"))
        self.put(" ")
        territory = self.mark()
        self.put("part of the territory that was controlled by ")
        self.take(liberation, self.group, "opponent", self.name(self.group, f"{self.group.name} militants"))
        name = f"territory liberated from the {self.group.name}"
        region = self.local_entity("liberated-territory", "Place", name, contained_in=[b.place.id])
        self.take(liberation, region, "patient", self.since(territory))
        liberation.places = [region]
        self.put(",")
        quote = self.since(content)
        self.put('" ')
        attribution = self.mark()
        self.name(self.speaker.person, self.speaker.surname)
        self.put(" ")
        self.said()
        about = [offensive.id, liberation.id, support.id, b.army.id, region, self.group.id]
        self.state("direct_quote", quote, self.since(attribution), about, "non_future")
        self.put(".\n\n")
        return offensive

    def plan_quote(self) -> None:
        b = self.b
        self.put('"')
        content = self.mark()
        self.take(self.plan, self.a.place, "agent", self.name(self.a.place.id, "We"))
        self.put(" plan to ")
        self.plan.mentions.append(self.put("continue to provide assistance"))
        self.put(" to ")
        government = self.mark()
        self.put("the legitimate government of ")
        self.name(b.place)
        self.take(self.plan, b.government, "beneficiary", self.since(government))
        self.put(" and to create conditions for the settlement of ")
        self.war.mentions.append(self.put("the conflict"))
        self.put(",")
        quote = self.since(content)
        self.put('" ')
        attribution = self.mark()
        self.holds(self.speaker, self.name(self.speaker.person, f"the {self.title(self.speaker).lower()}"))
        self.put(" ")
        self.said("added")
        about = [self.plan.id, b.government.id, self.war.id]
        self.state("direct_quote", quote, self.since(attribution), about, "future")
        self.put(".\n\n")

    def cooperation(self) -> None:
        attribution = self.mark()
        self.put("According to ")
        self.name(self.speaker.person, "him")
        said = self.since(attribution)
        self.put(", ")
        content = self.mark()
        self.name(self.a.place)
        self.put(f" {self.rng.choice(('will deepen', 'intends to deepen'))} its cooperation with ")
        self.name(self.c.place)
        self.put(" in the fight against terrorism")
        about = [self.a.place.id, self.c.place.id]
        self.state("reported_speech", self.since(content), said, about, "future", certainty="probable")
        self.put(".\n\n")

    def operation(self, offensive: _EventDraft | None) -> None:
        rng, a, b, group = self.rng, self.a, self.b, self.group
        started = self.published - timedelta(days=rng.randint(12, 45))
        campaign = self.event(
            "air-campaign", "MilitaryOperation", f"{a.adjective} military operation in {b.place.name}"
        )
        campaign.places, campaign.in_response_to = [b.place.id], self.request.id
        campaign.time, campaign.time_relation = self.day("operation-start", started, "on"), "begins"
        self.take(campaign, a.air_force, "agent", self.name(a.air_force, f"The {a.air_force.name}"))
        self.put(" ")
        campaign.mentions.append(self.put(f"started delivering {rng.choice(('pinpoint', 'precision', 'air'))} strikes"))
        self.put(" at ")
        target = self.mark()
        self.put("facilities of the ")
        self.take(campaign, group, "opponent", self.name(group, group.name))
        self.put(" in ")
        self.name(b.place)
        name = f"{group.name} facilities in {b.place.name}"
        facilities = self.local_entity("militant-facilities", "Place", name, contained_in=[b.place.id])
        self.take(campaign, facilities, "target", self.since(target))
        self.put(" on ")
        self.when(campaign.time, _day(started))
        self.put(".")
        self.air_group(campaign, facilities)
        strikes = rng.randint(0, 2)
        days = sorted(rng.sample(range(1, (self.published - started).days), strikes + 1))
        for offset in days[:strikes]:
            self.naval_strike(campaign, facilities, started + timedelta(days=offset))
        if offensive is not None:
            day = started + timedelta(days=days[-1])
            offensive.time = self.day("offensive-day", day, "On")
            self.sentence()
            self.put("On ")
            self.when(offensive.time, _day(day))
            self.put(", ")
            self.take(offensive, b.army, "agent", self.name(b.army, f"the {b.adjective} army"))
            self.put(" ")
            offensive.mentions.append(self.put("passed to a large-scale offensive"))
            self.put(".")
        self.put("\n\n")
        self.take(campaign, a.armed_forces, "agent", self.name(a.armed_forces, f"{a.place.name}’s forces"))
        self.put(" conduct ")
        campaign.mentions.append(self.put("the operation"))
        self.put(" at ")
        request = self.mark()
        self.put("the request from ")
        self.take(self.request, b.president.person, "requester", self.titled(b.president, b))
        self.request.mentions.append(self.since(request))
        self.put(".")
        ground = self.event("ground-operations", "MilitaryOperation", f"{a.adjective} ground operations (not planned)")
        ground.factuality = Factuality(modality="planned", polarity="negative")
        ground.places = [b.place.id]
        self.sentence()
        self.take(ground, a.place, "agent", self.name(a.place))
        self.put(" does not plan to ")
        mark = self.mark()
        self.put("take part in ground operations in ")
        self.name(b.place)
        ground.mentions.append(self.since(mark))
        self.put(".\n\n")

    def air_group(self, campaign: _EventDraft, facilities: str) -> None:
        rng, a = self.rng, self.a
        name = f"{a.adjective} air group in {self.b.place.name}"
        group = self.local_entity("air-group", "MilitaryUnit", name, part_of=[a.air_force.id])
        self.sentence()
        sentence = self.mark()
        self.take(campaign, group, "agent", self.name(group, "The air group"))
        self.put(" comprises ")
        amount = rng.choice((30, 40, 50, 60, 70, 80))
        words, inclusive = rng.choice((("over", False), ("more than", False), ("at least", True)))
        size = self.mark()
        self.put(f"{words} {amount} ")
        self.name("aircraft")
        self.put(" and ")
        self.name("helicopter", "helicopters")
        bound = Bound(value=amount, inclusive=inclusive)
        of = ["aircraft", "helicopter"]
        self.count(self.since(size), "aircraft and helicopters", group, "comprises", lower_bound=bound, of=of)
        self.put(", including ")
        maker = rng.choice(self.pool.manufacturers)
        models = rng.sample(self.pool.aircraft[maker.id], rng.randint(2, 4))
        first = self.mark()
        self.name(maker)
        self.put(" ")
        self.put(models[0].name)
        self.mention(models[0].id, self.since(first))
        for i, model in enumerate(models[1:], 2):
            self.put(" and " if i == len(models) else ", ")
            self.name(model)
        self.put(" ")
        self.name("aircraft")
        stated = self.since(sentence)
        for model in models:
            self.relate(group, "equipped_with", model.id, stated)
        self.put(".")
        vague = rng.choice(("Hundreds", "Dozens", "Scores"))
        strike = self.event("facilities-hit", "Strike", f"{a.adjective} aircraft hit {vague.lower()} of facilities")
        strike.sub_event_of = campaign.id
        self.sentence()
        target = self.mark()
        self.put(f"{vague} of terrorist facilities")
        self.take(strike, facilities, "target", self.since(target))
        self.count(self.since(target), "facilities", strike.id, "hit", vague=vague.lower(), of=[facilities])
        self.put(" ")
        strike.mentions.append(self.put("have been hit"))
        self.put(" by ")
        self.take(strike, group, "agent", self.put(f"{a.adjective} aircraft"))
        self.put(".")

    def naval_strike(self, campaign: _EventDraft, facilities: str, day: date) -> None:
        rng, a, b = self.rng, self.a, self.b
        missile = rng.choice(self.pool.missiles)
        strike = self.event("naval-strike", "Strike", f"{a.flotilla.name} missile strike in {b.place.name}")
        strike.sub_event_of, strike.places = campaign.id, [b.place.id]
        strike.time = self.day(f"{strike.id}-day", day, "On")
        self.sentence()
        self.put("On ")
        self.when(strike.time, _day(day))
        self.put(", ")
        ships, missiles = rng.randint(2, 6), rng.randint(6, 40)
        agent = self.mark()
        self.put(f"{NUMBER_WORDS[ships]} ")
        self.name("missile-ship", "missile ships")
        self.count(self.since(agent), "ships", strike.id, "ships that fired", value=ships, of=["missile-ship"])
        self.put(" of the ")
        unit = self.mark()
        self.name(a.navy, f"{a.navy.name}’s")
        self.put(" ")
        self.name(a.flotilla)
        self.relate(a.flotilla.id, "part_of", a.navy.id, self.since(unit))
        self.take(strike, a.flotilla, "agent", self.since(agent))
        self.put(" ")
        fired = self.mark()
        self.put("fired ")
        weapons = self.mark()
        self.put(f"{missiles} ")
        self.name(missile)
        self.put(" ")
        self.name("cruise-missile", "cruise missiles")
        self.take(strike, missile, "instrument", self.since(weapons))
        self.count(self.since(weapons), "cruise missiles", strike.id, "fired", value=missiles, of=[missile.id])
        strike.mentions.append(self.since(fired))
        codename = self.pool.entities[missile.id].nato_name
        if codename is not None:
            self.put(" (NATO codename ")
            self.name(missile, codename)
            self.put(")")
        self.put(" at ")
        target = self.mark()
        self.put("militants’ facilities in ")
        self.name(b.place)
        self.take(strike, facilities, "target", self.since(target))
        self.put(".")

    def possible_assistance(self) -> None:
        a, b = self.a, self.b
        drone = self.rng.choice(self.pool.drones)
        event = self.event("drone-deliveries", "Assistance", f"Possible deliveries of {drone.name} drones")
        event.factuality = Factuality(modality="planned", certainty="possible")
        self.put('"')
        content = self.mark()
        self.take(event, a.place, "agent", self.name(a.place))
        self.put(" ")
        mark = self.mark()
        self.put("may send additional ")
        weapons = self.mark()
        self.name(drone)
        self.put(" ")
        self.name("drone", "drones")
        self.take(event, drone, "instrument", self.since(weapons))
        self.put(" to ")
        self.take(event, b.place, "beneficiary", self.name(b.place))
        event.mentions.append(self.since(mark))
        self.put(" if the situation requires it,")
        quote = self.since(content)
        self.put('" ')
        attribution = self.mark()
        self.titled(a.spokesperson, a)
        self.put(" told reporters")
        about = [event.id, a.place.id, b.place.id, "drone"]
        self.state(
            "direct_quote",
            quote,
            self.since(attribution),
            about,
            "future",
            certainty="possible",
            speaker=a.spokesperson,
        )
        self.put(".\n\n")

    def casualties(self) -> None:
        rng, b = self.rng, self.b
        begun = self.published.year - rng.randint(2, 8)
        self.war.places = [b.place.id]
        derivation = f'The year is in the text ("since its start in {begun}"); no end: the fighting goes on.'
        self.war.time = self.time("war-start", str(begun), None, derivation)
        attribution = self.mark()
        self.put("According to ")
        self.name(self.monitor)
        self.put(" statistics")
        source = self.since(attribution)
        self.put(", ")
        fighting = self.mark()
        self.put("fighting between ")
        self.take(self.war, b.army, "agent", self.name(b.army, f"{b.adjective} government troops"))
        self.put(" and ")
        militants = self.local_entity("militants", "ArmedGroup", f"militants fighting the {b.adjective} army")
        self.take(self.war, militants, "opponent", self.name(militants, "militants"))
        self.war.mentions.append(self.since(fighting))
        self.put(" has killed ")
        deaths = rng.choice((20_000, 50_000, 100_000, 150_000, 200_000))
        words, inclusive = rng.choice((("more than", False), ("over", False), ("at least", True)))
        killed = self.put(f"{words} {deaths:,} people")
        bound = Bound(value=deaths, inclusive=inclusive)
        sourced = {"attributed_to": self.monitor.id, "attribution": source}
        self.count(killed, "people", self.war.id, "killed", lower_bound=bound, **sourced)
        self.put(" and displaced ")
        vague = rng.choice(("millions", "hundreds of thousands", "tens of thousands"))
        self.count(self.put(vague), "people", self.war.id, "displaced", vague=vague, **sourced)
        self.put(" since its start in ")
        self.when(self.war.time, str(begun))
        self.put(".\n\n")

    def conference(self) -> None:
        rng, a, b, c = self.rng, self.a, self.b, self.c
        year, first = self.published.year - rng.randint(1, 2), rng.randint(1, 11)
        name = f"{c.capital.name}-{rng.randint(1, 4)}"
        conference = self.event("peace-conference", "Conference", f"{name} peace conference on {b.place.name}")
        months = (f"{year}-{first:02d}", f"{year}-{first + 1:02d}")
        conference.time = self.time("conference-months", *months, "Months and year are all in the text.")
        mark = self.mark()
        self.put("An international peace conference on ")
        self.name(b.place)
        self.put(f", dubbed {name}")
        conference.mentions.append(self.since(mark))
        self.put(", organized by ")
        self.take(conference, a.place, "organiser", self.name(a.place))
        self.put(" and ")
        self.take(conference, c.place, "organiser", self.name(c.place))
        self.put(" and ")
        purpose = self.mark()
        self.put("designed to negotiate a solution to ")
        self.war.mentions.append(self.put(f"the {b.adjective} crisis"))
        conference.purpose = self.since(purpose)
        self.put(", held in ")
        self.when(conference.time, f"{MONTHS[first - 1]} and {MONTHS[first]} {year}")
        self.put(", ")
        conference.outcome = self.put(rng.choice(("brought no particular progress", "ended without an agreement")))
        self.put(".\n\n")

    def planned_meeting(self) -> None:
        a, c = self.a, self.c
        month = self.published.replace(day=1) + timedelta(days=31 * self.rng.randint(1, 3))
        label = f"Planned meeting of {a.president.surname} and {c.president.surname}"
        summit = self.event("planned-summit", "Meeting", label)
        summit.factuality = Factuality(modality="planned", certainty="probable")
        summit.places = [c.capital.id]
        stamp = f"{month.year}-{month.month:02d}"
        summit.time = self.time("summit-month", stamp, stamp, "Month and year are in the text; the meeting is to come.")
        self.take(summit, a.president.person, "attendee", self.titled(a.president, a))
        self.put(" and ")
        self.take(summit, c.president.person, "attendee", self.titled(c.president, c))
        self.put(" are expected to ")
        summit.mentions.append(self.put("meet"))
        self.put(" in ")
        self.name(c.capital)
        self.put(" in ")
        self.when(summit.time, f"{MONTHS[month.month - 1]} {month.year}")
        self.put(".\n")

    # --- the annotation ------------------------------------------------------------------

    def annotation(self, headline: Span, alternative: Span | None, dateline: Dateline) -> Annotation:
        local = {
            lid: LocalEntity.model_validate(
                {**entity.model_dump(exclude_defaults=True), "mentions": self.mentions.pop(lid)}
            )
            for lid, entity in self.local.items()
        }
        meta = ArticleMeta(
            id=self.article_id,
            text=TEXT_FILE,
            sha256=hashlib.sha256(self.text.encode()).hexdigest(),
            language="en",
            publisher=self.a.agency.id,
            headline=headline,
            alternative_headline=alternative,
            dateline=dateline,
            date_published=self.published.isoformat(),
            publication_time=self.today,
        )
        times = {
            tid: TimeExpression(begin=t.begin, end=t.end, mentions=t.mentions, derivation=t.derivation)
            for tid, t in self.times.items()
        }
        tenures = [
            Tenure(id=f"tenure-{i}", holder=holder, position=position, time=self.today, mentions=spans)
            for i, ((holder, position), spans) in enumerate(self.tenures.items(), 1)
        ]
        return Annotation(
            article=meta,
            photo=self.photo,
            mentions=self.mentions,
            local_entities=local,
            times=times,
            tenures=tenures,
            events=[event.build() for event in self.events],
            statements=self.statements,
            quantities=self.quantities,
            relations=self.relations,
        )
