"""The authority of the synthetic articles: a pool of invented entities and posts.

:class:`_Pool` draws, from one ``random.Random``, six countries with their capitals, landmarks,
institutions, armed forces, news agencies and officials, plus armed groups, international
organisations, photographers, equipment manufacturers and models. Every name is invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from kg.annotation import Authority, Entity, EntityType, Position, PositionType

COUNTRIES = (
    "Norvania", "Castavia", "Veloria", "Drovnia", "Calveria", "Marovia", "Selunia", "Tarvenia",
    "Ostelia", "Kelmaria", "Pravonia", "Zevria", "Vestoria", "Amberia", "Lunaria", "Gorlandia",
)  # fmt: skip
CITIES = (
    "Korvel", "Astrand", "Belmuth", "Dravenport", "Ostrel", "Varnholm", "Serrin", "Kaldor",
    "Mirevale", "Tolvasa", "Brasko", "Lindarel", "Quorvin", "Halvik", "Peloran", "Tavrin",
)  # fmt: skip
LANDMARKS = ("Citadel", "Old Palace", "Admiralty House", "Senate Palace", "Garden Palace", "White Hall")
SEAS = ("Amber Sea", "Northern", "Grey Coast", "Southern", "Eastern", "Western", "Iron Bay", "Pearl Sea")
FIRST_NAMES = (
    "Anton", "Mara", "Ilya", "Petra", "Oskar", "Lena", "Dmitar", "Sofia", "Viktor", "Ines",
    "Tomas", "Yara", "Emil", "Nadia", "Karel", "Greta", "Stefan", "Alina", "Bruno", "Daria",
    "Jonas", "Vera", "Milan", "Irena", "Pavel", "Edda", "Lukas", "Tereza",
)  # fmt: skip
LAST_NAMES = (
    "Velik", "Oskarsen", "Brandt", "Korova", "Maren", "Dusek", "Halloran", "Petrin", "Savic",
    "Lindqvist", "Arvanis", "Kostel", "Reyna", "Vrana", "Holm", "Ferro", "Castell", "Novak",
    "Ilves", "Tamsin", "Morel", "Balder", "Sorensen", "Kadlec", "Varga", "Lisle", "Orban", "Weller",
)  # fmt: skip
ARMED_GROUPS = (
    ("Crimson Front", "CF"),
    ("Black Banner Movement", "BBM"),
    ("Iron Valley Brigades", "IVB"),
    ("Free Hills Army", "FHA"),
    ("Red Delta Militia", "RDM"),
)
INTERNATIONAL = (
    ("Council of Coastal Nations", "CCN"),
    ("Commission for Peace Monitoring", "CPM"),
    ("Union of Northern States", "UNS"),
    ("Office for Humanitarian Statistics", "OHS"),
)
MANUFACTURERS = (("Varkov Design Bureau", "Varkov", "VK"), ("Estline Aeroworks", "Estline", "EA"))
CATEGORIES = ("aircraft", "helicopter", "cruise missile", "missile ship", "drone")
MISSILES = ("Stiletto", "Harrow", "Lance", "Talon")
REPORTING_NAMES = ("Gannet", "Falchion", "Skua", "Halberd")
DRONES = ("Kestrel", "Swift", "Merlin")


def _slug(name: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in name.lower()).split())


@dataclass(frozen=True)
class _Named:
    """An entity of the pool: its id, its name and the form the text uses most."""

    id: str
    name: str
    short: str


@dataclass(frozen=True)
class _Official:
    """A person holding a post (and possibly a military rank)."""

    person: _Named
    post: str
    title: str
    rank: str | None = None

    @property
    def surname(self) -> str:
        return self.person.name.split()[-1]


@dataclass(frozen=True)
class _Country:
    """A country with the institutions and officials an article about it names."""

    place: _Named
    adjective: str
    capital: _Named
    landmark: _Named
    government: _Named
    defence_ministry: _Named
    foreign_ministry: _Named
    armed_forces: _Named
    air_force: _Named
    navy: _Named
    army: _Named
    flotilla: _Named
    agency: _Named
    president: _Official
    defence_minister: _Official
    foreign_minister: _Official
    spokesperson: _Official


class _Pool:
    """What the articles of one seed draw on: six countries with their institutions and
    officials, armed groups, international organisations, photographers and equipment."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.entities: dict[str, Entity] = {}
        self.positions: dict[str, Position] = {}
        # each first name and surname used once: no two people of a pool share either
        people = len(FIRST_NAMES)
        self.names = iter(zip(rng.sample(FIRST_NAMES, people), rng.sample(LAST_NAMES, people), strict=True))
        for category in CATEGORIES:
            self.entity(_slug(category), "EquipmentCategory", category)
        self.manufacturers = [
            self.entity(_slug(name), "Organisation", name, short, description="Invented equipment manufacturer.")
            for name, short, _ in MANUFACTURERS
        ]
        self.aircraft: dict[str, list[_Named]] = {}
        for (_, _, prefix), maker in zip(MANUFACTURERS, self.manufacturers, strict=True):
            numbers = [f"{prefix}-{n}{rng.choice(('', 'M', 'SM'))}" for n in rng.sample(range(7, 60), 4)]
            self.aircraft[maker.id] = [self.model(number, "aircraft", maker) for number in numbers]
        self.missiles = [self.model(name, "cruise-missile", nato=rng.choice(REPORTING_NAMES)) for name in MISSILES]
        self.drones = [
            self.model(f"{name}-{rng.randint(2, 9)}", "drone", rng.choice(self.manufacturers)) for name in DRONES
        ]
        self.groups = [
            self.entity(_slug(name), "ArmedGroup", name, short, aliases=[short]) for name, short in ARMED_GROUPS
        ]
        self.international = [
            self.entity(_slug(name), "Organisation", name, short, aliases=[short]) for name, short in INTERNATIONAL
        ]
        self.photographers = [
            self.entity(_slug(name), "Person", name, description="Invented news photographer.")
            for name in (" ".join(next(self.names)) for _ in range(3))
        ]
        places = zip(rng.sample(COUNTRIES, 6), rng.sample(CITIES, 6), rng.sample(SEAS, 6), strict=True)
        self.countries = [self.country(name, city, sea) for name, city, sea in places]

    def authority(self) -> Authority:
        return Authority(entities=self.entities, positions=self.positions)

    def entity(self, eid: str, type_: EntityType, name: str, short: str = "", **fields: object) -> _Named:
        if eid in self.entities:
            raise AssertionError(f"the pool mints the entity id {eid!r} twice")
        self.entities[eid] = Entity.model_validate({"type": type_, "name": name, **fields})
        return _Named(eid, name, short or name)

    def position(self, pid: str, type_: PositionType, name: str, organisation: _Named) -> str:
        self.positions[pid] = Position(type=type_, name=name, organisation=organisation.id)
        return pid

    def model(self, name: str, category: str, maker: _Named | None = None, nato: str | None = None) -> _Named:
        fields: dict[str, object] = {"category": category, "nato_name": nato}
        if maker is not None:
            fields.update(aliases=[f"{maker.short} {name}"], manufacturer=maker.id)
        return self.entity(_slug(name), "EquipmentModel", name, "", **fields)

    def official(self, country: _Named, post: str, title: str, rank: str | None = None) -> _Official:
        name = " ".join(next(self.names))
        person = self.entity(_slug(name), "Person", name, description=f"Invented {title} of {country.name}.")
        return _Official(person, post, title, rank)

    def country(self, name: str, city: str, sea: str) -> _Country:
        slug, adjective = _slug(name), name + "n"  # every invented name ends in -ia
        place = self.entity(slug, "Country", name, description="An invented country.")
        capital = self.entity(_slug(city), "City", city, contained_in=[slug])
        landmark = self.rng.choice(LANDMARKS)
        site = self.entity(f"{capital.id}-{_slug(landmark)}", "Place", landmark, contained_in=[capital.id])

        def body(suffix: str, type_: EntityType, title: str, parent: _Named, *aliases: str) -> _Named:
            return self.entity(f"{slug}-{suffix}", type_, title, aliases=list(aliases), part_of=[parent.id])

        government = body("government", "GovernmentBody", f"Government of {name}", place, f"{adjective} government")
        defence = body("defence-ministry", "GovernmentBody", f"{adjective} Defence Ministry", place)
        foreign = body("foreign-ministry", "GovernmentBody", f"{adjective} Foreign Ministry", place)
        forces = body("armed-forces", "MilitaryUnit", f"Armed Forces of {name}", place, f"{adjective} Armed Forces")
        air_force = body("air-force", "MilitaryUnit", f"{adjective} Air Force", forces)
        navy = body("navy", "MilitaryUnit", f"{adjective} Navy", forces)
        army = body("army", "MilitaryUnit", f"{adjective} Army", forces, f"{adjective} government troops")
        flotilla = self.entity(f"{slug}-{_slug(sea)}-flotilla", "MilitaryUnit", f"{sea} Flotilla", part_of=[navy.id])
        kind = self.rng.choice(("News Agency", "Telegraph Agency", "Press Service"))
        abbreviation = name[0] + "".join(word[0] for word in kind.split())
        agency = self.entity(
            f"{slug}-{_slug(kind)}",
            "NewsAgency",
            f"{name} {kind}",
            abbreviation,
            aliases=[abbreviation],
            description=f"Invented news agency of {name}.",
        )
        general = self.position(f"{slug}-general", "MilitaryRank", "General", forces)
        posts = {
            "president": self.position(f"{slug}-president", "Post", f"President of {name}", place),
            "defence": self.position(f"{slug}-defence-minister", "Post", f"Defence Minister of {name}", defence),
            "foreign": self.position(f"{slug}-foreign-minister", "Post", f"Foreign Minister of {name}", foreign),
            "spokesperson": self.position(
                f"{slug}-foreign-ministry-spokesperson", "Post", f"Spokesperson of the {foreign.name}", foreign
            ),
        }
        return _Country(
            place=place,
            adjective=adjective,
            capital=capital,
            landmark=site,
            government=government,
            defence_ministry=defence,
            foreign_ministry=foreign,
            armed_forces=forces,
            air_force=air_force,
            navy=navy,
            army=army,
            flotilla=flotilla,
            agency=agency,
            president=self.official(place, posts["president"], "President"),
            defence_minister=self.official(place, posts["defence"], "Defence Minister", general),
            foreign_minister=self.official(place, posts["foreign"], "Foreign Minister"),
            spokesperson=self.official(place, posts["spokesperson"], "Foreign Ministry spokesperson"),
        )
