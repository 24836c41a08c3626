"""`POST /articles` on a real `kg serve`: an article ingested through the authenticated write path,
as `kg ingest` stores it (one transaction, unchanged ones left alone, bad ones refused)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import ARTICLES, SEED
from tests.serving import Server, assert_error, running

pytestmark = pytest.mark.server

TOKEN = "ingest-test-token-51c2"
BEARER = {"authorization": f"Bearer {TOKEN}"}
COPY = "seed-copy-through-the-server"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running(tmp_path_factory, update_token=TOKEN, articles=str(ARTICLES)) as s:
        yield s


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


def article(annotation: bytes | None = None) -> dict[str, tuple[str, bytes, str]]:
    if annotation is None:
        source = (SEED / "annotation.yaml").read_text(encoding="utf-8")
        annotation = source.replace(f"  id: {SEED.name}", f"  id: {COPY}", 1).encode()
    return {
        "annotation": ("annotation.yaml", annotation, "application/yaml"),
        "text": ("text.txt", (SEED / "text.txt").read_bytes(), "text/plain"),
    }


def test_an_article_is_stored_then_left_alone_when_sent_again(client: httpx.Client) -> None:
    first = client.post("/articles", files=article(), headers=BEARER)
    assert first.status_code == 201, first.text
    assert first.json() == {"article": COPY, "result": "stored", "page": f"/page/article/{COPY}"}
    page = client.get(f"/page/article/{COPY}", headers={"accept": "text/html"})
    assert page.status_code == 200 and "Shoigu" in page.text  # readers see it at once
    ask = f"ASK {{ GRAPH <http://127.0.0.1:8000/graph/article/{COPY}/inferred> {{ ?s ?p ?o }} }}"
    assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True  # inferred too
    again = client.post("/articles", files=article(), headers=BEARER)
    assert again.status_code == 200, again.text
    assert again.json()["result"] == "unchanged"


def test_a_bad_article_is_400_with_the_field_and_line(client: httpx.Client) -> None:
    broken = (SEED / "annotation.yaml").read_text(encoding="utf-8").replace("  language: en", "  language: 7", 1)
    response = client.post("/articles", files=article(broken.encode()), headers=BEARER)
    body = assert_error(response, 400)
    assert body["error"] == "BadArticle"
    assert "annotation.yaml" in body["message"] and "article.language" in body["message"]
    assert "/tmp" not in body["message"]  # where the server kept it is nobody's business


def test_articles_need_the_token_and_both_parts(client: httpx.Client) -> None:
    assert_error(client.post("/articles", files=article()), 401)
    assert_error(client.post("/articles", files=article(), headers={"authorization": "Bearer wrong"}), 403)
    assert_error(client.post("/articles", content=b"x", headers={**BEARER, "content-type": "text/plain"}), 415)
    only = {"annotation": article()["annotation"]}
    assert "text" in assert_error(client.post("/articles", files=only, headers=BEARER), 400)["message"]


def test_an_article_cannot_name_a_text_outside_its_folder(client: httpx.Client) -> None:
    source = (SEED / "annotation.yaml").read_text(encoding="utf-8")
    for name in ("/etc/hostname", "../../../../etc/hostname", "annotation.yaml"):
        annotation = source.replace("  text: text.txt", f"  text: '{name}'", 1).encode()
        body = assert_error(client.post("/articles", files=article(annotation), headers=BEARER), 400)
        assert "article.text" in body["message"] and "plain name of a file" in body["message"], body
