"""Ingest benchmark: generated seed-like articles through the whole pipeline, kg's path (compiled
OWL 2 RL rules) against the owlrl path, with the time of each stage. Prints figures, asserts
nothing. ``python bench/ingest.py [--quick] [--articles N] [--budget S]``, or ``measure()`` from
another script (bench/all.py).

- per stage (one process, medians over a sample): load, map, SHACL gate of the asserted graph,
  the closure (kg's rules; owlrl), SHACL gate of the closure, store write;
- the throughput of ``kg ingest`` itself (its worker processes, one transaction per article) on
  N articles (1000; --quick 50), the median of up to 3 runs, and the owlrl path's throughput
  computed from its stage times on one core.

The kg ingest runs keep to a time budget (240 s; --quick 20 s): when the stage times say that
N articles would not fit (at SLOWER times the sum of the stage medians an article), fewer are
ingested, and the report says so; when one run leaves room for another, it is repeated, up to
3 runs; a run still going at 1.15 times the budget is stopped, its rate that of the articles it
stored by then (the report says so too).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg import __version__, pipeline, resources
from kg.ingest import stored_digests
from kg.mapper import map_article, map_authority, referenced_authority
from kg.namespaces import IRIs
from kg.reason import infer as infer_owlrl
from kg.rules import infer_fast
from kg.store import Payload, open_store
from kg.synthetic import generate

SEED = 20151021
GOAL_RATE = 50.0
"""The goal for ``kg ingest``: seed-sized articles a second on 2 cores, map + infer + validate + store."""
STARTUP_S = 5.0
"""About what a ``kg ingest`` run takes before its first article (starting its workers)."""
OVERRUN = 1.15
"""A run still going at this many times the budget is stopped."""
SLOWER = 1.5
"""At most how much longer an article takes in ``kg ingest`` (its workers on two cores, its one
writer) than the sum of its stage medians on one core, as seen on this project's 2-core machine."""


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def stages(root: Path, folders: list[Path], owlrl_sample: int) -> dict[str, list[float]]:
    """Seconds per article of each stage, measured in this process on ``folders``."""
    iris, now = IRIs(), datetime.now(UTC)
    source = pipeline.load_authority_source(root / "authority.yaml")
    authority = pipeline.build_authority(source, iris, now)
    ontology = resources.ontology()
    out: dict[str, list[float]] = {
        k: []
        for k in (
            "load",
            "map",
            "gate asserted",
            "closure (kg rules)",
            "closure (owlrl)",
            "gate closure",
            "write out",
            "store",
        )
    }
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "store")
        for i, folder in enumerate(folders):
            seconds, article = _timed(lambda f=folder: pipeline.load(f, source))
            out["load"].append(seconds)
            seconds, mapped = _timed(lambda a=article: map_article(a, iris, now, __version__))
            context = map_authority(
                article.authority, iris, referenced_authority(article.annotation, article.authority)
            )
            out["map"].append(seconds)
            seconds, _ = _timed(lambda m=mapped, c=context: pipeline.gate(m.asserted, c))
            out["gate asserted"].append(seconds)
            seconds, inferred = _timed(
                lambda m=mapped, c=context: infer_fast(m.asserted, ontology, context=c, known=authority.inferred)
            )
            out["closure (kg rules)"].append(seconds)
            if i < owlrl_sample:
                seconds, slow = _timed(
                    lambda m=mapped, c=context: infer_owlrl(m.asserted, ontology, context=c, known=authority.inferred)
                )
                out["closure (owlrl)"].append(seconds)
                assert set(slow) == set(inferred), "owlrl and kg's rules disagree"  # proved by the tests too
            seconds, _ = _timed(
                lambda m=mapped, c=context, i=inferred: pipeline.closure_gate(m.asserted, c, i, authority.inferred)
            )
            out["gate closure"].append(seconds)
            built = pipeline.build_article(article, iris, now, authority)
            seconds, payload = _timed(lambda b=built: Payload.of(b.graphs()))  # in kg ingest's workers
            out["write out"].append(seconds)
            seconds, _ = _timed(lambda p=payload: store.replace_graphs(p))  # in its one writing process
            out["store"].append(seconds)
        store.close()
    return out


@dataclass(frozen=True)
class Run:
    """One ``kg ingest`` run: its articles/s, seconds, the articles it stored (fewer than asked
    when it was stopped) and its summary line."""

    rate: float
    seconds: float
    stored: int
    summary: str


def ingest_rate(root: Path, count: int, workers: int, timeout: float | None = None) -> Run:
    """``kg ingest`` of the ``count`` articles of ``root`` (a real run, as a user starts it), into a
    fresh store. Stopped after ``timeout`` seconds (SIGTERM to it and its workers; each article is
    its own transaction): its rate is then that of the articles stored by then."""
    kg = Path(sys.executable).with_name("kg")
    command = [str(kg)] if kg.exists() else [sys.executable, "-c", "from kg.cli import app; app(prog_name='kg')"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
        started = time.perf_counter()
        process = subprocess.Popen(
            [*command, "ingest", str(root), "--store", f"{tmp}/store", "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its workers in its process group, to stop them with it
        )
        try:
            _, err = process.communicate(timeout=timeout)
            seconds = time.perf_counter() - started
        except subprocess.TimeoutExpired:
            seconds = time.perf_counter() - started
            _signal_group(process, signal.SIGTERM)  # at once: each stored article is a committed transaction
            try:
                process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.communicate()
            store = open_store(Path(tmp) / "store", read_only=True)
            stored = max(0, len(stored_digests(store)) - 1)  # a fresh store: the authority's build, then articles'
            store.close()
            return Run(stored / seconds, seconds, stored, f"stopped after {seconds:.0f} s, {stored} of {count} stored")
    if process.returncode != 0:
        raise RuntimeError(f"kg ingest failed: {err[-2000:]}")
    return Run(count / seconds, seconds, count, err.strip().splitlines()[-1])


def _signal_group(process: subprocess.Popen[str], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
        os.killpg(process.pid, signum)


@dataclass(frozen=True)
class Ingest:
    """What :func:`measure` found. Seconds per article of each stage (medians over ``sample``
    articles, owlrl's over ``owlrl_sample``), and the articles/s of each ``kg ingest`` run."""

    target: int
    count: int
    workers: int
    runs: list[Run]
    stages: dict[str, float]
    sample: int
    owlrl_sample: int
    generated_s: float
    budget: float

    @property
    def rates(self) -> list[float]:
        return [run.rate for run in self.runs]

    @property
    def rate(self) -> float:
        return statistics.median(self.rates)

    @property
    def stopped(self) -> str | None:
        """Why the rate is that of fewer articles than ingested, or None."""
        cut = [run for run in self.runs if run.stored < self.count]
        if not cut:
            return None
        return (
            f"kg ingest stopped after {cut[0].seconds:.0f} s ({OVERRUN:g}× the {self.budget:g} s budget) with "
            f"{cut[0].stored} of {self.count} articles stored: its rate is theirs"
        )

    @property
    def fast(self) -> float:
        """Seconds per article of kg's path on one core, the sum of its stage medians."""
        return sum(v for k, v in self.stages.items() if k != "closure (owlrl)")

    @property
    def slow(self) -> float:
        """The same with owlrl's closure instead of kg's rules."""
        return self.fast - self.stages["closure (kg rules)"] + self.stages["closure (owlrl)"]

    @property
    def limited(self) -> str | None:
        """Why fewer articles than asked were ingested, or None."""
        if self.count >= self.target:
            return None
        return (
            f"{self.count} of {self.target} articles: at {1 / self.fast:.1f} articles/s on one core (the stage "
            f"medians, {SLOWER:g}× slower in kg ingest at worst) {self.target} would not fit the {self.budget:g} s "
            "budget for kg ingest runs"
        )


def settings(quick: bool) -> dict[str, Any]:
    """:func:`measure`'s arguments for a full run (1000 articles) or a quick one (50)."""
    if quick:
        return {"target": 50, "sample": 5, "owlrl_sample": 1, "budget": 20.0}
    return {"target": 1000, "sample": 20, "owlrl_sample": 3, "budget": 240.0}


def measure(
    target: int, sample: int, owlrl_sample: int, budget: float, workers: int | None = None, max_runs: int = 3
) -> Ingest:
    """Stage times on ``sample`` generated articles, then ``kg ingest`` of ``target`` of them
    (fewer if the stage times say they would not fit ``budget`` seconds), repeated
    while the runs so far leave room for one more in the budget, up to ``max_runs``; a run still
    going at OVERRUN times the budget is stopped (see :func:`ingest_rate`)."""
    workers = workers or os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="kg-bench-ingest-") as tmp:
        folders = generate(Path(tmp) / "sample", sample, seed=SEED)
        per = stages(Path(tmp) / "sample", folders, owlrl_sample)
        medians = {name: statistics.median(values) for name, values in per.items() if values}
        one_core = sum(v for k, v in medians.items() if k != "closure (owlrl)")
        fit = int(max(0.0, budget - STARTUP_S) / (one_core * SLOWER))
        count = max(min(target, fit), min(target, sample))
        root = Path(tmp) / "articles"
        generated_s, _ = _timed(lambda: generate(root, count, seed=SEED))
        runs: list[Run] = []
        spent = 0.0
        while len(runs) < max_runs:
            run = ingest_rate(root, count, workers, timeout=max(1.0, budget * OVERRUN - spent))
            runs.append(run)
            spent += run.seconds
            if run.stored < count or spent + run.seconds > budget:
                break
        shutil.rmtree(root)
    return Ingest(target, count, workers, runs, medians, sample, owlrl_sample, generated_s, budget)


def report(r: Ingest) -> None:
    print(
        f"Ingest benchmark — {os.cpu_count()} CPUs, kg {__version__}: {r.count} generated seed-like articles "
        f"(generated in {r.generated_s:.1f} s); stage medians over {r.sample} articles (owlrl over {r.owlrl_sample})"
    )
    width = max(len(k) for k in r.stages)
    for name, value in r.stages.items():
        print(f"  {name.ljust(width)}  {value * 1000:9.1f} ms")
    fast, slow = r.fast, r.slow
    print(f"  {'one article, kg path'.ljust(width)}  {fast * 1000:9.1f} ms  ({1 / fast:.2f} articles/s on one core)")
    print(f"  {'one article, owlrl path'.ljust(width)}  {slow * 1000:9.1f} ms  ({1 / slow:.2f} articles/s on one core)")
    runs = ", ".join(f"{rate:.2f}" for rate in r.rates)
    print(
        f"kg ingest, {r.workers} workers, {r.count} articles: {r.rate:.2f} articles/s, median of {len(r.rates)} "
        f"run(s) ({runs}); last run: {r.runs[-1].summary}"
    )
    for note in (r.limited, r.stopped):
        if note:
            print(f"  note: {note}")
    print(
        f"ratios: kg path ÷ owlrl path per article {slow / fast:.1f}×; kg ingest ÷ goal of {GOAL_RATE:g} articles/s "
        f"{r.rate / GOAL_RATE:.2f}; SHACL is {(r.stages['gate asserted'] + r.stages['gate closure']) / fast:.0%} "
        "of the kg path"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="50 articles (default 1000), owlrl on 1 (default 3)")
    parser.add_argument("--articles", type=int, help="articles for the kg ingest runs")
    parser.add_argument("--budget", type=float, help="seconds for the kg ingest runs (default 240; --quick 20)")
    args = parser.parse_args()
    chosen = settings(args.quick)
    if args.articles:
        chosen["target"] = args.articles
    if args.budget is not None:
        chosen["budget"] = args.budget
    report(measure(**chosen))


if __name__ == "__main__":
    main()
