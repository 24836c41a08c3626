"""kg.settings: every setting is read from KG_* and documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_documented_in_the_readme(field: str) -> None:
    assert f"`KG_{field.upper()}`" in README.read_text(encoding="utf-8")


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_BASE_IRI", "https://news.example.org/")
    monkeypatch.setenv("KG_PORT", "8123")
    settings = Settings()
    assert settings.base_iri == "https://news.example.org/"
    assert settings.port == 8123


def test_a_bad_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_PORT", "eighty")
    with pytest.raises(ValueError, match="port"):
        Settings()
