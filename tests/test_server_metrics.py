"""Unit tests of the Prometheus registry (kg.server.metrics), read back with a small parser of the
text exposition format 0.0.4 written here."""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field

import pytest

from kg.server.metrics import BUCKETS, CONTENT_TYPE, REFUSAL_REASONS, UNMATCHED_ROUTE, Metrics

# --- a small parser of the text format ---------------------------------------------------------

_METRIC = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_HELP = re.compile(rf"^# HELP ({_METRIC}) (.*)$")
_TYPE = re.compile(rf"^# TYPE ({_METRIC}) (counter|gauge|histogram|summary|untyped)$")
_SAMPLE = re.compile(rf"^({_METRIC})(?:\{{(.*)\}})? (\S+)$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')
_VALUE = re.compile(r"^(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]Inf|NaN)$")
_SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("", "_sum", "_count")}


def _unescape(value: str) -> str:
    return re.sub(r"\\([\\\"n])", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


@dataclass
class Exposition:
    types: dict[str, str] = field(default_factory=dict)
    helps: dict[str, str] = field(default_factory=dict)
    samples: list[tuple[str, dict[str, str], float]] = field(default_factory=list)

    def value(self, name: str, **labels: str) -> float:
        found = [v for n, ls, v in self.samples if n == name and ls == labels]
        assert len(found) == 1, f"{len(found)} samples {name}{labels}"
        return found[0]

    def series(self, name: str) -> list[tuple[dict[str, str], float]]:
        return [(ls, v) for n, ls, v in self.samples if n == name]


def parse(text: str) -> Exposition:
    """Parse ``text``, failing on anything the format does not allow (or kg should not write)."""
    assert text.endswith("\n")
    out = Exposition()
    seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
    for line in text[:-1].split("\n"):
        if match := _HELP.match(line):
            assert match.group(1) not in out.helps, f"second HELP for {match.group(1)}"
            out.helps[match.group(1)] = _unescape(match.group(2))
        elif match := _TYPE.match(line):
            assert match.group(1) not in out.types, f"second TYPE for {match.group(1)}"
            out.types[match.group(1)] = match.group(2)
        else:
            match = _SAMPLE.match(line)
            assert match, f"not a sample: {line!r}"
            name, label_text, value = match.groups()
            labels: dict[str, str] = {}
            if label_text:
                position = 0
                for label in _LABEL.finditer(label_text):
                    assert label.start() == position, f"bad labels: {label_text!r}"
                    labels[label.group(1)] = _unescape(label.group(2))
                    position = label.end()
                assert position == len(label_text), f"bad labels: {label_text!r}"
            assert _VALUE.match(value), f"bad value: {value!r}"
            family = next(
                (f for f, kind in out.types.items() for suffix in _SUFFIXES.get(kind, ("",)) if name == f + suffix),
                None,
            )
            assert family is not None, f"{name} has no TYPE line before it"
            key = (name, tuple(sorted(labels.items())))
            assert key not in seen, f"duplicate sample {key}"
            seen.add(key)
            out.samples.append((name, labels, float(value)))
    return out


def check_histograms(exposition: Exposition) -> None:
    """Every histogram series: cumulative buckets ending in +Inf, whose count is _count."""
    for family, kind in exposition.types.items():
        if kind != "histogram":
            continue
        routes = {ls["route"] for ls, _ in exposition.series(f"{family}_count")}
        for route in routes:
            buckets = [(ls["le"], v) for ls, v in exposition.series(f"{family}_bucket") if ls["route"] == route]
            bounds = [float(le) for le, _ in buckets]
            counts = [v for _, v in buckets]
            assert bounds == sorted(bounds) and bounds[-1] == math.inf
            assert counts == sorted(counts), f"buckets of {route} are not cumulative: {counts}"
            assert counts[-1] == exposition.value(f"{family}_count", route=route)


# --- tests ---------------------------------------------------------------------------------------


def test_a_fresh_registry_renders_every_family() -> None:
    exposition = parse(Metrics().render())
    assert exposition.types == {
        "kg_http_requests_total": "counter",
        "kg_http_request_duration_seconds": "histogram",
        "kg_query_timeouts_total": "counter",
        "kg_refusals_total": "counter",
    }
    assert set(exposition.helps) == set(exposition.types)
    assert exposition.value("kg_query_timeouts_total") == 0
    assert {ls["reason"]: v for ls, v in exposition.series("kg_refusals_total")} == dict.fromkeys(REFUSAL_REASONS, 0)
    assert exposition.series("kg_http_requests_total") == []
    assert CONTENT_TYPE.startswith("text/plain; version=0.0.4")


def test_request_counters_increase_per_label_set() -> None:
    metrics = Metrics()
    metrics.observe("GET", "/sparql", 200, 0.01)
    metrics.observe("GET", "/sparql", 200, 0.02)
    metrics.observe("POST", "/sparql", 400, 0.001)
    metrics.observe("GET", UNMATCHED_ROUTE, 404, 0.0001)
    exposition = parse(metrics.render())
    assert exposition.value("kg_http_requests_total", method="GET", route="/sparql", status="200") == 2
    assert exposition.value("kg_http_requests_total", method="POST", route="/sparql", status="400") == 1
    assert exposition.value("kg_http_requests_total", method="GET", route="unmatched", status="404") == 1
    metrics.observe("GET", "/sparql", 200, 0.03)
    assert parse(metrics.render()).value("kg_http_requests_total", method="GET", route="/sparql", status="200") == 3


def test_methods_are_upper_case_and_unknown_ones_are_other() -> None:
    metrics = Metrics()
    metrics.observe("get", "/sparql", 200, 0.01)
    metrics.observe("BREW", "/sparql", 405, 0.01)
    exposition = parse(metrics.render())
    assert exposition.value("kg_http_requests_total", method="GET", route="/sparql", status="200") == 1
    assert exposition.value("kg_http_requests_total", method="other", route="/sparql", status="405") == 1


def test_histogram_buckets_are_cumulative_and_count_every_observation() -> None:
    metrics = Metrics()
    durations = [0.0005, 0.001, 0.003, 0.2, 0.2, 9.9, 10.0, 20.0]  # 0.001 and 10.0 sit on a bound: le is <=
    for seconds in durations:
        metrics.observe("GET", "/sparql", 200, seconds)
    metrics.observe("GET", "/healthz", 200, 0.0001)
    exposition = parse(metrics.render())
    check_histograms(exposition)
    name = "kg_http_request_duration_seconds"
    buckets = {float(ls["le"]): v for ls, v in exposition.series(f"{name}_bucket") if ls["route"] == "/sparql"}
    assert list(buckets) == [*BUCKETS, math.inf]
    for bound, count in buckets.items():
        assert count == sum(1 for d in durations if d <= bound)
    assert buckets[0.001] == 2
    assert buckets[10.0] == 7
    assert buckets[math.inf] == len(durations)
    assert exposition.value(f"{name}_count", route="/sparql") == len(durations)
    assert exposition.value(f"{name}_sum", route="/sparql") == pytest.approx(sum(durations))
    assert exposition.value(f"{name}_count", route="/healthz") == 1
    assert not any("method" in ls or "status" in ls for ls, _ in exposition.series(f"{name}_bucket"))


@pytest.mark.parametrize("seconds", [-0.001, math.nan])
def test_impossible_durations_are_refused(seconds: float) -> None:
    with pytest.raises(ValueError, match="cannot take"):
        Metrics().observe("GET", "/sparql", 200, seconds)


def test_label_values_are_escaped() -> None:
    metrics = Metrics()
    route = 'a\\b "quoted"\nnext'
    metrics.observe("GET", route, 200, 0.01)
    metrics.refused('why\\"\n')
    text = metrics.render()
    assert 'route="a\\\\b \\"quoted\\"\\nnext"' in text
    assert all(line.startswith(("#", "kg_")) for line in text.splitlines())  # no raw newline inside a sample
    exposition = parse(text)
    assert exposition.value("kg_http_requests_total", method="GET", route=route, status="200") == 1
    assert exposition.value("kg_http_request_duration_seconds_count", route=route) == 1
    assert exposition.value("kg_refusals_total", reason='why\\"\n') == 1


def test_timeouts_and_refusals_count() -> None:
    metrics = Metrics()
    metrics.timeout()
    metrics.timeout()
    metrics.refused("service")
    metrics.refused("busy")
    metrics.refused("busy")
    metrics.refused("something_new")
    exposition = parse(metrics.render())
    assert exposition.value("kg_query_timeouts_total") == 2
    assert exposition.value("kg_refusals_total", reason="service") == 1
    assert exposition.value("kg_refusals_total", reason="busy") == 2
    assert exposition.value("kg_refusals_total", reason="load") == 0
    assert exposition.value("kg_refusals_total", reason="something_new") == 1


def test_gauges_are_set_and_added_to() -> None:
    metrics = Metrics()
    metrics.set_gauge("kg_store_quads", 3811, "quads in the store")
    metrics.set_gauge("kg_ratio", 0.25, "a ratio\nover two lines \\ with a backslash")
    metrics.add_gauge("kg_queries_in_flight", 1, "queries running or waiting for a worker")
    metrics.add_gauge("kg_queries_in_flight", 1)
    metrics.add_gauge("kg_queries_in_flight", -1)
    exposition = parse(metrics.render())
    assert exposition.types["kg_store_quads"] == "gauge"
    assert exposition.value("kg_store_quads") == 3811
    assert exposition.value("kg_ratio") == 0.25
    assert exposition.helps["kg_ratio"] == "a ratio\nover two lines \\ with a backslash"
    assert exposition.value("kg_queries_in_flight") == 1
    assert exposition.helps["kg_queries_in_flight"] == "queries running or waiting for a worker"
    metrics.set_gauge("kg_store_quads", 0)
    exposition = parse(metrics.render())
    assert exposition.value("kg_store_quads") == 0
    assert exposition.helps["kg_store_quads"] == "quads in the store"


def test_gauge_values_render_as_numbers() -> None:
    metrics = Metrics()
    metrics.set_gauge("kg_big", 1e21)
    metrics.set_gauge("kg_inf", math.inf)
    text = metrics.render()
    assert "kg_big 1e+21\n" in text
    assert "kg_inf +Inf\n" in text
    parse(text)


@pytest.mark.parametrize(
    "name", ["", "1abc", "kg-dash", "kg quads", "kg_http_requests_total", "kg_http_request_duration_seconds_count"]
)
def test_gauge_names_are_checked(name: str) -> None:
    with pytest.raises(ValueError, match="cannot name a gauge"):
        Metrics().set_gauge(name, 1)


def test_concurrent_updates_lose_nothing() -> None:
    metrics = Metrics()
    threads, rounds = 8, 2000
    start = threading.Barrier(threads + 1)
    renders: list[str] = []
    done = threading.Event()

    def work(index: int) -> None:
        start.wait()
        for i in range(rounds):
            metrics.observe("GET", f"/route{index % 2}", 200, (i % 7) * 0.003)
            metrics.refused("busy")
            metrics.timeout()
            metrics.add_gauge("kg_queries_in_flight", 1)
            metrics.add_gauge("kg_queries_in_flight", -1)

    def read() -> None:
        start.wait()
        while not done.is_set():
            renders.append(metrics.render())

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    reader = threading.Thread(target=read)
    for thread in (*workers, reader):
        thread.start()
    for thread in workers:
        thread.join()
    done.set()
    reader.join()

    exposition = parse(metrics.render())
    check_histograms(exposition)
    per_route = threads // 2 * rounds
    for route in ("/route0", "/route1"):
        assert exposition.value("kg_http_requests_total", method="GET", route=route, status="200") == per_route
        assert exposition.value("kg_http_request_duration_seconds_count", route=route) == per_route
    assert exposition.value("kg_refusals_total", reason="busy") == threads * rounds
    assert exposition.value("kg_query_timeouts_total") == threads * rounds
    assert exposition.value("kg_queries_in_flight") == 0
    for text in renders[:: max(1, len(renders) // 20)]:  # snapshots taken mid-way are consistent too
        check_histograms(parse(text))
