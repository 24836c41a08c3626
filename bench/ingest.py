"""Ingest benchmark: generated seed-like articles through the whole pipeline, kg's path (compiled
OWL 2 RL rules) against the owlrl path, with the time of each stage. Prints figures, asserts
nothing. ``python bench/ingest.py [--quick] [--articles N]``.

- per stage (one process, medians over a sample): load, map, SHACL gate of the asserted graph,
  the closure (kg's rules; owlrl), SHACL gate of the closure, store write;
- the throughput of ``kg ingest`` itself (its worker processes, one transaction per article) on
  N articles, and the owlrl path's throughput computed from its stage times on one core.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg import __version__, pipeline, resources
from kg.mapper import map_article, map_authority, referenced_authority
from kg.namespaces import IRIs
from kg.reason import infer as infer_owlrl
from kg.rules import infer_fast
from kg.store import open_store
from kg.synthetic import generate


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
        for k in ("load", "map", "gate asserted", "closure (kg rules)", "closure (owlrl)", "gate closure", "store")
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
            asserted = mapped.asserted + context
            seconds, _ = _timed(lambda g=asserted: pipeline.gate(g))
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
            both = inferred + authority.inferred
            seconds, _ = _timed(lambda g=asserted, b=both: pipeline.closure_gate(g, b))
            out["gate closure"].append(seconds)
            built = pipeline.build_article(article, iris, now, authority)
            seconds, _ = _timed(lambda b=built: store.replace_graphs(b.graphs()))
            out["store"].append(seconds)
        store.close()
    return out


def ingest_rate(root: Path, count: int, workers: int) -> tuple[float, str]:
    """Articles per second of ``kg ingest`` (a real run, as a user starts it) and its summary line."""
    kg = Path(sys.executable).with_name("kg")
    command = [str(kg)] if kg.exists() else [sys.executable, "-c", "from kg.cli import app; app(prog_name='kg')"]
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
        started = time.perf_counter()
        done = subprocess.run(
            [*command, "ingest", str(root), "--store", f"{tmp}/store", "--workers", str(workers)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"kg ingest failed: {done.stderr[-2000:]}")
    summary = done.stderr.strip().splitlines()[-1]
    return count / seconds, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20 articles (default 200), owlrl on 2 (default 5)")
    parser.add_argument("--articles", type=int, help="articles for the kg ingest run")
    args = parser.parse_args()
    count = args.articles or (20 if args.quick else 200)
    sample, owlrl_sample = (5, 2) if args.quick else (20, 5)
    workers = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="kg-bench-ingest-") as tmp:
        root = Path(tmp) / "articles"
        seconds, folders = _timed(lambda: generate(root, count, seed=20151021))
        per = stages(root, folders[:sample], owlrl_sample)
        rate, summary = ingest_rate(root, count, workers)
        shutil.rmtree(root)
    medians = {name: statistics.median(values) for name, values in per.items() if values}
    fast = sum(v for k, v in medians.items() if k != "closure (owlrl)")
    slow = fast - medians["closure (kg rules)"] + medians["closure (owlrl)"]
    print(
        f"Ingest benchmark — {os.cpu_count()} CPUs, kg {__version__}: {count} generated seed-like articles "
        f"(generated in {seconds:.1f} s); stage medians over {sample} articles (owlrl over {owlrl_sample})"
    )
    width = max(len(k) for k in medians)
    for name, value in medians.items():
        print(f"  {name.ljust(width)}  {value * 1000:9.1f} ms")
    print(f"  {'one article, kg path'.ljust(width)}  {fast * 1000:9.1f} ms  ({1 / fast:.2f} articles/s on one core)")
    print(f"  {'one article, owlrl path'.ljust(width)}  {slow * 1000:9.1f} ms  ({1 / slow:.2f} articles/s on one core)")
    print(f"kg ingest, {workers} workers, {count} articles: {rate:.2f} articles/s ({summary})")
    print(
        f"ratios: kg path ÷ owlrl path per article {slow / fast:.1f}×; kg ingest ÷ goal of 50 articles/s "
        f"{rate / 50:.2f}; SHACL is {(medians['gate asserted'] + medians['gate closure']) / fast:.0%} of the kg path"
    )


if __name__ == "__main__":
    main()
