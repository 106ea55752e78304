"""Verwaltung › Prozesse › Laufende Fälle migrieren: the preview lists every running case of the
older version as migrierbar / nicht migrierbar with the reason, then the migration runs in batches
with its progress; admins only. SQLite only: the page holds no database logic of its own (the engine's
migration runs on both databases in tests/integration/test_case_migration.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.migration import KEY, deploy, open_at, version_of
from web.ui import admin_migration

PAGE = f"/verwaltung/prozesse/{KEY}/migration"
UNMAPPED = "nicht migrierbar: <span>Der Schritt „Nachfassen“ hat in Version 2 keine Entsprechung.</span>"


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'schutzpfad.db'}"


def _hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">', html))


def test_preview_then_batches_with_progress_and_a_process_without_map(ui, world, child, monkeypatch):
    engine = world.engine
    deploy(engine, 1)
    cases = [open_at(world, child, task) for task in ("bewerten", "nachfassen", "erfassen")]
    deploy(engine, 2)
    refs = [engine.case(world["kita_fk"], c)["reference"] for c in cases]
    monkeypatch.setattr(admin_migration, "BATCH", 2)

    ui.login("kita_leitung")
    assert ui.get(PAGE).status_code == 403
    ui.login("kita_admin")
    assert f'href="{PAGE}"' in ui.get("/verwaltung/prozesse").get_data(as_text=True)
    preview = ui.get(PAGE).get_data(as_text=True)
    assert "Vorschau: Version 1 auf Version 2" in preview
    for ref, word in zip(refs, ("migrierbar", UNMAPPED, "migrierbar"), strict=True):
        assert re.search(rf"<td[^>]*>{ref}</td>\s*<td[^>]*>{word}</td>", preview), ref
    assert [version_of(engine, c) for c in cases] == [1, 1, 1]  # the preview changes nothing

    refused = ui.post_form(PAGE, {"grund": " "}, token_from=PAGE)
    assert refused.status_code == 422 and "Geben Sie den Grund der Migration an." in refused.get_data(as_text=True)

    first = ui.post_form(PAGE, {"grund": "Version 2 eingeführt"}, token_from=PAGE)
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "2 von 3 Fällen bearbeitet" in html
    assert '<progress id="sp-migration-progress" max="3" value="2">' in html
    assert "Bisher 1 migriert, 1 nicht migrierbar." in html and "Nächste 1 Fälle migrieren" in html
    assert [version_of(engine, c) for c in cases] == [2, 1, 1]
    second = ui.post_form(PAGE, _hidden(html), token_from=PAGE).get_data(as_text=True)
    assert "3 von 3 Fällen bearbeitet" in second and "Bisher 2 migriert, 1 nicht migrierbar." in second
    assert "Die Migration ist abgeschlossen." in second and "Nächste" not in second
    assert [version_of(engine, c) for c in cases] == [2, 1, 2]

    # a process whose newest version carries no migration map says so; an unknown one is 404
    page = ui.get("/verwaltung/prozesse/melder/migration")  # a fixture process with one version
    assert page.status_code == 200 and "keine Migrationsbeschreibung" in page.get_data(as_text=True)
    assert ui.post_form("/verwaltung/prozesse/melder/migration", {"grund": "x"}, token_from=PAGE).status_code == 422
    assert ui.get("/verwaltung/prozesse/gibtesnicht/migration").status_code == 404
