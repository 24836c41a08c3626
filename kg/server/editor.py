"""The SPARQL editor (YASGUI) at ``/static/yasgui/``, when it is installed.

YASGUI is a front-end package from npm (``@zazuko/yasgui``, pinned in ``package.json`` at the
project root and installed by ``npm ci`` into ``node_modules/``); kg ships none of it. Its
``build/`` folder holds a self-contained bundle: ``yasgui.min.js`` and ``yasgui.min.css`` load no
font, stylesheet or script from anywhere else. When the folder is absent (no npm, or an install
from a wheel), nothing is mounted and the query page falls back to its plain form.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

MOUNT_PATH = "/static/yasgui"
PACKAGE = "@zazuko/yasgui"
FILES = ("yasgui.min.js", "yasgui.min.css")
ROOT = Path(__file__).resolve().parents[2]
"""The source checkout this module runs from (editable install): where ``package.json`` lies."""


def editor_dist(root: Path = ROOT) -> Path | None:
    """YASGUI's ``build/`` folder under ``root/node_modules``, if it holds both files."""
    folder = root / "node_modules" / PACKAGE / "build"
    if all((folder / name).is_file() for name in FILES):
        return folder
    return None


def mount_editor(app: FastAPI, directory: Path | None = None) -> bool:
    """Serve YASGUI's bundle at ``/static/yasgui/`` when it is installed; True if it is mounted.

    The mount goes first among the routes so that a broader ``/static`` mount added before or
    after it never hides it.
    """
    folder = directory if directory is not None else editor_dist()
    if folder is None or not all((folder / name).is_file() for name in FILES):
        return False
    app.router.routes.insert(0, Mount(MOUNT_PATH, app=StaticFiles(directory=folder), name="yasgui"))
    return True
