"""The HTML pages for real, on a running `kg serve`: valid HTML5 (html5lib, strict), accessible
(language, one h1, labelled fields, alt texts, titled pictures), and saying what the data says:
the article's mentions are all links, the timeline tells planned and negated events apart, the
entity page lists names, posts and the verified Wikidata link, the event page gives quantities and
factuality in words, the query page runs its examples.

Also the pure parts (cutting nested and overlapping mentions, the words) without a server.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from itertools import pairwise

import html5lib
import httpx
import pytest
from rdflib import Graph, URIRef

from kg.server.pages import (
    EXAMPLES,
    QuantityFacts,
    Site,
    Span,
    Target,
    factuality_class,
    factuality_words,
    highlighted,
    quantity_words,
    span_words,
)
from kg.server.pictures import TimelineItem, first_day, last_day, timeline
from tests.test_server_linked import ARTICLE, BASE, BROWSER, RESOURCES, A, serving

NS = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"

PAGES = {
    "home": "/",
    "query": "/query",
    "ontology": "/ontology",
    "graph": f"/graph/article/{ARTICLE}",
    "not found": "/page/entity/no-such-thing",
    **{kind: f"/page/{path}" for kind, path in RESOURCES.items()},
    "putin": "/page/entity/vladimir-putin",
    "equipment": "/page/entity/su-34",
    "planned event": f"/page/{A}/event/continued-assistance",
    "dated event": f"/page/{A}/event/syrian-war",
    "direct quote": f"/page/{A}/statement/quote-terrorist-threat",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with serving(tmp_path_factory) as url, httpx.Client(base_url=url, trust_env=False, timeout=30.0) as c:
        yield c


@pytest.fixture(scope="module")
def documents(client: httpx.Client) -> dict[str, tuple[str, ET.Element]]:
    """Every page kind, fetched as a browser would and parsed strictly."""
    out = {}
    for kind, path in PAGES.items():
        response = client.get(path, headers={"Accept": BROWSER})
        assert response.status_code == (404 if kind == "not found" else 200), (kind, response.text[:300])
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        out[kind] = (response.text, parse(response.text))
    return out


def parse(text: str) -> ET.Element:
    tree: ET.Element = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True).parse(text)
    return tree


def all_of(root: ET.Element, tag: str) -> list[ET.Element]:
    return list(root.iter(f"{NS}{tag}"))


def text_of(element: ET.Element) -> str:
    return "".join(element.itertext())


def one(root: ET.Element, tag: str, **attributes: str) -> ET.Element:
    found = [e for e in all_of(root, tag) if all(e.get(k) == v for k, v in attributes.items())]
    assert len(found) == 1, (tag, attributes, len(found))
    return found[0]


def by_id(root: ET.Element, ident: str) -> ET.Element:
    found = [e for e in root.iter() if e.get("id") == ident]
    assert len(found) == 1, ident
    return found[0]


# --- valid and accessible ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(PAGES))
def test_every_page_is_valid_html5(documents: dict[str, tuple[str, ET.Element]], kind: str) -> None:
    text, _ = documents[kind]
    parse(text)  # raises on the first parse error
    assert text.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("kind", list(PAGES))
def test_every_page_is_accessible(documents: dict[str, tuple[str, ET.Element]], kind: str) -> None:
    _, root = documents[kind]
    assert root.get("lang") == "en"
    assert len(all_of(root, "h1")) == 1
    assert all_of(root, "main")
    one(root, "a", href="#main")  # the skip link
    levels = [int(e.tag[-1]) for e in root.iter() if re.fullmatch(rf"{re.escape(NS)}h[1-6]", str(e.tag))]
    assert all(b - a <= 1 for a, b in pairwise(levels)), levels  # no skipped level
    for image in all_of(root, "img"):
        assert image.get("alt") is not None
    labelled = {e.get("for") for e in all_of(root, "label")}
    for tag in ("input", "select", "textarea"):
        for field in all_of(root, tag):
            if field.get("type") in ("hidden", "submit"):
                continue
            assert field.get("id") in labelled or field.get("aria-label"), (tag, field.attrib)
    for svg in root.iter(f"{SVG}svg"):
        if svg.get("aria-hidden") == "true":
            continue
        assert svg.get("role") == "img"
        assert svg.get("aria-label")
        assert svg.find(f"{SVG}title") is not None
        for link in svg.iter(f"{SVG}a"):
            assert link.get("tabindex") == "-1"  # the same links are listed as text beside the picture
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for element in root.iter():
        for reference in (element.get("aria-describedby") or "").split() + (
            element.get("aria-labelledby") or ""
        ).split():
            assert reference in ids, reference


@pytest.mark.parametrize("kind", [k for k in PAGES if k not in ("home", "query", "not found")])
def test_every_page_links_the_rdf_that_describes_the_same_resource(
    client: httpx.Client, documents: dict[str, tuple[str, ET.Element]], kind: str
) -> None:
    _, root = documents[kind]
    alternates = [e for e in all_of(root, "link") if e.get("rel") == "alternate" and e.get("type") == "text/turtle"]
    assert alternates
    href = alternates[0].get("href")
    assert href is not None
    response = client.get(href)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.content, format="turtle")
    if kind == "graph":  # a graph's document is its content
        assert len(graph) > 100
        return
    shown = text_of(one(one(root, "p", **{"class": "iri"}), "code")) if kind != "ontology" else f"{BASE}ontology"
    assert (URIRef(shown), None, None) in graph


def test_pages_have_light_and_dark_styles(client: httpx.Client) -> None:
    css = client.get("/static/kg.css").text
    assert "@media (prefers-color-scheme: dark)" in css
    assert ":focus-visible" in css


# --- the article -----------------------------------------------------------------------------------


def mentions_in_the_store(client: httpx.Client) -> list[tuple[int, int, str]]:
    query = f"""PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
        SELECT DISTINCT ?b ?e ?a WHERE {{ GRAPH <{BASE}graph/article/{ARTICLE}> {{
          ?m nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?a }} }}"""
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    rows = response.json()["results"]["bindings"]
    return sorted((int(r["b"]["value"]), int(r["e"]["value"]), r["a"]["value"]) for r in rows)


def test_the_article_text_links_every_mention(
    client: httpx.Client, documents: dict[str, tuple[str, ET.Element]]
) -> None:
    _, root = documents["article"]
    pieces = {}
    for a in all_of(root, "a"):
        if "m" in (a.get("class") or "").split():
            start, end = int(a.get("data-start", "-1")), int(a.get("data-end", "-1"))
            assert a.get("href", "").startswith("/page/")
            pieces[start] = (end, text_of(a))
    mentions = mentions_in_the_store(client)
    assert len(mentions) > 150
    for begin, end, anchor in mentions:
        # the pieces covering the mention join up to its text, each a link
        covered, at = [], begin
        while at < end:
            assert at in pieces, (begin, end, anchor, at)
            stop, text = pieces[at]
            covered.append(text)
            at = stop
        assert at == end
        assert "".join(covered) == anchor
    # and every mention is a row of the table of mentions, linked to what it denotes
    table = one(root, "table", **{"class": "mentions"})
    rows = {text_of(tr.findall(f"{NS}td")[1]): tr for tr in table.iter(f"{NS}tr") if tr.findall(f"{NS}td")}
    for _, _, anchor in mentions:
        assert anchor in rows
        assert rows[anchor].findall(f".//{NS}td/{NS}a")


def test_a_mention_piece_links_to_its_innermost_mention_and_says_what_it_is(
    documents: dict[str, tuple[str, ET.Element]],
) -> None:
    _, root = documents["article"]
    # "Russia's Defense Minister Sergei Shoigu" (a tenure) holds "Russia" and "Sergei Shoigu"
    piece = by_id(root, "t408")
    assert text_of(piece) == "Sergei Shoigu"
    assert piece.get("href") == "/page/entity/sergey-shoigu"
    assert int(piece.get("data-depth", "0")) >= 3  # caption, tenure, person
    tip = by_id(root, piece.get("aria-describedby", ""))
    assert tip.get("role") == "tooltip"
    assert "person: Sergey Shoigu" in text_of(tip)
    russia = by_id(root, "t382")
    assert text_of(russia) == "Russia"
    assert russia.get("href") == "/page/entity/russia"
    assert "country: Russia" in text_of(by_id(root, russia.get("aria-describedby", "")))


def test_the_article_shows_its_photo_caption_and_credit(documents: dict[str, tuple[str, ET.Element]]) -> None:
    text, root = documents["article"]
    figure = one(root, "figure", **{"class": "photo"})
    caption = text_of(figure)
    assert "Syria's President Bashar al-Assad, Russia's President Vladimir Putin" in caption
    assert "© Alexei Druzhinin/Russian Presidential Press and Information Office/TASS" in caption
    assert 'href="/page/entity/alexei-druzhinin"' in text


def test_the_timeline_tells_what_happened_from_what_was_planned_negated_or_to_be_prevented(
    documents: dict[str, tuple[str, ET.Element]],
) -> None:
    _, root = documents["article"]
    svg = by_id(root, "timeline")
    assert svg.get("role") == "img"
    items = {
        text_of(g.find(f"{SVG}title")).split(":")[0]: g.get("class", "")
        for g in svg.iter(f"{SVG}g")
        if "tl-item" in (g.get("class") or "")
    }
    assert items["War between Syrian government troops and militants"] == "tl-item actual"
    # a month is a bar over the month; "since 2011" and "from September 30" run open-ended
    bars = {
        text_of(g.find(f"{SVG}title")).split(":")[0]: g
        for g in svg.iter(f"{SVG}g")
        if "tl-item" in (g.get("class") or "")
    }
    width = {name: float(next(g.iter(f"{SVG}rect")).get("width", "0")) for name, g in bars.items()}
    assert width["Geneva-2 international peace conference on Syria"] > width["Shoigu's speech at the collegium meeting"]
    for name in ("War between Syrian government troops and militants", "Russian military operation in Syria"):
        assert any("tl-open" in (p.get("class") or "") for p in bars[name].iter(f"{SVG}path"))
    # the undated ones are listed beside it, each with its factuality
    undated = {text_of(li.find(f"{NS}a")): li.get("class", "") for li in one(root, "ul", **{"class": "undated"})}
    assert undated["Russian participation in ground operations in Syria (not planned)"] == "ev planned negated"
    assert undated["Continued Russian assistance to Syria's government"] == "ev planned"
    assert undated["Spread of the Islamic State threat to Russia and its allies"] == "ev prevented"
    # and drawn below the time axis, off it, with the same marks as the dated ones
    assert items["Russian participation in ground operations in Syria (not planned)"] == "tl-item planned negated"
    assert items["Continued Russian assistance to Syria's government"] == "tl-item planned"
    assert items["Spread of the Islamic State threat to Russia and its allies"] == "tl-item prevented"
    negated = bars["Russian participation in ground operations in Syria (not planned)"]
    assert any(line.get("class") == "tl-strike" for line in negated.iter(f"{SVG}line"))
    assert "no date given" in text_of(negated.find(f"{SVG}title"))
    legend = text_of(one(root, "ul", **{"class": "legend"}))
    assert "planned" in legend and "negated" in legend and "to be prevented" in legend


def test_a_negated_plan_is_struck_through_on_the_timeline() -> None:
    items = [
        TimelineItem("/a", "did", "2015-10-07", "2015-10-07", "actual", "happened"),
        TimelineItem("/b", "will not", "2015-11", "2015-11", "planned negated", "negated plan"),
        TimelineItem("/c", "will", "2016", None, "planned", "planned"),
    ]
    svg = timeline(items, "2015-10-21", "test")
    root = parse(f"<!DOCTYPE html><html lang=en><title>t</title>{svg}")
    groups = {g.get("class"): g for g in root.iter(f"{SVG}g") if "tl-item" in (g.get("class") or "")}
    assert set(groups) == {"tl-item actual", "tl-item planned negated", "tl-item planned"}
    assert any(line.get("class") == "tl-strike" for line in groups["tl-item planned negated"].iter(f"{SVG}line"))
    assert not any(line.get("class") == "tl-strike" for line in groups["tl-item planned"].iter(f"{SVG}line"))
    assert any(p.get("class") == "tl-open" for p in groups["tl-item planned"].iter(f"{SVG}path"))


def test_undated_events_are_drawn_apart_from_the_time_axis() -> None:
    items = [
        TimelineItem("/a", "did", "2015-10-07", "2015-10-07", "actual", "happened"),
        TimelineItem("/b", "will not", None, None, "planned negated", "negated plan"),
    ]
    root = parse(f"<!DOCTYPE html><html lang=en><title>t</title>{timeline(items, '2015-10-21', 'test')}")
    groups = {g.get("class"): g for g in root.iter(f"{SVG}g") if g.get("class")}
    band = groups["tl-undated"]
    assert text_of(band).strip() == "no date in the text"
    band_y = float(next(band.iter(f"{SVG}line")).get("y1", "0"))
    dated_y = float(next(groups["tl-item actual"].iter(f"{SVG}rect")).get("y", "0"))
    undated_bar = next(groups["tl-item planned negated"].iter(f"{SVG}rect"))
    assert dated_y < band_y < float(undated_bar.get("y", "0"))  # below the axis and its rows
    assert any(line.get("class") == "tl-strike" for line in groups["tl-item planned negated"].iter(f"{SVG}line"))
    only_undated = parse(f"<!DOCTYPE html><html lang=en><title>t</title>{timeline(items[1:], None, 'test')}")
    assert [g.get("class") for g in only_undated.iter(f"{SVG}g")] == ["tl-undated", "tl-item planned negated"]
    assert timeline([], None, "test") == ""


# --- the entity page -------------------------------------------------------------------------------


def test_the_entity_page_gives_names_types_posts_and_no_unverified_wikidata(
    documents: dict[str, tuple[str, ET.Element]],
) -> None:
    text, root = documents["entity"]
    assert text_of(one(root, "h1")) == "Sergey Shoigu"
    assert facts(root)["Also called"] == "Sergei Shoigu"
    posts = text_of(one(root, "ul", **{"class": "posts"}))
    assert "Defence Minister of Russia" in posts
    assert "General" in posts
    assert not [a for a in all_of(root, "a") if "wikidata" in (a.get("class") or "")]
    assert "wikidata.org" not in text
    assert "no verified Wikidata link" in text
    assert 'href="/ontology#Person"' in text  # its type, asserted
    assert 'href="https://schema.org/Person"' in text  # and its schema.org type, inferred


def test_the_entity_page_lists_events_with_roles_statements_and_mentions_in_context(
    documents: dict[str, tuple[str, ET.Element]],
) -> None:
    _, root = documents["entity"]
    events = {
        text_of(tr.find(f"{NS}th")): text_of(tr.findall(f"{NS}td")[0])
        for tr in one(root, "table", **{"class": "events"}).iter(f"{NS}tr")
        if tr.findall(f"{NS}td")
    }
    assert events["Shoigu's speech at the collegium meeting"] == "speaker"
    assert events["Meeting of Assad, Putin, Patrushev and Shoigu in the Kremlin"] == "attendee"
    statements = text_of(one(root, "ol", **{"class": "statements"}))
    assert "We plan to continue to provide assistance" in statements
    contexts = [text_of(li) for li in one(root, "ol", **{"class": "contexts"})]
    assert len(contexts) == 10
    assert any("General Sergey\u00a0Shoigu said on" in c for c in contexts)


def test_the_entity_page_draws_its_neighbourhood(documents: dict[str, tuple[str, ET.Element]]) -> None:
    _, root = documents["entity"]
    svg = by_id(root, "graph")
    assert svg.get("role") == "img"
    assert "Sergey Shoigu" in (svg.get("aria-label") or "")
    targets = {a.get("href") for a in svg.iter(f"{SVG}a")}
    assert "/page/position/russia-defence-minister" in targets
    assert f"/page/{A}/event/shoigu-collegium-speech" in targets
    assert all(t and t.startswith("/page/") for t in targets)


def test_a_verified_wikidata_link_is_shown(documents: dict[str, tuple[str, ET.Element]]) -> None:
    _, root = documents["putin"]
    links = [a for a in all_of(root, "a") if "wikidata" in (a.get("class") or "")]
    assert [a.get("href") for a in links] == ["http://www.wikidata.org/entity/Q7747"]


# --- events, statements, quantities, times ------------------------------------------------------------


def facts(root: ET.Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for dl in all_of(root, "dl"):
        terms, values = dl.findall(f"{NS}dt"), dl.findall(f"{NS}dd")
        for dt, dd in zip(terms, values, strict=True):
            out[text_of(dt)] = (out.get(text_of(dt), "") + " | " + text_of(dd)).strip(" |")
    return out


def test_the_event_page_says_when_where_who_and_how_much_in_words(documents: dict[str, tuple[str, ET.Element]]) -> None:
    _, root = documents["dated event"]
    found = facts(root)
    assert found["When"].startswith("from 2011, no end given")
    assert "precision: to the year" in found["When"]
    assert "since its start in 2011" in found["When"]  # the normalisation, in words
    assert found["Where"] == "Syria"
    assert "more than 200,000 people killed — according to UN statistics" in found["Quantity"]
    assert "millions of people displaced — according to UN statistics" in found["Quantity"]
    roles = {
        text_of(tr.find(f"{NS}th")): text_of(tr.find(f"{NS}td"))
        for tr in one(root, "table", **{"class": "participants"}).iter(f"{NS}tr")
        if tr.find(f"{NS}td") is not None
    }
    assert roles == {"agent": "Syrian Army", "opponent": "militants fighting Syrian government troops"}


@pytest.mark.parametrize(
    ("kind", "words", "css"),
    [
        ("event", "negated plan", "status planned negated"),
        ("planned event", "planned", "status planned"),
        ("dated event", "happened", "status actual"),
    ],
)
def test_the_event_page_gives_factuality_in_words(
    documents: dict[str, tuple[str, ET.Element]], kind: str, words: str, css: str
) -> None:
    _, root = documents[kind]
    status = next(s for s in all_of(root, "span") if (s.get("class") or "").startswith("status"))
    assert status.get("class") == css
    assert text_of(status).startswith(words)


def test_the_statement_page_quotes_and_puts_factuality_in_words(documents: dict[str, tuple[str, ET.Element]]) -> None:
    _, root = documents["direct quote"]
    quote = text_of(one(root, "blockquote"))
    assert quote.startswith("In recent years, the activity of religious extremism")
    found = facts(root)
    assert found["Said by"] == "Sergey Shoigu"
    assert found["Factuality"] == "a negative claim about the future, stated as certain"


def test_the_quantity_time_and_mention_pages_say_what_they_are(documents: dict[str, tuple[str, ET.Element]]) -> None:
    assert facts(documents["quantity"][1])["In words"] == "more than 200,000 people killed — according to UN statistics"
    time_facts = facts(documents["time"][1])
    assert time_facts["When"] == "from 2011, no end given"
    assert time_facts["Precision"] == "to the year"
    assert time_facts["Time of"] == "War between Syrian government troops and militants"
    mention = documents["mention"][1]
    assert "more than 200,000 people" in text_of(one(mention, "ol", **{"class": "contexts"}))
    assert "more than 200,000 people killed" in facts(mention)["Denotes"]


def test_asserted_and_inferred_are_shown_apart(documents: dict[str, tuple[str, ET.Element]]) -> None:
    _, root = documents["entity"]
    sections = {s.get("aria-labelledby"): s for s in all_of(root, "section")}
    assert "schema:Person" not in text_of(sections["asserted-heading"])
    assert "schema:Person" in text_of(sections["inferred-heading"])
    assert "Sergei Shoigu" in text_of(sections["asserted-heading"])


# --- the query and ontology pages --------------------------------------------------------------------


def test_the_query_page_is_a_plain_form_with_the_competency_questions(
    client: httpx.Client, documents: dict[str, tuple[str, ET.Element]]
) -> None:
    _, root = documents["query"]
    form = one(root, "form")
    assert form.get("action") == "/sparql"
    assert form.get("method") == "get"
    assert one(form, "textarea").get("name") == "query"
    assert one(form, "select").get("name") == "format"
    by_id(root, "yasgui")
    titles = [text_of(h) for h in all_of(root, "h3")]
    assert titles == [title for _, title, _ in EXAMPLES]
    for code in all_of(root, "code"):
        if code.get("data-query"):
            response = client.get("/sparql", params={"query": text_of(code), "format": "json"})
            assert response.status_code == 200, text_of(code)
            body = response.json()
            assert body.get("boolean") is True or body["results"]["bindings"], text_of(code)


def test_the_query_page_loads_the_editor_only_if_it_is_installed(
    client: httpx.Client, documents: dict[str, tuple[str, ET.Element]]
) -> None:
    text, _ = documents["query"]
    installed = all(
        client.head(f"/static/yasgui/{name}").status_code == 200 for name in ("yasgui.min.js", "yasgui.min.css")
    )
    assert ("/static/yasgui/yasgui.min.js" in text) is installed
    assert ("/static/yasgui/yasgui.min.css" in text) is installed


def test_the_ontology_page_documents_every_term_with_its_alignments(
    documents: dict[str, tuple[str, ET.Element]],
) -> None:
    _, root = documents["ontology"]
    person = by_id(root, "Person")
    assert "person" in text_of(person)
    assert "A human being named or referred to" in text_of(person)
    assert "schema:Person" in text_of(person)
    holds = text_of(by_id(root, "holds"))
    assert "property chain" in holds and "kgo:hasTenure ∘ kgo:position" in holds
    assert "inverse of" in text_of(by_id(root, "denotes"))
    assert "kgo:modality has value kgo:planned" in text_of(by_id(root, "PlannedEvent"))
    assert "transitive" in text_of(by_id(root, "containedIn"))


# --- the parts, without a server -----------------------------------------------------------------------


def target(name: str, rank: int = 0) -> Target:
    return Target(name, f"/page/{name}", name, "thing", "person", rank)


def test_nested_and_overlapping_mentions_cut_the_text_into_linked_pieces() -> None:
    text = "Russia's Defense Minister Sergei Shoigu said.\n\nNext paragraph."
    spans = [
        Span(0, 39, text[0:39], [target("tenure", 5)]),
        Span(0, 6, "Russia", [target("russia")]),
        Span(26, 39, "Sergei Shoigu", [target("shoigu")]),
        Span(33, 44, "Shoigu said", [target("speech", 1)]),  # overlaps the person and the tenure
    ]
    # "Shoigu" lies in "Sergei Shoigu" and in "Shoigu said": it links to the shorter
    root = parse(f"<!DOCTYPE html><html lang=en><title>t</title>{highlighted(text, spans)}")
    pieces = [
        (a.get("data-start"), a.get("data-end"), text_of(a), a.get("href"), a.get("data-depth"))
        for a in all_of(root, "a")
    ]
    assert pieces == [
        ("0", "6", "Russia", "/page/russia", "2"),
        ("6", "26", "'s Defense Minister ", "/page/tenure", "1"),
        ("26", "33", "Sergei ", "/page/shoigu", "2"),
        ("33", "39", "Shoigu", "/page/speech", "3"),
        ("39", "44", " said", "/page/speech", "1"),
    ]
    paragraphs = all_of(root, "p")
    assert [text_of(p).replace("\n", "") for p in paragraphs][-1] == "Next paragraph."
    assert len(paragraphs) == 2


def test_quantities_in_words() -> None:
    site = Site.__new__(Site)
    site._labels = {"src": "United Nations", "m": "According to UN statistics"}  # type: ignore[attr-defined]
    words = quantity_words
    assert words(QuantityFacts("q", more_than=200000, unit="people", aspect="killed", attribution="m"), site) == (
        "more than 200,000 people killed — according to UN statistics"
    )
    assert (
        words(QuantityFacts("q", vague="hundreds", unit="facilities", aspect="hit"), site)
        == "hundreds of facilities hit"
    )
    assert words(QuantityFacts("q", exact=4, unit="ships", aspect="ships that fired"), site) == "4 ships that fired"
    assert words(QuantityFacts("q", at_least=3, unit="days"), site) == "at least 3 days"
    assert words(QuantityFacts("q", more_than=50, unit="aircraft", aspect="comprises"), site) == (
        "comprises more than 50 aircraft"
    )
    assert words(QuantityFacts("q", exact=1, unit="x", source="src"), site) == "1 x — according to United Nations"


@pytest.mark.parametrize(
    ("modality", "polarity", "certainty", "words", "css"),
    [
        ("actual", "positive", "certain", "happened", "actual"),
        ("actual", "negative", "certain", "did not happen", "actual negated"),
        ("planned", "positive", "certain", "planned", "planned"),
        ("planned", "negative", "certain", "negated plan: said not to be planned", "planned negated"),
        ("toBePrevented", "positive", "certain", "to be prevented", "prevented"),
        ("actual", "positive", "probable", "probably happened", "actual"),
    ],
)
def test_factuality_in_words(modality: str, polarity: str, certainty: str, words: str, css: str) -> None:
    assert factuality_words(modality, polarity, certainty) == words
    assert factuality_class(modality, polarity) == css


def test_partial_dates_are_ranges() -> None:
    assert (str(first_day("2014-02")), str(last_day("2014-02"))) == ("2014-02-01", "2014-02-28")
    assert (str(first_day("2011")), str(last_day("2011"))) == ("2011-01-01", "2011-12-31")
    assert span_words("2014-01", "2014-02") == "January 2014 – February 2014"
    assert span_words("2015-10-21", "2015-10-21") == "21 October 2015"
    assert span_words("2015-09-30", None) == "from 30 September 2015, no end given"


# --- every resource --------------------------------------------------------------------------------


def test_every_minted_iri_has_a_valid_page_and_data_that_describe_it(client: httpx.Client) -> None:
    query = f"""SELECT DISTINCT ?x WHERE {{ {{ ?x ?p ?o }} UNION {{ ?s ?p ?x }}
                FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{BASE}id/")) }}"""
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    resources = sorted(row["x"]["value"] for row in response.json()["results"]["bindings"])
    assert len(resources) > 300
    for resource in resources:
        path = resource[len(f"{BASE}id/") :]
        page = client.get(f"/page/{path}")
        assert page.status_code == 200, resource
        parse(page.text)
        data = client.get(f"/data/{path}.nt")
        assert data.status_code == 200, resource
        graph = Graph().parse(data=data.content, format="nt")
        assert (URIRef(resource), None, None) in graph or (None, None, URIRef(resource)) in graph
