"""`make bench`: every benchmark of this folder in one go, ending with ONE table, one row per figure:
``measure | runs | kg | anchor | anchor figure | ratio | goal | met``.

``python bench/all.py [--quick] [--json PATH]``. The sections run one after another in this
process, each printing its own detailed report as it finishes (progress); the table at the end is
the result, also written as JSON (``--json``, by default ``kg-bench-latest.json`` in the temporary
folder). Every figure is a median over repeated runs (the runs column says how many) and every
ratio is kg's figure ÷ its anchor's, both measured in this run:

- seed article (bench/run.py): pipeline stages, queries, exports and pages, no anchor;
- OWL 2 RL closure of the seed (bench/reason.py): kg's compiled rules ÷ owlrl;
- ingest (bench/ingest.py): ``kg ingest`` of 1000 generated articles (within a time budget)
  ÷ the owlrl path, and the time of each stage per article;
- scale (bench/scale.py): store on disk ÷ its N-Quads and ``kg serve``'s memory ÷ a bare FastAPI +
  pyoxigraph app's at 100k and 1M quads, the competency questions' p50/p95 at 1M ÷ pyoxigraph's;
- HTTP (bench/http_bench.py): QPS and p50/p99 at concurrency 8 of ``kg serve`` ÷ Virtuoso,
  rdflib-endpoint, a FastAPI constant route and a bare FastAPI + pyoxigraph app, and of ``kg serve``
  in front of Virtuoso ÷ Virtuoso directly, on three query shapes.

An anchor that is not installed gives rows saying "skipped: why"; rdflib-endpoint is pip-installed
when missing. ``--quick`` scales everything down (the header says how) to finish in under 2
minutes on a 2-core machine; the full run takes under 15.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import http_bench
import ingest
import reason
import run
import scale

from kg import __version__


@dataclass(frozen=True)
class Goal:
    """A bound on kg's figure (``on="kg"``) or on the ratio (``on="ratio"``): at least ``least``
    or under ``below``."""

    on: str
    least: float | None = None
    below: float | None = None
    unit: str = ""

    def text(self) -> str:
        what = "kg" if self.on == "kg" else "ratio"
        if self.least is not None:
            return f"{what} ≥ {self.least:g}{self.unit}"
        return f"{what} < {self.below:g}{self.unit}"

    def met(self, kg: float | None, ratio: float | None) -> bool | None:
        value = kg if self.on == "kg" else ratio
        if value is None:
            return None
        return value >= self.least if self.least is not None else value < (self.below or 0.0)


@dataclass
class Row:
    group: str
    measure: str
    runs: str
    kg: str
    anchor: str = "—"
    anchor_figure: str = "—"
    kg_value: float | None = None
    anchor_value: float | None = None
    goal: Goal | None = None
    notes: list[str] = field(default_factory=list)
    """Footnotes, printed under the table."""
    details: dict[str, float] = field(default_factory=dict)
    """More figures of the row, for the JSON (p50s, p99s)."""

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    @property
    def ratio(self) -> float | None:
        if self.kg_value is None or not self.anchor_value:
            return None
        return self.kg_value / self.anchor_value

    @property
    def met(self) -> bool | None:
        return None if self.goal is None else self.goal.met(self.kg_value, self.ratio)


@dataclass(frozen=True)
class Plan:
    """How much of everything: :func:`plan` makes a full run's, or a quick one's."""

    quick: bool
    seed_runs: tuple[int, int]
    reason_runs: tuple[int, int]
    ingest: dict[str, Any]
    sizes: dict[str, int]
    query_runs: int
    rss_runs: int
    http_articles: int
    http_duration: float
    http_warmup: float
    http_windows: int
    http_bare: bool
    http_skip: dict[str, str]


def plan(quick: bool, ingest_budget: float | None = None) -> Plan:
    if ingest_budget is not None:
        chosen = plan(quick)
        return replace(chosen, ingest={**chosen.ingest, "budget": ingest_budget})
    if quick:
        skip = {http_bench.VIRTUOSO: "--quick (its start takes ~30 s)"}
        return Plan(True, (1, 20), (1, 20), ingest.settings(True), scale.QUICK_SIZES, 5, 1, 4, 1.0, 0.5, 3, False, skip)
    return Plan(False, (5, 200), (3, 200), ingest.settings(False), scale.SIZES, 21, 3, 24, 3.0, 2.0, 3, True, {})


def scaled_down() -> str:
    """What a quick run does less of than a full one."""
    quick, full = plan(True), plan(False)
    return (
        f"QUICK run, scaled down — ingest: {quick.ingest['target']} generated articles (full: "
        f"{full.ingest['target']}), stage medians over {quick.ingest['sample']} (full: {full.ingest['sample']}), "
        f"owlrl on {quick.ingest['owlrl_sample']} (full: {full.ingest['owlrl_sample']}); store: one size, "
        f"{'/'.join(quick.sizes)} quads (full: {' and '.join(full.sizes)}), queries {quick.query_runs} runs "
        f"(full: {full.query_runs}), memory {quick.rss_runs} start (full: {full.rss_runs}); HTTP: "
        f"{quick.http_articles} article graphs (~30k quads; full: {full.http_articles}, ~100k), "
        f"{quick.http_windows} windows of {quick.http_duration:g} s (full: {full.http_duration:g} s), "
        f"no Virtuoso, no bare FastAPI app; seed and closure: 1 run of the slow stages (full: "
        f"{full.seed_runs[0]} and {full.reason_runs[0]}). Not comparable with a full run's figures."
    )


def _ms(value: float) -> str:
    return f"{value:.3g}" if value < 100 else f"{value:.0f}"


# --- each section's rows -------------------------------------------------------------------------


def seed_rows(plan: Plan) -> list[Row]:
    result = run.measure(*plan.seed_runs, owlrl=False)  # bench/reason.py measures owlrl
    run.report(result)
    group = f"seed article ({result.quads:,} quads): pipeline, queries, exports, pages — bench/run.py"
    return [Row(group, t.name, str(t.runs), f"{_ms(t.value)} {t.unit}", kg_value=t.value) for t in result.timings]


def reason_rows(plan: Plan) -> list[Row]:
    r = reason.measure(*plan.reason_runs)
    reason.report(r)
    group = (
        f"OWL 2 RL closure of the seed article, {r.asserted} asserted + {r.context} context triples in, "
        f"{r.inferred} inferred out — bench/reason.py"
    )
    same = "same triples" if r.equal else "DIFFERENT TRIPLES"
    return [
        Row(
            group,
            f"closure, ms ({same} out)",
            f"{r.fast_runs} / {r.slow_runs}",
            f"{_ms(r.fast_ms)} ms",
            "owlrl (kg.reason.infer)",
            f"{_ms(r.owlrl_ms)} ms",
            r.fast_ms,
            r.owlrl_ms,
        )
    ]


def ingest_rows(plan: Plan) -> list[Row]:
    r = ingest.measure(**plan.ingest)
    ingest.report(r)
    group = f"ingest, {r.target} generated seed-like articles — bench/ingest.py"
    estimated = (
        "the owlrl path is not run end to end (owlrl takes seconds an article): its rate is computed from the "
        f"stage medians, owlrl's closure over {r.owlrl_sample} article(s), the other stages over {r.sample}"
    )
    workers = (
        f"the owlrl path's rate on one core times {r.workers} workers: an upper bound of its speed in kg ingest, "
        "so a lower bound of the ratio"
    )
    first = Row(
        group,
        f"kg ingest, {r.count} articles, {r.workers} workers, articles/s",
        f"{len(r.rates)}",
        f"{r.rate:.3g}",
        f"owlrl path, {r.workers} workers (estimated)",
        f"{r.workers / r.slow:.3g}",
        r.rate,
        r.workers / r.slow,
        Goal("kg", least=ingest.GOAL_RATE, unit=" articles/s"),
        [estimated, workers, "the goal: 50 seed-sized articles/s on 2 cores, map + infer + validate + store (issue 5)"],
    )
    if r.limited:
        first.notes.append(f"{r.limited} (--ingest-budget); a faster pipeline ingests them all")
    if r.stopped:
        first.notes.append(f"{r.stopped} (the machine was slower than its stage times said: busy?)")
    elif len(r.rates) < 3:
        first.notes.append(
            f"{len(r.rates)} run(s) of kg ingest: another would not have fitted the {r.budget:g} s budget"
        )
    rows = [
        first,
        Row(
            group,
            "one article on one core (sum of the stage medians), articles/s",
            f"{r.sample} art.",
            f"{1 / r.fast:.3g}",
            "owlrl path (estimated)",
            f"{1 / r.slow:.3g}",
            1 / r.fast,
            1 / r.slow,
            notes=[estimated],
        ),
        Row(
            group,
            "the store alone (one transaction an article), articles/s",
            f"{r.sample} art.",
            f"{1 / r.stages['store']:.3g}",
            kg_value=1 / r.stages["store"],
            notes=[
                "every article is written by the one process that holds the store: its write time (stage: store) "
                "bounds kg ingest, whatever the rest costs"
            ],
        ),
    ]
    for name, seconds in r.stages.items():
        if name == "closure (owlrl)":
            continue
        row = Row(group, f"stage: {name}, ms/article", f"{r.sample} art.", f"{_ms(seconds * 1000)}", kg_value=seconds)
        if name == "closure (kg rules)":
            owlrl = r.stages["closure (owlrl)"]
            row.anchor, row.anchor_figure, row.anchor_value = "owlrl", f"{_ms(owlrl * 1000)}", owlrl
            row.runs = f"{r.sample} / {r.owlrl_sample} art."
        rows.append(row)
    return rows


def scale_rows(plan: Plan) -> list[Row]:
    sizes = scale.measure(plan.sizes, plan.query_runs, plan.rss_runs)
    scale.report(sizes, plan.query_runs)
    quads = ", ".join(f"{size.label} = {size.quads:,}" for size in sizes)
    group = f"store at scale: the synthetic news graph + the seed, quads {quads} — bench/scale.py"
    rows = []
    for size in sizes:
        at = f"@{size.label}"
        rows.append(
            Row(
                group,
                f"store on disk {at}, MiB",
                "1",
                f"{size.disk / 2**20:.1f}",
                "the same quads as N-Quads",
                f"{size.nquads / 2**20:.1f}",
                size.disk,
                size.nquads,
            )
        )
        rss, anchor = statistics.median(size.rss), statistics.median(size.anchor_rss)
        rows.append(
            Row(
                group,
                f"kg serve memory (RSS) {at}, MiB",
                str(len(size.rss)),
                f"{rss / 1024:.0f}",
                "bare FastAPI+pyoxigraph app",
                f"{anchor / 1024:.0f}",
                rss,
                anchor,
                notes=[
                    "resident memory of all the server's processes once it has answered each competency question twice"
                ],
            )
        )
    largest = sizes[-1]
    for ident in largest.kg:
        p50, p95 = largest.p(ident, 0.5), largest.p(ident, 0.95)
        d50, d95 = largest.p(ident, 0.5, direct=True), largest.p(ident, 0.95, direct=True)
        row = Row(
            group,
            f"query '{ident}' @{largest.label}, p50 / p95 ms",
            str(plan.query_runs),
            f"{_ms(p50)} / {_ms(p95)}",
            "pyoxigraph directly",
            f"{_ms(d50)} / {_ms(d95)}",
            p95,
            d95,
            Goal("kg", below=scale.GOAL_P95_MS, unit=" ms"),
            [
                "the seed's competency questions (the query page's examples) through kg's store, SPARQL JSON "
                "out; the anchor: the same on pyoxigraph (union default graph), run for run; ratio of the p95s"
            ],
        )
        row.details = {"kg_p50": p50, "kg_p95": p95, "anchor_p50": d50, "anchor_p95": d95}
        rows.append(row)
    return rows


def _figure(h: http_bench.Http, name: str, cell: http_bench.Cell | None) -> str:
    """A cell's QPS and latencies, or why the server has none."""
    if cell is not None:
        qps = f"{cell.qps:.0f}" if cell.qps >= 100 else f"{cell.qps:.3g}"
        return f"{qps} QPS, p50/p99 {_ms(cell.p50)}/{_ms(cell.p99)} ms"
    if name in h.skipped:
        return f"skipped: {h.skipped[name]}"
    if name in h.failed:
        return "failed (see the note)"
    return "—"


def http_rows(plan: Plan) -> list[Row]:
    h = http_bench.measure_servers(
        (http_bench.DEFAULT_WORKERS,),
        bare=plan.http_bare,
        skip=plan.http_skip,
        articles=plan.http_articles,
        duration=plan.http_duration,
        warmup=plan.http_warmup,
        windows=plan.http_windows,
    )
    http_bench.report(h)
    kg = http_bench.kg_name(http_bench.DEFAULT_WORKERS)
    group = (
        f"HTTP at concurrency 8, {h.data.quads:,} quads, {http_bench.DISTINCT_QUERIES} different queries a shape, "
        f"kg serve with its default {http_bench.DEFAULT_WORKERS} query workers — bench/http_bench.py"
    )
    pairs = [(kg, http_bench.VIRTUOSO), (kg, http_bench.RDFLIB), (kg, http_bench.CONSTANT)]
    if plan.http_bare:
        pairs.append((kg, http_bench.BARE))
    pairs.append((http_bench.KG_VIRTUOSO, http_bench.VIRTUOSO))
    rows = []
    for front, anchor in pairs:
        for index, shape in enumerate(http_bench.SHAPES):
            goals = http_bench.GOALS.get(anchor) if front == kg else None
            least = goals[index] if goals else None
            goal = Goal("ratio", least=least, unit="×") if least is not None else None
            mine, theirs = h.results.get(front, {}).get(shape), h.results.get(anchor, {}).get(shape)
            label = "kg serve" if front == kg else front
            anchor_label = f"{anchor} (the floor)" if anchor == http_bench.CONSTANT else anchor
            row = Row(
                group,
                f"{shape.split(':')[0]}: {label} vs {anchor_label}, QPS",
                f"{mine.windows}×{h.duration:g} s" if mine else "—",
                _figure(h, front, mine),
                anchor_label,
                _figure(h, anchor, theirs),
                mine.qps if mine else None,
                theirs.qps if theirs else None,
                goal,
            )
            if http_bench.VIRTUOSO in (front, anchor) and "not installed" in h.skipped.get(http_bench.VIRTUOSO, ""):
                row.note("apt-get install virtuoso-opensource (Debian's package) to measure Virtuoso")
            for side, cell in (("kg", mine), ("anchor", theirs)):
                if cell:
                    row.details.update(
                        {f"{side}_p50": cell.p50, f"{side}_p99": cell.p99, f"{side}_errors": cell.errors}
                    )
            for name, cell in ((front, mine), (anchor, theirs)):
                if cell is None and name in h.failed:
                    row.note(f"{name} failed: {' '.join(h.failed[name].split())[-300:]}")
                if cell and cell.little:
                    row.note(
                        f"{name}, {shape}: {cell.answers} answers in {h.windows}×{h.duration:g} s, too few to count "
                        "per window: QPS by Little's law (8 connections ÷ mean latency) over the whole period"
                    )
                elif cell and cell.windows < h.windows:
                    row.note(
                        f"{name}, {shape}: under {http_bench.MIN_ANSWERS} answers in a window: "
                        "figures over the whole period"
                    )
                if cell and cell.other_cores > http_bench.DISTURBED:
                    row.note(
                        f"other programs on this machine used over {http_bench.DISTURBED} core during some cells "
                        "(bench/http_bench.py's report marks them *): rerun when it is quiet"
                    )
                if cell and cell.errors:
                    row.note(f"{name}, {shape}: {cell.errors} failed requests, e.g. {list(cell.error_sample)}")
            rows.append(row)
    return rows


SECTIONS: list[tuple[str, Callable[[Plan], list[Row]]]] = [
    ("seed article (bench/run.py)", seed_rows),
    ("OWL 2 RL closure (bench/reason.py)", reason_rows),
    ("ingest (bench/ingest.py)", ingest_rows),
    ("store at scale (bench/scale.py)", scale_rows),
    ("HTTP (bench/http_bench.py)", http_rows),
]


# --- the table ------------------------------------------------------------------------------------


def _ratio_text(ratio: float | None) -> str:
    if ratio is None:
        return "—"
    return f"{ratio:.3g}×" if ratio >= 0.01 else f"{ratio:.2g}×"


def _met_text(met: bool | None) -> str:
    return "—" if met is None else ("yes" if met else "NO")


COLUMNS = ("measure", "runs", "kg", "anchor", "anchor figure", "ratio", "goal", "met")


def _cells(row: Row, marks: str) -> tuple[str, ...]:
    goal = row.goal.text() if row.goal else "—"
    return (
        row.measure + marks,
        row.runs,
        row.kg,
        row.anchor,
        row.anchor_figure,
        _ratio_text(row.ratio),
        goal,
        _met_text(row.met),
    )


def print_table(rows: list[Row], header: list[str]) -> None:
    notes: list[str] = []
    lines: list[tuple[str, tuple[str, ...] | None]] = []
    group = None
    for row in rows:
        if row.group != group:
            group = row.group
            lines.append((group, None))
        marks = ""
        for note in row.notes:
            if note not in notes:
                notes.append(note)
            marks += f" [{notes.index(note) + 1}]"
        lines.append(("", _cells(row, marks)))
    cells = [c for _, c in lines if c is not None] + [COLUMNS]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]

    def line(values: tuple[str, ...]) -> str:
        return " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    print()
    for text in header:
        print(text)
    print()
    print(line(COLUMNS))
    print(rule)
    for title, values in lines:
        print(f"· {title}" if values is None else line(values))
    print(rule)
    for index, note in enumerate(notes, 1):
        print(f"[{index}] {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="everything scaled down: under 2 minutes")
    parser.add_argument(
        "--json",
        type=Path,
        default=Path(tempfile.gettempdir()) / "kg-bench-latest.json",
        help="where to write the table as JSON (default: %(default)s)",
    )
    parser.add_argument(
        "--ingest-budget",
        type=float,
        help="seconds for the kg ingest runs (default 240; --quick 20): fewer articles when they would not fit",
    )
    args = parser.parse_args()
    chosen = plan(args.quick, args.ingest_budget)
    started, when = time.perf_counter(), datetime.now(UTC)
    rows: list[Row] = []
    for index, (title, section) in enumerate(SECTIONS, 1):
        print(f"\n=== [{index}/{len(SECTIONS)}] {title} — {time.perf_counter() - started:.0f} s in ===", flush=True)
        try:
            rows += section(chosen)
        except Exception as err:  # one section's failure must not lose the others' figures
            traceback.print_exc()
            rows.append(Row(title, f"failed: {type(err).__name__}: {str(err)[:150]}", "—", "—"))
        sys.stdout.flush()
    seconds = time.perf_counter() - started
    header = [
        f"kg bench — kg {__version__}, {os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, {when:%Y-%m-%d %H:%M} UTC; {'quick' if chosen.quick else 'full'} run, "
        f"{seconds / 60:.1f} min in all",
        "every figure is a median over repeated runs on this machine, in this one run: the runs column says how many "
        "(runs; articles for stage times; windows × seconds for HTTP cells; queries give p50/p95 of their runs)",
        "ratio = kg ÷ anchor, the anchor measured in this run (QPS and articles/s: higher is better for kg; "
        "ms and MiB: lower is)",
    ]
    if chosen.quick:
        header.append(scaled_down())
    print_table(rows, header)
    document = {
        "header": header,
        "quick": chosen.quick,
        "seconds": seconds,
        "rows": [
            {**asdict(row), "goal": row.goal.text() if row.goal else None, "ratio": row.ratio, "met": row.met}
            for row in rows
        ],
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"\n(the table as JSON: {args.json}; {seconds / 60:.1f} min in all)")


if __name__ == "__main__":
    main()
