"""Pictures drawn as inline SVG: an article's events on a timeline, a resource's neighbourhood.

Both are images to assistive technology (``role="img"`` with a ``<title>``, ``<desc>`` and
``aria-label``); their links are for the mouse only (``tabindex="-1"``), because every page lists
the same links as text beside the picture. Colours and strokes come from the page's stylesheet
(classes), so that the pictures follow its light and dark schemes.
"""

from __future__ import annotations

import calendar
import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup

esc = html.escape
"""HTML-escape text (quotes too) into a plain string; pages wrap the whole in Markup once."""

# --- dates and words ---------------------------------------------------------------------------


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return f"{cut}…"


MONTHS = [calendar.month_name[i] for i in range(13)]


def date_words(lexical: str) -> str:
    """``2015-10-21`` → 21 October 2015, ``2014-01`` → January 2014, ``2011`` → 2011."""
    parts = lexical.split("-")
    try:
        if len(parts) == 3:
            return f"{int(parts[2])} {MONTHS[int(parts[1])]} {parts[0]}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1])]} {parts[0]}"
    except (ValueError, IndexError):
        pass
    return lexical


def first_day(lexical: str) -> date | None:
    parts = lexical.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2][:2]) if len(parts) > 2 else 1
        return date(year, month, day)
    except (ValueError, IndexError):
        return None


def last_day(lexical: str) -> date | None:
    """The last day a partial date covers: 2014-02 → 2014-02-28, 2011 → 2011-12-31."""
    parts = lexical.split("-")
    try:
        year = int(parts[0])
        if len(parts) == 1:
            return date(year, 12, 31)
        month = int(parts[1])
        if len(parts) == 2:
            return date(year, month, calendar.monthrange(year, month)[1])
        return date(year, month, int(parts[2][:2]))
    except (ValueError, IndexError):
        return None


# --- the timeline ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    href: str | None
    label: str
    start: str | None
    """Start date at the text's precision (``2015-10-21``, ``2014-01``, ``2011``)."""
    end: str | None
    css: str
    """``actual``, ``planned`` or ``prevented``, and ``negated`` for negative polarity."""
    words: str
    """How the article presents it, in words ("planned", "negated plan…")."""

    @property
    def dated(self) -> bool:
        return bool(self.start or self.end)

    @property
    def when(self) -> str:
        if self.start and self.end:
            return (
                date_words(self.start)
                if self.start == self.end
                else f"{date_words(self.start)} – {date_words(self.end)}"
            )
        if self.start:
            return f"since {date_words(self.start)}, no end given"
        return f"until {date_words(self.end or '')}"


WIDTH = 880
LABELS = 330
"""Width of the label column, left of the bars."""
ROW = 28
TOP = 34
RIGHT_PAD = 24


def _ticks(t0: date, t1: date) -> list[tuple[date, str]]:
    days = (t1 - t0).days
    out: list[tuple[date, str]] = []
    if days > 3 * 366:
        for year in range(t0.year + (t0 > date(t0.year, 1, 1)), t1.year + 1):
            out.append((date(year, 1, 1), str(year)))
    elif days > 90:
        year, month = t0.year, t0.month
        step = 1 if days < 400 else 3
        while date(year, month, 1) <= t1:
            if date(year, month, 1) >= t0:
                out.append((date(year, month, 1), f"{date(year, month, 1):%b %Y}"))
            month += step
            year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    else:
        day = t0
        while day <= t1:
            out.append((day, f"{day.day} {day:%b}"))
            day += timedelta(days=7)
    return out


def timeline(items: Sequence[TimelineItem], published: str | None, title: str, ident: str = "timeline") -> Markup:
    """The dated items as bars on one time axis, one row each, with the publication day marked.

    A day is a short bar, a month a bar over the month, a year over the year; an item with a
    start and no end runs open-ended to the right edge (an arrow). Planned items are hollow and
    dashed, items to be prevented dotted, negated ones struck through (stylesheet classes).

    Items the text gives no date are drawn below, in a band of their own off the time axis, with
    the same marks: a plan the article reports without a date has no place in time, but it is
    still told apart from what happened.
    """
    dated = [i for i in items if i.dated]
    undated = [i for i in items if not i.dated]
    if not dated:
        if not undated:
            return Markup("")
        return _svg(undated_band(undated, 0), undated, BAND_HEAD + ROW * len(undated) + 8, title, ident)
    starts = [d for i in dated if (d := first_day(i.start or i.end or "")) is not None]
    ends = [d for i in dated if (d := last_day(i.end or i.start or "")) is not None]
    pub = first_day(published) if published else None
    t0 = min(starts)
    t1 = max([*ends, *([pub] if pub else [])])
    span = max((t1 - t0).days, 1)
    t0 -= timedelta(days=max(1, span // 40))
    t1 += timedelta(days=max(1, span // 40))
    chart = WIDTH - LABELS - RIGHT_PAD

    def x(day: date) -> float:
        return LABELS + chart * (day - t0).days / max((t1 - t0).days, 1)

    axis_bottom = TOP + ROW * len(dated) + 12
    height = axis_bottom + (BAND_HEAD + ROW * len(undated) + 8 if undated else 0)
    out = [
        '<g class="tl-axis">',
        f'<line x1="{LABELS}" y1="{TOP - 8}" x2="{WIDTH - RIGHT_PAD}" y2="{TOP - 8}"/>',
    ]
    for day, text in _ticks(t0, t1):
        tx = x(day)
        out.append(
            f'<line class="tick" x1="{tx:.1f}" y1="{TOP - 12}" x2="{tx:.1f}" y2="{axis_bottom - 8}"/>'
            f'<text x="{tx:.1f}" y="{TOP - 16}" text-anchor="middle">{esc(text)}</text>'
        )
    out.append("</g>")
    if pub is not None:
        px = x(pub)
        out.append(
            f'<g class="tl-published"><line x1="{px:.1f}" y1="{TOP - 8}" x2="{px:.1f}" y2="{axis_bottom - 6}"/>'
            f"<title>published {esc(date_words(published or ''))}</title></g>"
        )
    edge = t1 - timedelta(days=max(1, span // 80))
    for row, item in enumerate(dated):
        y = TOP + row * ROW
        begin = first_day(item.start or item.end or "") or t0
        open_ended = item.end is None
        finish = edge if open_ended else (last_day(item.end or "") or begin)
        x0, x1 = x(begin), x(finish + timedelta(days=1))
        if x1 - x0 < 6:
            x0, x1 = (x0 + x1) / 2 - 3, (x0 + x1) / 2 + 3
        bar_y, bar_h = y + 6, ROW - 12
        href = esc(item.href or "#")
        text = esc(shorten(item.label, 42))
        parts = [
            f'<g class="tl-item {esc(item.css)}">',
            f"<title>{esc(item.label)}: {esc(item.when)} ({esc(item.words)})</title>",
            f'<a href="{href}" tabindex="-1">',
            f'<text class="tl-label" x="{LABELS - 8}" y="{y + ROW / 2 + 4:.1f}" text-anchor="end">{text}</text>',
            f'<rect class="tl-bar" x="{x0:.1f}" y="{bar_y}" width="{x1 - x0:.1f}" height="{bar_h}" rx="3"/>',
        ]
        if open_ended:
            tip = x1
            parts.append(
                f'<path class="tl-open" d="M{tip:.1f},{bar_y - 3} L{tip + 10:.1f},{bar_y + bar_h / 2:.1f} '
                f'L{tip:.1f},{bar_y + bar_h + 3} Z"/>'
            )
        parts.append(_strike(item, x0, x1, bar_y + bar_h / 2))
        parts.append("</a></g>")
        out.append("".join(parts))
    if undated:
        out.append(undated_band(undated, axis_bottom))
    return _svg("\n".join(out), items, height, title, ident)


BAND_HEAD = 26
"""Height of the undated band's heading."""
UNDATED_BAR = 56
"""Width of an undated item's mark: a fixed size, since it has no extent in time."""


def _strike(item: TimelineItem, x0: float, x1: float, y: float) -> str:
    if "negated" not in item.css:
        return ""
    return f'<line class="tl-strike" x1="{x0 - 4:.1f}" y1="{y:.1f}" x2="{x1 + 4:.1f}" y2="{y:.1f}"/>'


def undated_band(items: Sequence[TimelineItem], top: int) -> str:
    """The items without a date, below the axis: a heading, then one row each with a fixed mark."""
    chart_right = WIDTH - RIGHT_PAD
    out = [
        '<g class="tl-undated">',
        f'<line x1="{LABELS}" y1="{top + 4}" x2="{chart_right}" y2="{top + 4}"/>',
        f'<text x="{LABELS + 8}" y="{top + 18}">no date in the text</text>',
        "</g>",
    ]
    for row, item in enumerate(items):
        y = top + BAND_HEAD + row * ROW
        bar_y, bar_h = y + 6, ROW - 12
        x0, x1 = LABELS + 8, LABELS + 8 + UNDATED_BAR
        out.append(
            "".join(
                [
                    f'<g class="tl-item {esc(item.css)}">',
                    f"<title>{esc(item.label)}: no date given ({esc(item.words)})</title>",
                    f'<a href="{esc(item.href or "#")}" tabindex="-1">',
                    f'<text class="tl-label" x="{LABELS - 8}" y="{y + ROW / 2 + 4:.1f}" text-anchor="end">'
                    f"{esc(shorten(item.label, 42))}</text>",
                    f'<rect class="tl-bar" x="{x0}" y="{bar_y}" width="{UNDATED_BAR}" height="{bar_h}" rx="3"/>',
                    _strike(item, x0, x1, bar_y + bar_h / 2),
                    f'<text class="tl-words" x="{x1 + 10}" y="{y + ROW / 2 + 4:.1f}">{esc(item.words)}</text>',
                    "</a></g>",
                ]
            )
        )
    return "\n".join(out)


def _svg(inner: str, items: Sequence[TimelineItem], height: int, title: str, ident: str) -> Markup:
    dated = [i for i in items if i.dated]
    label = f"{title}: {len(dated)} dated events"
    if dated:
        label += f" from {date_words(min(i.start or i.end or '' for i in dated))}"
    if len(dated) < len(items):
        label += f", {len(items) - len(dated)} without a date"
    return Markup(  # noqa: S704  (every piece of text is escaped by the callers)
        f'<svg class="timeline" id="{ident}" role="img" aria-label="{esc(label)}" '
        f'aria-labelledby="{ident}-title {ident}-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">\n'
        f'<title id="{ident}-title">{esc(title)}</title>\n'
        f'<desc id="{ident}-desc">{esc(_timeline_desc(items))}</desc>\n{inner}\n</svg>'
    )


def _timeline_desc(items: Sequence[TimelineItem]) -> str:
    return "; ".join(f"{i.label}: {i.when if i.dated else 'no date given'}, {i.words}" for i in items) + "."


LEGEND = (
    ("actual", "happened"),
    ("planned", "planned (hollow, dashed)"),
    ("planned negated", "negated plan (struck through)"),
    ("prevented", "to be prevented (dotted)"),
    ("actual open", "no end given (arrow)"),
)


def timeline_legend() -> Markup:
    items = []
    for css, words in LEGEND:
        shape = (
            '<path class="tl-open" d="M20,1 L28,7 L20,13 Z"/>'
            '<rect class="tl-bar" x="2" y="3" width="18" height="8" rx="2"/>'
            if "open" in css
            else '<rect class="tl-bar" x="2" y="3" width="26" height="8" rx="2"/>'
        )
        strike = '<line class="tl-strike" x1="0" y1="7" x2="30" y2="7"/>' if "negated" in css else ""
        items.append(
            f'<li><svg class="swatch" width="30" height="14" aria-hidden="true" focusable="false">'
            f'<g class="tl-item {css}">{shape}{strike}</g></svg> {esc(words)}</li>'
        )
    return Markup('<ul class="legend" aria-label="Timeline legend">' + "".join(items) + "</ul>")  # noqa: S704


# --- the neighbourhood ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Neighbour:
    href: str | None
    label: str
    css: str
    relation: str
    """The properties that link it, in words."""
    incoming: bool
    """True when the link points from the neighbour to the centre."""


GRAPH_WIDTH = 960
MAX_NEIGHBOURS = 18


def neighbourhood(
    centre: str, centre_css: str, neighbours: Sequence[Neighbour], title: str, ident: str = "graph"
) -> Markup:
    """The resource in the middle, its neighbours on a circle around it, links labelled with
    their property (once per run of neighbours linked the same way) and an arrow for their
    direction; neighbours link to their pages and name every property in their tooltip."""
    shown = sorted(neighbours[:MAX_NEIGHBOURS], key=lambda nb: (nb.relation, nb.incoming))
    if not shown:
        return Markup("")
    more = len(neighbours) - len(shown)
    n = len(shown)
    radius = 130 if n <= 6 else 170 if n <= 12 else 200
    height = 2 * radius + 110
    cx, cy = GRAPH_WIDTH / 2, height / 2
    summary = f"{centre} and {len(neighbours)} linked resources" + (f" ({more} not drawn)" if more else "")
    desc = "; ".join(f"{'from' if nb.incoming else 'to'} {nb.label} ({nb.relation})" for nb in shown)
    out = [
        f'<svg class="graph" id="{ident}" role="img" aria-label="{esc(summary)}" '
        f'aria-labelledby="{ident}-title {ident}-desc" viewBox="0 0 {GRAPH_WIDTH} {height:.0f}" width="100%" '
        f'preserveAspectRatio="xMidYMin meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-title">{esc(title)}</title>',
        f'<desc id="{ident}-desc">{esc(desc)}</desc>',
        f'<defs><marker id="{ident}-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path class="g-arrow" d="M0,0 L10,5 L0,10 Z"/></marker></defs>',
    ]
    nodes = []
    previous = None
    for i, nb in enumerate(shown):
        angle = -math.pi / 2 + 2 * math.pi * (i + 0.5) / n
        dx, dy = math.cos(angle), math.sin(angle)
        nx, ny = cx + radius * dx, cy + radius * dy
        sx, sy, ex, ey = cx + 22 * dx, cy + 22 * dy, nx - 10 * dx, ny - 10 * dy
        if nb.incoming:
            sx, sy, ex, ey = ex, ey, sx, sy
        relation = nb.relation.split(",")[0].strip()
        label = ""
        if (relation, nb.incoming) != previous:
            lx, ly = cx + radius * 0.62 * dx, cy + radius * 0.62 * dy
            label = f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="middle">{esc(shorten(relation, 22))}</text>'
        previous = (relation, nb.incoming)
        out.append(
            f'<g class="g-edge"><line x1="{sx:.1f}" y1="{sy:.1f}" x2="{ex:.1f}" y2="{ey:.1f}" '
            f'marker-end="url(#{ident}-arrow)"/>{label}</g>'
        )
        anchor = "start" if dx >= 0 else "end"
        tx = nx + (13 if dx >= 0 else -13)
        ty = ny + 5 if abs(dx) > 0.3 else ny + (18 if dy > 0 else -8)
        nodes.append(
            f'<g class="g-node {esc(nb.css)}"><a href="{esc(nb.href or "#")}" tabindex="-1">'
            f"<title>{esc(nb.label)} ({'from' if nb.incoming else 'to'} it: {esc(nb.relation)})</title>"
            f'<circle cx="{nx:.1f}" cy="{ny:.1f}" r="9"/>'
            f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}">{esc(shorten(nb.label, 30))}</text></a></g>'
        )
    out.extend(nodes)
    out.append(
        f'<g class="g-node g-centre {esc(centre_css)}"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="20"/>'
        f'<text x="{cx:.1f}" y="{cy + 38:.1f}" text-anchor="middle">{esc(shorten(centre, 40))}</text></g>'
    )
    out.append("</svg>")
    return Markup("\n".join(out))  # noqa: S704  (every piece of text is escaped above)
