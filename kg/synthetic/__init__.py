"""Synthetic, seed-like news articles for benchmarks and property tests.

``generate(root, count, seed)`` writes an articles root: an ``authority.yaml`` with a pool
of invented countries, cities, places, government bodies, armed forces, armed groups,
news agencies, people, equipment and posts, and ``count`` article folders shaped like the
bundled seed (a few dozen events, statements, quantities, tenures, times and relations).

Each text is assembled from sentence templates while the offsets of every span are
recorded, so every annotation loads with :func:`kg.annotation.load_article` and passes the
gate. The annotation is built from :mod:`kg.annotation`'s own models, so it can only say
what the schema allows. Everything is drawn from ``random.Random`` seeded by ``seed`` and
the article's index: the same arguments give byte-identical files, and article ``i`` does
not depend on ``count``. Nothing in these articles happened and every name is invented.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml
from pydantic import BaseModel

from kg.annotation import ANNOTATION_FILE, Span, authority_path
from kg.synthetic.article import TEXT_FILE, _ArticleWriter
from kg.synthetic.pool import _Pool


def generate(root: Path, count: int, seed: int = 0) -> list[Path]:
    """Write an articles root at ``root``: ``authority.yaml`` and ``count`` article folders
    (``synthetic-{seed}-{index:04d}``). Returns the article folders in order. Files of the
    same names are overwritten; nothing else in ``root`` is touched."""
    if count < 0 or seed < 0:
        raise ValueError(f"count and seed must be non-negative (got count={count}, seed={seed})")
    pool = _Pool(random.Random(f"kg.synthetic/{seed}/authority"))  # noqa: S311 - test data, not secrets
    root.mkdir(parents=True, exist_ok=True)
    header = f"# Synthetic authority written by kg.synthetic (seed {seed}). Every name in it is invented.\n"
    authority_path(root).write_bytes((header + _dump(pool.authority())).encode())
    folders = []
    for index in range(count):
        article_id = f"synthetic-{seed}-{index:04d}"
        rng = random.Random(f"kg.synthetic/{seed}/{index}")  # noqa: S311 - test data, not secrets
        text, annotation = _ArticleWriter(rng, pool, article_id).write()
        folder = root / article_id
        folder.mkdir(exist_ok=True)
        (folder / TEXT_FILE).write_bytes(text.encode())
        header = f"# Synthetic article {index} written by kg.synthetic (seed {seed}). Nothing in it happened.\n"
        (folder / ANNOTATION_FILE).write_bytes((header + _dump(annotation)).encode())
        folders.append(folder)
    return folders


def _dump(model: BaseModel) -> str:
    # no line wrapping: a folded plain scalar would read back the same, but a surface on one
    # line is one a person can compare with the text
    return yaml.safe_dump(_plain(model), sort_keys=False, allow_unicode=True, default_flow_style=None, width=10**6)


def _plain(value: object) -> object:
    """A model as YAML-ready data, written as a person would: spans as ``[start, end,
    surface]``, fields left at their defaults left out."""
    if isinstance(value, Span):
        return [value.start, value.end, value.text]
    if isinstance(value, BaseModel):
        out = {}
        for name, info in type(value).model_fields.items():
            item = getattr(value, name)
            if info.is_required() or item != info.get_default(call_default_factory=True):
                out[name] = _plain(item)
        return out
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
