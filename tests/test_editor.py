"""The SPARQL editor's files (YASGUI from npm) are served at /static/yasgui/ only when installed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from kg.server.editor import FILES, MOUNT_PATH, PACKAGE, ROOT, editor_dist, mount_editor


def _dist(root: Path) -> Path:
    folder = root / "node_modules" / PACKAGE / "build"
    folder.mkdir(parents=True)
    for name in FILES:
        (folder / name).write_text(f"/* {name} */\n")
    return folder


def test_absent_editor_is_not_mounted(tmp_path: Path) -> None:
    app = FastAPI()
    assert editor_dist(tmp_path) is None
    assert mount_editor(app, tmp_path / "nothing") is False
    assert not [r for r in app.router.routes if getattr(r, "path", None) == MOUNT_PATH]


def test_half_installed_editor_is_not_mounted(tmp_path: Path) -> None:
    folder = _dist(tmp_path)
    (folder / FILES[1]).unlink()
    assert editor_dist(tmp_path) is None
    assert mount_editor(FastAPI(), folder) is False


def test_installed_editor_is_served_before_static(tmp_path: Path) -> None:
    folder = _dist(tmp_path)
    assert editor_dist(tmp_path) == folder
    other = tmp_path / "static"
    other.mkdir()
    app = FastAPI()
    app.mount("/static", StaticFiles(directory=other), name="static")  # a broader mount, added first
    assert mount_editor(app, folder) is True
    (tmp_path / "secret.txt").write_text("outside the editor's folder")

    async def ask() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kg.test") as client:
            return [
                await client.get(f"{MOUNT_PATH}/yasgui.min.js"),
                await client.head(f"{MOUNT_PATH}/yasgui.min.css"),
                await client.get(f"{MOUNT_PATH}/..%2F..%2F..%2F..%2Fsecret.txt"),
                await client.get(f"{MOUNT_PATH}/missing.js"),
            ]

    js, css, escape, missing = asyncio.run(ask())
    assert js.status_code == 200
    assert js.headers["content-type"].startswith("text/javascript")
    assert js.text == "/* yasgui.min.js */\n"
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert escape.status_code == 404
    assert missing.status_code == 404


def test_the_project_root_holds_package_json() -> None:
    """The checkout's package.json pins the package editor.py looks for."""
    assert (ROOT / "package.json").is_file()
    assert f'"{PACKAGE}"' in (ROOT / "package.json").read_text()
