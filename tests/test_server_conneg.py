"""Unit tests of HTTP content negotiation (kg.server.conneg.negotiate), with the offers the server makes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.server.conneg import negotiate
from kg.server.operations import GRAPH_OFFERS, RESULTS_OFFERS

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
RDFXML = "application/rdf+xml"
JSONLD = "application/ld+json"

OFFERS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/plain"]


def test_the_server_offers_what_these_tests_assume() -> None:
    assert RESULTS_OFFERS[:4] == [JSON, XML, CSV, TSV]
    assert GRAPH_OFFERS[0] == TURTLE
    assert {NTRIPLES, RDFXML, JSONLD} <= set(GRAPH_OFFERS)


# --- no Accept -------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [None, "", "   ", "\t"])
def test_no_accept_means_the_first_offer(accept: str | None) -> None:
    assert negotiate(accept, OFFERS) == OFFERS[0]
    assert negotiate(accept, RESULTS_OFFERS) == JSON
    assert negotiate(accept, GRAPH_OFFERS) == TURTLE


def test_no_accept_and_no_offers_is_none() -> None:
    assert negotiate(None, []) is None


def test_an_accept_and_no_offers_is_none() -> None:
    assert negotiate("*/*", []) is None


# --- exact matches, q-values, wildcards ------------------------------------------------------


@pytest.mark.parametrize("offer", OFFERS)
def test_exact_match(offer: str) -> None:
    assert negotiate(offer, OFFERS) == offer


def test_media_types_compare_case_insensitively_and_ignore_whitespace() -> None:
    assert negotiate("Text/CSV", OFFERS) == "text/csv"
    assert negotiate("  text/csv ;  q=0.5 , image/png", OFFERS) == "text/csv"
    assert negotiate("text/csv;Q=0.4, text/plain;q=0.6", OFFERS) == "text/plain"


def test_parameters_other_than_q_do_not_stop_a_match() -> None:
    assert negotiate("application/sparql-results+xml;charset=utf-8", OFFERS) == XML
    assert negotiate("text/csv;q=0.5;foo=bar, text/plain;q=0.4", OFFERS) == "text/csv"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.8", XML),
        ("text/csv;q=0.9, application/sparql-results+xml;q=0.8", "text/csv"),
        ("application/sparql-results+json;q=0.1, text/plain", "text/plain"),
        ("text/plain;q=0.3, text/csv;q=0.2, application/sparql-results+xml;q=0.1", "text/plain"),
        ("text/csv;q=0.501, application/sparql-results+xml;q=0.5", "text/csv"),
    ],
)
def test_the_highest_q_wins(accept: str, expected: str) -> None:
    assert negotiate(accept, OFFERS) == expected


def test_q_above_one_counts_as_one() -> None:
    assert negotiate("text/csv;q=2, application/sparql-results+json;q=1", OFFERS) == JSON


@pytest.mark.parametrize("accept", ["*/*", "*/*;q=0.2", "application/*, text/*"])
def test_any_type_means_our_first_offer(accept: str) -> None:
    assert negotiate(accept, OFFERS) == OFFERS[0]


def test_a_type_wildcard_picks_our_first_offer_of_that_type() -> None:
    assert negotiate("text/*", OFFERS) == "text/csv"
    assert negotiate("text/*", RESULTS_OFFERS) == CSV
    assert negotiate("text/*", GRAPH_OFFERS) == TURTLE
    assert negotiate("application/*", GRAPH_OFFERS) == NTRIPLES


def test_q_zero_excludes() -> None:
    assert negotiate("application/sparql-results+json;q=0, */*", OFFERS) == XML
    assert negotiate("text/csv;q=0", OFFERS) is None
    assert negotiate("*/*;q=0", OFFERS) is None
    assert negotiate("text/*;q=0, text/plain", OFFERS) == "text/plain"
    assert negotiate("text/*;q=0.0, */*;q=0.000", OFFERS) is None


@pytest.mark.parametrize(
    ("accept", "offers", "expected"),
    [
        ("text/*;q=0.1, text/turtle;q=0.9", ["text/plain", "text/turtle"], "text/turtle"),
        ("text/*;q=0.9, text/turtle;q=0.1", ["text/turtle", "text/plain"], "text/plain"),
        ("text/turtle;q=0.1, text/*;q=0.9", ["text/turtle", "text/plain"], "text/plain"),
        ("*/*;q=0.9, text/*;q=0.1", ["text/csv", "application/n-triples"], "application/n-triples"),
        ("*/*, text/csv;q=0", ["text/csv", "text/plain"], "text/plain"),
        ("*/*;q=0.1, application/*;q=0.5, application/rdf+xml", GRAPH_OFFERS, RDFXML),
    ],
)
def test_the_most_specific_range_decides(accept: str, offers: list[str], expected: str) -> None:
    assert negotiate(accept, offers) == expected


def test_ties_go_to_our_order() -> None:
    assert negotiate("text/csv, application/sparql-results+xml", OFFERS) == XML
    assert negotiate("text/plain;q=0.5, text/csv;q=0.5", OFFERS) == "text/csv"
    assert negotiate("text/csv, application/sparql-results+xml", list(reversed(OFFERS))) == "text/csv"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("garbage, text/csv", "text/csv"),
        (";q=1, text/csv;q=0.5", "text/csv"),
        ("text, /, text/csv", "text/csv"),
        (",,, text/csv,,", "text/csv"),
        ("text/csv;q=abc, application/sparql-results+xml;q=0.5", XML),
        ("text/csv;q=, application/sparql-results+xml;q=0.5", XML),
    ],
)
def test_malformed_entries_are_ignored(accept: str, expected: str) -> None:
    assert negotiate(accept, OFFERS) == expected


def test_an_accept_with_no_valid_range_counts_as_none() -> None:
    assert negotiate("garbage", OFFERS) == OFFERS[0]
    assert negotiate(",;,", OFFERS) == OFFERS[0]


@pytest.mark.parametrize(
    "accept", ["image/png", "image/*", "image/png, text/html;q=0.9", "application/sparql-results+json;q=0"]
)
def test_nothing_acceptable_is_none(accept: str) -> None:
    assert negotiate(accept, OFFERS) is None


# --- what real clients send ------------------------------------------------------------------

YASGUI_SELECT = "application/sparql-results+json,*/*;q=0.9"
YASGUI_CONSTRUCT = "application/n-triples,*/*;q=0.9"
COMUNICA = "application/sparql-results+json;q=1.0,application/sparql-results+xml;q=0.7"
SPARQLWRAPPER_XML = "application/sparql-results+xml"
SPARQLWRAPPER_JSON = "application/sparql-results+json,application/json,text/javascript,application/javascript"
SPARQLWRAPPER_CSV = "text/csv"
SPARQLWRAPPER_TSV = "text/tab-separated-values"
SPARQLWRAPPER_TURTLE = "application/turtle,text/turtle"
SPARQLWRAPPER_RDFXML = "application/rdf+xml"
SPARQLWRAPPER_JSONLD = "application/ld+json,application/x-json+ld"
SPARQLWRAPPER_N3 = "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (YASGUI_SELECT, JSON),
        (COMUNICA, JSON),
        (SPARQLWRAPPER_XML, XML),
        (SPARQLWRAPPER_JSON, JSON),
        (SPARQLWRAPPER_CSV, CSV),
        (SPARQLWRAPPER_TSV, TSV),
        (BROWSER, JSON),
        ("*/*", JSON),
        ("application/json", "application/json"),
    ],
)
def test_real_clients_asking_for_results(accept: str, expected: str) -> None:
    assert negotiate(accept, RESULTS_OFFERS) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (YASGUI_CONSTRUCT, NTRIPLES),
        (SPARQLWRAPPER_TURTLE, TURTLE),
        (SPARQLWRAPPER_RDFXML, RDFXML),
        (SPARQLWRAPPER_JSONLD, JSONLD),
        (SPARQLWRAPPER_N3, TURTLE),
        (BROWSER, TURTLE),
        ("*/*", TURTLE),
    ],
)
def test_real_clients_asking_for_graphs(accept: str, expected: str) -> None:
    assert negotiate(accept, GRAPH_OFFERS) == expected


def test_results_clients_asking_for_a_graph_get_nothing_or_a_graph() -> None:
    assert negotiate(SPARQLWRAPPER_JSON, GRAPH_OFFERS) is None
    assert negotiate(COMUNICA, GRAPH_OFFERS) is None
    assert negotiate(YASGUI_SELECT, GRAPH_OFFERS) == TURTLE


# --- property: the choice has the maximal q ---------------------------------------------------

MEDIA_TYPES = sorted({*RESULTS_OFFERS, *GRAPH_OFFERS, "application/trig", "image/png"})
QVALUES = st.integers(min_value=0, max_value=1000).map(lambda n: n / 1000)


def _q(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".") if value not in (0, 1) else str(int(value))


@st.composite
def accept_headers(draw: st.DrawFn, offers: list[str]) -> tuple[str, dict[str, float]]:
    """An Accept of some of the offers (and strangers), each with a random q; and q per offer."""
    mentioned = draw(st.lists(st.sampled_from(MEDIA_TYPES), min_size=1, unique=True))
    qs = {media: draw(QVALUES) for media in mentioned}
    ranges = [f"{media};q={_q(q)}" if draw(st.booleans()) or q != 1 else media for media, q in qs.items()]
    ranges = draw(st.permutations(ranges))
    spaced = draw(st.sampled_from([",", ", ", " , "]))
    return spaced.join(ranges), {offer: qs.get(offer, 0.0) for offer in offers}


@pytest.mark.parametrize("offers", [RESULTS_OFFERS, GRAPH_OFFERS], ids=["results", "graph"])
@given(data=st.data())
def test_the_chosen_offer_has_the_maximal_q(offers: list[str], data: st.DataObject) -> None:
    accept, q_of = data.draw(accept_headers(offers))
    chosen = negotiate(accept, offers)
    best = max(q_of.values())
    if best == 0:
        assert chosen is None, accept
    else:
        assert chosen is not None, accept
        assert q_of[chosen] == best, accept
        # ties go to the server's order
        assert chosen == next(offer for offer in offers if q_of[offer] == best), accept


@pytest.mark.parametrize("offers", [RESULTS_OFFERS, GRAPH_OFFERS], ids=["results", "graph"])
@given(
    data=st.data(),
    wildcard=QVALUES,
    type_wildcard=st.none() | st.tuples(st.sampled_from(["text", "application"]), QVALUES),
)
def test_wildcards_fill_in_for_offers_not_named(
    offers: list[str], data: st.DataObject, wildcard: float, type_wildcard: tuple[str, float] | None
) -> None:
    accept, named = data.draw(accept_headers(offers))
    mentioned = {r.split(";")[0].strip() for r in accept.split(",")}
    accept += f", */*;q={_q(wildcard)}"
    if type_wildcard is not None:
        accept += f", {type_wildcard[0]}/*;q={_q(type_wildcard[1])}"

    def q_of(offer: str) -> float:
        if offer in mentioned:
            return named[offer]
        if type_wildcard is not None and offer.startswith(type_wildcard[0] + "/"):
            return type_wildcard[1]
        return wildcard

    chosen = negotiate(accept, offers)
    best = max(q_of(offer) for offer in offers)
    if best == 0:
        assert chosen is None, accept
    else:
        assert chosen == next(offer for offer in offers if q_of(offer) == best), accept
