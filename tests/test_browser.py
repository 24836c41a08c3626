"""The HTML pages and the SPARQL editor in a real browser: Debian's Chromium, headless, driven by
Playwright against the bundled articles built by `kg build` and served by `kg serve`.

Every page must answer 200, have a heading, log no console error and raise no script error. A
full-page screenshot of each is saved to ``tests/artifacts/{kind}.png`` (git-ignored), with close-ups
of the tooltip, the timeline and the graph, to be looked at. The query page is tested twice: its
plain form with JavaScript off (always), and the YASGUI editor when ``npm ci`` has installed it
(``node_modules/``); without it that test is skipped and says so. Playwright never downloads a
browser here: it drives ``/usr/bin/chromium``, and the module is skipped when that is absent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.serving import ARTICLE, Server, running

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright (PyPI playwright) is not installed")

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Chromium as root on a machine with no outside network. Playwright gives every launch a fresh
temporary ``--user-data-dir`` of its own (and removes it afterwards)."""
TIMEOUT_MS = 15_000
ARTICLE_PAGE = f"/page/article/{ARTICLE}"
SHOIGU_PAGE = "/page/entity/sergey-shoigu"
MIN_MENTIONS = 50
EDITOR_FILES = ("yasgui.min.js", "yasgui.min.css")
EXAMPLE = "minister"
"""The example query run on the query page (``code[data-query=…]``); its answer names Sergey Shoigu."""

STYLE = """els => els.map(e => { const s = getComputedStyle(e);
    return {fill: s.fill, stroke: s.stroke, dash: s.strokeDasharray, border: s.borderStyle,
            decoration: s.textDecorationLine, background: s.backgroundColor,
            underline: s.textDecorationColor}; })"""


@dataclass
class Tab:
    """A page in a fresh browser context, with every console error and script error it reported."""

    page: Any
    base: str
    errors: list[str] = field(default_factory=list)

    def open(self, path: str, kind: str | None = None) -> None:
        """Load ``path`` (200) and, for a page ``kind``, save its full-page screenshot before any check."""
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None, path
        assert response.status == 200, f"{path}: {response.status}"
        self.page.wait_for_load_state("networkidle")
        if kind:
            self.screenshot(kind)

    def screenshot(self, kind: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{kind}.png"), full_page=True)

    def styles(self, selector: str) -> list[dict[str, str]]:
        """The computed style of every element matching ``selector``."""
        return list(self.page.eval_on_selector_all(selector, STYLE))

    def shot(self, name: str, *selectors: str, margin: float = 12) -> None:
        """A screenshot of the region the elements cover, to be looked at (taken before their checks)."""
        boxes = [box for sel in selectors if (box := self.page.locator(sel).first.bounding_box()) is not None]
        assert boxes, selectors
        scroll = self.page.evaluate("() => [window.scrollX, window.scrollY]")
        left = min(b["x"] for b in boxes) - margin
        top = min(b["y"] for b in boxes) - margin
        right = max(b["x"] + b["width"] for b in boxes) + margin
        bottom = max(b["y"] + b["height"] for b in boxes) + margin
        clip = {
            "x": max(0, left + scroll[0]),
            "y": max(0, top + scroll[1]),
            "width": right - left,
            "height": bottom - top,
        }
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), clip=clip, full_page=True)

    def check(self, kind: str) -> None:
        """A heading, and no console or script error since the page was opened."""
        headings = self.page.locator("h1")
        assert headings.count() >= 1, f"{kind}: no <h1>"
        assert headings.first.inner_text().strip(), f"{kind}: empty <h1>"
        assert not self.errors, f"{kind}: console or script errors:\n" + "\n".join(self.errors)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(tmp_path_factory) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _tab(browser: Any, server: Server, javascript: bool = True) -> Iterator[Tab]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=javascript, service_workers="block"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    tab = Tab(page, server.url)

    def console(message: Any) -> None:
        where = message.location.get("url", "")
        if message.type == "error" and not where.endswith("/favicon.ico"):  # test_home checks the icon
            tab.errors.append(f"console: {message.text} ({where})")

    page.on("console", console)
    page.on("pageerror", lambda error: tab.errors.append(f"script: {error}"))
    try:
        yield tab
    finally:
        page.close()
        context.close()


@pytest.fixture
def tab(browser: Any, server: Server) -> Iterator[Tab]:
    yield from _tab(browser, server)


@pytest.fixture
def tab_without_js(browser: Any, server: Server) -> Iterator[Tab]:
    yield from _tab(browser, server, javascript=False)


# --- the pages -------------------------------------------------------------------------------------


def test_home(tab: Tab, server: Server) -> None:
    tab.open("/", "home")
    assert tab.page.locator(f'a[href="{ARTICLE_PAGE}"]').count() >= 1, "the home page does not link the article"
    # a browser asks every site for an icon: the pages must name one, or /favicon.ico must exist
    icons = tab.page.locator('link[rel~="icon"]').count()
    with httpx.Client(base_url=server.url, trust_env=False, timeout=10.0) as client:
        favicon = client.get("/favicon.ico").status_code
    assert icons or favicon == 200, "no <link rel=icon> and no /favicon.ico: every first visit logs a 404"
    tab.check("home")


def test_article_mentions(tab: Tab) -> None:
    tab.open(ARTICLE_PAGE, "article")
    mentions = tab.page.locator("a.m")
    visible = mentions.evaluate_all("els => els.filter(e => e.getClientRects().length > 0).length")
    assert visible > MIN_MENTIONS, f"only {visible} mentions are visible"
    # highlighted, in a colour by kind: people, places and organisations are told apart
    colours = {
        kind: {s["underline"] for s in tab.styles(f"a.m.m-{kind}")} for kind in ("person", "place", "org", "event")
    }
    assert all(len(c) == 1 for c in colours.values()), colours
    assert len(set.union(*colours.values())) == len(colours), f"mentions of different kinds look alike: {colours}"
    assert all(s["background"] not in ("rgba(0, 0, 0, 0)", "transparent") for s in tab.styles("a.m"))
    # focusing a mention shows what it denotes (the tooltip it is described by)
    person = tab.page.locator("a.m.m-person").first
    tip = tab.page.locator(f"#{person.get_attribute('aria-describedby')}")
    assert tip.count() == 1 and not tip.is_visible()
    person.focus()
    assert tip.is_visible(), "focusing a mention shows no tooltip"
    assert re.search(r"\bperson\b", tip.inner_text(), re.IGNORECASE), tip.inner_text()
    tab.shot(
        "article-tooltip",
        "a.m.m-person:focus",
        ".mw:has(a.m.m-person:focus) .tip",
        "a.m.m-person:focus >> xpath=ancestor::p",
    )
    tab.check("article")


def test_article_timeline(tab: Tab) -> None:
    tab.open(ARTICLE_PAGE)
    timeline = tab.page.locator("svg.timeline")
    assert timeline.count() == 1 and timeline.is_visible()
    tab.shot("timeline", "section.events")
    box = timeline.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100, box
    bars = timeline.locator("g.tl-item rect.tl-bar")
    assert bars.count() >= 3, "fewer than three events on the timeline"
    assert all(w > 0 for w in bars.evaluate_all("els => els.map(e => e.getBBox().width)"))
    # every label is whole: none starts left of the picture
    labels = timeline.locator("g.tl-item text.tl-label").evaluate_all(
        "els => els.map(e => ({text: e.textContent, x: e.getBBox().x}))"
    )
    clipped = [label["text"] for label in labels if label["x"] < 0]
    assert not clipped, f"timeline labels cut off at the left: {clipped}"
    # the article's events, dated or not, with their status: planned and negated ones look different
    events = tab.page.locator("section.events")
    for kind in ("actual", "planned", "negated"):
        assert events.locator(f".ev.{kind}, g.tl-item.{kind}").count() >= 1, f"no {kind} event is shown"
    actual = tab.styles("section.events .ev.actual .status")[0]
    planned = tab.styles("section.events .ev.planned:not(.negated) .status")[0]
    negated = tab.styles("section.events .ev.negated .status")[0]
    assert planned["border"] != actual["border"], (actual, planned)
    assert "line-through" in negated["decoration"] and "line-through" not in actual["decoration"], negated
    # the legend draws each kind as the timeline does: planned hollow and dashed, negated struck through
    legend = {
        kind: tab.styles(f"section.events .legend g.tl-item.{kind} rect.tl-bar")[0]
        for kind in ("actual", "planned", "prevented")
    }
    assert legend["planned"]["fill"] != legend["actual"]["fill"], legend
    assert len({style["dash"] for style in legend.values()}) == len(legend), legend
    strikes = tab.styles("section.events .legend g.tl-item.negated .tl-strike")
    assert strikes and strikes[0]["stroke"] not in ("none", legend["actual"]["stroke"]), strikes
    # and so does the picture itself, the undated plans included (in their band below the axis)
    drawn = {
        kind: tab.styles(f"svg.timeline g.tl-item.{kind} rect.tl-bar")[0] for kind in ("actual", "planned", "prevented")
    }
    assert drawn["planned"]["fill"] != drawn["actual"]["fill"] and drawn["planned"]["dash"] != drawn["actual"]["dash"]
    assert tab.styles("svg.timeline g.tl-item.negated .tl-strike"), "no negated event is struck through"
    assert timeline.locator("g.tl-undated").count() == 1
    tab.check("article")


def test_entity_page(tab: Tab) -> None:
    tab.open(SHOIGU_PAGE, "entity")
    assert "Sergey Shoigu" in tab.page.locator("h1").first.inner_text()
    graph = tab.page.locator("svg.graph").first
    assert graph.is_visible()
    tab.shot("entity-graph", "svg.graph")
    assert graph.locator("g.g-node").count() >= 3, "the neighbourhood has fewer than three nodes"
    assert graph.locator("g.g-edge").count() >= 2, "the neighbourhood has fewer than two edges"
    labels = [t.strip() for t in graph.locator("g.g-node text").all_text_contents() if t.strip()]
    assert any("Shoigu" in t for t in labels), labels
    # node labels stay inside the picture
    view = graph.evaluate("e => e.viewBox.baseVal && [e.viewBox.baseVal.width, e.viewBox.baseVal.height]")
    boxes = graph.locator("g.g-node text").evaluate_all(
        "els => els.map(e => { const b = e.getBBox(); return [e.textContent, b.x, b.x + b.width]; })"
    )
    if view:
        outside = [text for text, left, right in boxes if left < 0 or right > view[0]]
        assert not outside, f"graph labels outside the picture: {outside}"
    tab.check("entity")


def test_event_page(tab: Tab) -> None:
    tab.open(ARTICLE_PAGE)
    link = tab.page.locator("section.events .ev.planned.negated a, svg.timeline g.tl-item.negated a").first
    href = link.get_attribute("href")
    assert href and "/event/" in href, href
    tab.open(href, "event")
    assert tab.page.get_by_text(re.compile(r"negat", re.IGNORECASE)).count() >= 1, "the event page never says negated"
    tab.check("event")


# --- the query page --------------------------------------------------------------------------------


def _example(tab: Tab) -> str:
    code = tab.page.locator(f'code[data-query="{EXAMPLE}"]')
    assert code.count() == 1, f"no example {EXAMPLE!r} on the query page"
    return str(code.text_content())


def _editor_installed(server: Server) -> bool:
    with httpx.Client(base_url=server.url, trust_env=False, timeout=10.0) as client:
        return all(client.head(f"/static/yasgui/{name}").status_code == 200 for name in EDITOR_FILES)


def test_query_page_plain_form(tab_without_js: Tab) -> None:
    """Without JavaScript, and so without YASGUI, the plain form runs an example query."""
    tab = tab_without_js
    tab.open("/query", "query-form")
    assert tab.page.locator("form.query").is_visible()
    tab.check("query-form")
    tab.page.fill("form.query textarea", _example(tab))
    tab.page.select_option("form.query select", "json")
    with tab.page.expect_navigation():
        tab.page.click("form.query button[type=submit]")
    assert "/sparql?" in tab.page.url
    results = json.loads(tab.page.inner_text("body"))
    names = {row["name"]["value"] for row in results["results"]["bindings"]}
    assert "Sergey Shoigu" in names, results


def test_query_page_editor(tab: Tab, server: Server) -> None:
    """The YASGUI editor runs an example query and shows the result table."""
    tab.open("/query", "query")
    if not _editor_installed(server):
        tab.check("query")  # the page works with JavaScript on and no editor
        pytest.skip("YASGUI is not installed (npm ci): the query page was tested with its plain form only")
    tab.page.wait_for_selector("#yasgui .CodeMirror")
    # the query page's script keeps the editor in window.kgYasgui (a YASGUI instance)
    tab.page.wait_for_function("() => window.kgYasgui && typeof window.kgYasgui.getTab === 'function'")
    assert tab.page.evaluate("() => kgYasgui.getTab().getEndpoint()").endswith("/sparql")
    tab.page.evaluate("query => { kgYasgui.getTab().setQuery(query); }", _example(tab))
    tab.page.click("#yasgui .yasqe_queryButton")
    cells = tab.page.locator("#yasgui .yasr table.dataTable tbody td")
    cells.first.wait_for()
    assert any("Sergey Shoigu" in cell for cell in cells.all_inner_texts()), cells.all_inner_texts()
    tab.screenshot("query-editor")
    tab.shot("query-editor-result", "#yasgui")
    tab.check("query-editor")
