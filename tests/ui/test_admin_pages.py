"""The Verwaltung: organisations and users (errors per field), process versions (ZIP upload →
validation report → deploy, comparing versions), Fristen profiles per network — and never any case
content. SQLite only: these pages hold no database-specific logic of their own."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from engine.persistence import models as m
from tests.ui.conftest import PASSWORD, UiClient, _password_hash
from web import create_app
from web.config import load_settings

ROOT = Path(__file__).resolve().parents[2]
MELDER = ROOT / "tests" / "fixtures" / "bundles" / "melder" / "1"
BROKEN = ROOT / "tests" / "vectors" / "bundles" / "broken" / "multi_problem" / "1"
PAGES = (
    "/verwaltung",
    "/verwaltung/organisationen",
    "/verwaltung/benutzer",
    "/verwaltung/prozesse",
    "/verwaltung/fristen",
)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'schutzpfad.db'}"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _h1(response) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", _text(response), re.S).group(1).strip()


def _events(engine, event_type):
    """The events the admin of the tests caused (initialising the engine records some too)."""
    with engine.work() as (uow, _work):
        return list(engine.vault.read(uow.session.connection(), types=[event_type], actor="kita_admin"))


def _zip(folder: Path, *, top: str | None = "1", change=None) -> bytes:
    """The bundle folder as a ZIP (inside a top-level folder, as zipping the folder itself gives)."""
    files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
    if change:
        files = change(files)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in files.items():
            archive.writestr(f"{top}/{path}" if top else path, content)
    return buffer.getvalue()


def _melder_v2(files: dict[str, bytes]) -> dict[str, bytes]:
    manifest = json.loads(files["manifest.json"])
    files["manifest.json"] = json.dumps({**manifest, "version": 2}).encode()
    bpmn = files["melder.bpmn"]
    files["melder.bpmn"] = bpmn.replace(b'name="Frage stellen"', b'name="Frage an das Jugendamt stellen"')
    return files


def _post(ui, path: str, data: dict, token_from: str | None = None):
    return ui.post_form(path, data, token_from=token_from or path)


def _deploy(ui, data: dict):
    return ui.post_form("/verwaltung/prozesse/bereitstellen", data, token_from="/verwaltung/prozesse")


def _upload(ui, data: bytes, name: str = "bundle.zip"):
    token = ui.csrf("/verwaltung/prozesse")
    return ui.post(
        "/verwaltung/prozesse/pruefen",
        data={"csrf_token": token, "bundle": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


# ---- who may enter --------------------------------------------------------------------------------


def test_only_admins_reach_the_verwaltung(ui):
    assert "/anmelden?next=/verwaltung" in ui.get("/verwaltung").headers["Location"]
    for username in ("kita_fk", "kita_revision", "goch_fk"):
        ui.login(username)
        for path in (*PAGES, "/verwaltung/prozesse/melder/vergleich"):
            assert ui.get(path).status_code == 403, (username, path)
        posted = ui.post_form("/verwaltung/organisationen", {"key": "x-y", "name": "X"}, token_from="/aufgaben")
        assert posted.status_code == 403
        assert 'href="/verwaltung"' not in _text(ui.get("/aufgaben"))
    ui.login("kita_admin")
    for path in PAGES:
        page = ui.get(path)
        html = _text(page)
        assert page.status_code == 200, path
        assert html.count("<h1") == 1 and "style=" not in html and "<script>" not in html, path
    overview = _text(ui.get("/verwaltung"))
    assert '<a class="sp-nav__link" href="/verwaltung" aria-current="page">Verwaltung</a>' in overview
    assert 'href="/revision"' not in overview


def test_no_case_content_on_any_admin_page(ui, world, child):
    case = world.engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    ui.login("kita_admin")
    for path in (*PAGES, f"/verwaltung/fristen?netzwerk={world['kita_fk'].memberships[0].network_key}"):
        html = _text(ui.get(path))
        assert child["nachname"] not in html and child["vorname"] not in html, path
        assert case.reference not in html and case.open_tasks[0].pseudonym not in html, path


# ---- organisations and users ----------------------------------------------------------------------


def test_organisations_are_listed_and_created_with_errors_per_field(ui, world):
    ui.login("kita_admin")
    page = _text(ui.get("/verwaltung/organisationen"))
    assert "Kita Regenbogen Kevelaer" in page and "Freier Träger der Jugendhilfe" in page
    assert '<th scope="col">Kürzel</th>' in page and "<caption>" in page
    # the Jugendamt is required for every kind but a Jugendamt (the hint says so): not marked optional
    label = re.search(r'<label class="kern-label" for="f-jugendamt">(.*?)</label>', page, re.S).group(1)
    assert "optional" not in label and "Pflicht für alle Arten außer Jugendamt." in page
    bad = _post(ui, "/verwaltung/organisationen", {"key": "Kita Neu", "name": " ", "kind": "traeger"})
    html = _text(bad)
    assert bad.status_code == 422
    for field in ("key", "name", "jugendamt"):
        assert f'id="f-{field}-fehler"' in html and f'href="#f-{field}"' in html, field
    assert 'value="Kita Neu"' in html  # the input is kept
    unknown = _post(ui, "/verwaltung/organisationen", {"key": "kita-neu", "name": "Neu", "kind": "kita"})
    assert unknown.status_code == 422 and 'id="f-kind-fehler"' in _text(unknown)

    category = _post(
        ui,
        "/verwaltung/organisationen",
        {"key": "kita-x", "name": "X", "kind": "traeger", "jugendamt": "ja-goch", "meldende_stelle": "presse"},
    )
    assert category.status_code == 422 and 'id="f-meldende_stelle-fehler"' in _text(category)

    made = _post(
        ui,
        "/verwaltung/organisationen",
        {
            "key": "kita-neu-goch",
            "name": "Kita Neu Goch",
            "kind": "traeger",
            "jugendamt": "ja-goch",
            "meldende_stelle": "kita_kindertagespflege",
        },
    )
    assert made.status_code == 302 and made.headers["Location"].endswith("/verwaltung/organisationen")
    page = _text(ui.get("/verwaltung/organisationen"))
    assert "Die Organisation „kita-neu-goch“ ist angelegt." in page and "Kita Neu Goch" in page
    [event] = _events(world.engine, "organisation.created")
    assert event.actor == "kita_admin" and event.payload["key"] == "kita-neu-goch"
    with world.engine.reading() as uow:
        made_org = uow.session.execute(select(m.Organisation).where(m.Organisation.key == "kita-neu-goch")).scalar_one()
        assert made_org.meldende_stelle == "kita_kindertagespflege"  # prefills the Eingang of its Meldungen


def test_users_are_listed_and_invited_with_a_second_factor(ui, world):
    ui.login("kita_admin")
    page = _text(ui.get("/verwaltung/benutzer"))
    assert "kita_revision" in page and "Revision / Datenschutz" in page and "nicht erforderlich" in page
    assert 'name="ohne_mfa"' not in page  # not offered: SCHUTZPFAD_ALLOW_NO_MFA is off
    bad = _post(
        ui,
        "/verwaltung/benutzer",
        {
            "username": "Neue Person",
            "organisation": "kita-kevelaer",
            "role": "insofa",
            "telefon": "ruf mich an",
        },
    )
    html = _text(bad)
    assert bad.status_code == 422
    for field in ("username", "role", "telefon"):
        assert f'id="f-{field}-fehler"' in html, field
    assert 'name="password"' not in html  # an administrator never chooses a password for someone
    no_org = _post(ui, "/verwaltung/benutzer", {"username": "neu", "role": "fachkraft"})
    assert no_org.status_code == 422 and 'id="f-organisation-fehler"' in _text(no_org)

    made = _post(
        ui,
        "/verwaltung/benutzer",
        {
            "username": "neue.fachkraft",
            "display_name": "Neue Fachkraft",
            "telefon": "02832 93 44-20",
            "organisation": "kita-kevelaer",
            "role": "fachkraft",
            "ohne_mfa": "true",  # ignored: not allowed in this installation
        },
    )
    assert made.status_code == 200 and "http://localhost/einladung/" in _text(made)
    with world.engine.reading() as uow:
        user = uow.session.execute(select(m.User).where(m.User.username == "neue.fachkraft")).scalar_one()
        assert user.mfa_required is True and user.telefon == "02832 93 44-20" and user.password_hash is None
    [event] = _events(world.engine, "user.created")
    assert event.actor == "kita_admin" and event.payload["mfa_required"] is True


def test_without_a_second_factor_only_where_the_installation_allows_it(world, tmp_path):
    settings = load_settings(
        {
            "SCHUTZPFAD_INSTANCE": str(tmp_path / "demo"),
            "SCHUTZPFAD_SECRET_KEY": "test",
            "SCHUTZPFAD_ALLOW_NO_MFA": "1",
        }
    )
    app = create_app(settings, case_engine=world.engine)
    ui = UiClient(app, world)
    with world.engine.writing() as uow:
        admin = m.User.username == "kita_admin"
        uow.session.execute(update(m.User).where(admin).values(password_hash=_password_hash()))
        uow.commit()
    ui.login("kita_admin")
    assert 'name="ohne_mfa"' in _text(ui.get("/verwaltung/benutzer"))
    made = _post(
        ui,
        "/verwaltung/benutzer",
        {
            "username": "demo.fk",
            "organisation": "kita-kevelaer",
            "role": "fachkraft",
            "ohne_mfa": "true",
        },
    )
    invitation = "/einladung/" + re.search(r"/einladung/([\w-]+)<", _text(made)).group(1)
    person = UiClient(app, world)
    chosen = {"password": PASSWORD, "password_repeat": PASSWORD}
    assert person.post_form(invitation, chosen, token_from=invitation).headers["Location"].endswith("/anmelden")
    with world.engine.writing() as uow:  # a Fachkraft's role waits for the Leitung
        uow.session.execute(update(m.Membership).values(pending=False))
        uow.commit()
    ui.login("demo.fk")  # password only
    assert ui.get("/aufgaben").status_code == 200


# ---- process versions --------------------------------------------------------------------------------


def test_a_valid_bundle_is_reported_then_deployed_and_compared(ui, world):
    ui.login("kita_admin")
    listing = _text(ui.get("/verwaltung/prozesse"))
    assert "<caption>Bereitgestellte Versionen von „Testprozess: meldet und wartet auf Antwort“</caption>" in listing
    assert 'enctype="multipart/form-data"' in listing

    report = _upload(ui, _zip(MELDER, change=_melder_v2))
    html = _text(report)
    assert report.status_code == 200 and _h1(report) == "Prüfbericht"
    assert "Gültig" in html and ">Bereitstellen<" in html and "Version 2" in html
    assert not _events(world.engine, "process.deployed")  # nothing deployed before the confirmation
    upload = re.search(r'name="upload" value="([^"]+)"', html).group(1)
    sha256 = re.search(r'name="sha256" value="([0-9a-f]{64})"', html).group(1)

    # a forged or foreign upload id deploys nothing
    forged = _deploy(ui, {"upload": "x" * 32, "sha256": sha256})
    assert forged.status_code == 302 and "nicht mehr vor" in _text(ui.get("/verwaltung/prozesse"))

    deployed = _deploy(ui, {"upload": upload, "sha256": sha256})
    assert deployed.status_code == 302 and deployed.headers["Location"].endswith("/verwaltung/prozesse")
    listing = _text(ui.get("/verwaltung/prozesse"))
    assert "Version 2 ist bereitgestellt." in listing and sha256[:12] in listing
    [event] = _events(world.engine, "process.deployed")
    assert event.actor == "kita_admin" and event.payload["version"] == 2 and event.payload["sha256"] == sha256
    again = _deploy(ui, {"upload": upload, "sha256": sha256})
    assert again.status_code == 302 and len(_events(world.engine, "process.deployed")) == 1  # used up

    compared = ui.get("/verwaltung/prozesse/melder/vergleich", query_string={"alt": 1, "neu": 2})
    html = _text(compared)
    assert compared.status_code == 200 and "<caption>Geänderte Schritte</caption>" in html
    assert "Frage stellen" in html and "Frage an das Jugendamt stellen" in html and "<code>fragen</code>" in html
    assert ui.get("/verwaltung/prozesse/melder/vergleich", query_string={"alt": 7}).status_code == 422
    assert ui.get("/verwaltung/prozesse/gibt-es-nicht/vergleich").status_code == 404

    # the same version again with other bytes is refused in the report, before any deployment
    changed = _upload(ui, _zip(MELDER, change=lambda f: {**_melder_v2(f), "forms/extra.txt": b"x"}))
    assert changed.status_code == 422 and "schon mit anderem Inhalt bereitgestellt" in _text(changed)


def test_a_broken_bundle_shows_every_problem_and_cannot_be_deployed(ui, world):
    from engine.processes.bundles import load_bundle_dir
    from engine.processes.validation.bundle import validate_bundle

    expected = validate_bundle(load_bundle_dir(BROKEN))
    ui.login("kita_admin")
    report = _upload(ui, _zip(BROKEN, top=None))
    html = _text(report)
    assert report.status_code == 422 and f"Ungültig – gefundene Probleme: {len(expected)}" in html
    for problem in expected:
        assert str(problem).replace("'", "&#39;").replace('"', "&#34;") in html, problem
    assert ">Bereitstellen<" not in html and 'name="upload"' not in html


def test_unsafe_or_unusable_uploads_are_refused(ui):
    """The refusals themselves are the engine's (tests/unit/test_bundles.py): here, that they are shown."""
    ui.login("kita_admin")
    none = _post(ui, "/verwaltung/prozesse/pruefen", {}, "/verwaltung/prozesse")
    assert none.status_code == 422 and 'id="f-bundle-fehler"' in _text(none)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../manifest.json", "{}")
    refused = _upload(ui, buffer.getvalue())
    assert refused.status_code == 422 and "../manifest.json: unzulässiger Pfad" in _text(refused)
    assert 'name="upload"' not in _text(refused)


# ---- Fristen ----------------------------------------------------------------------------------------


def test_fristen_per_network_refuse_a_bad_value_and_take_a_good_one(ui, world):
    network = world["kita_fk"].memberships[0].network_key
    ui.login("kita_admin")
    assert "<table" not in _text(ui.get("/verwaltung/fristen"))  # first choose a network
    page = ui.get("/verwaltung/fristen", query_string={"netzwerk": network})
    html = _text(page)
    assert page.status_code == 200 and "Beratung mit der insoweit erfahrenen Fachkraft" in html
    assert "3 Werktage" in html and "4 Stunden" in html and "8 Wochen" in html
    assert "insofa_beratung<" not in html and "PT4H" not in html and "ISO" not in html
    assert 'id="f-anzahl-insofa_beratung"' in html and 'value="3"' in html
    assert '<option value="werktage" selected>Werktage</option>' in html
    unknown = ui.get("/verwaltung/fristen", query_string={"netzwerk": "atlantis"})
    assert unknown.status_code == 422 and "Bitte wählen Sie ein Netzwerk aus der Liste." in _text(unknown)

    path = f"/verwaltung/fristen/{network}"
    form = {"key": "insofa_beratung", "anzahl.insofa_beratung": "drei", "einheit.insofa_beratung": "wochentage"}
    bad = _post(ui, path, form, "/verwaltung/fristen")
    html = _text(bad)
    assert bad.status_code == 422 and 'id="f-anzahl-insofa_beratung-fehler"' in html
    assert "Bitte geben Sie die Anzahl als ganze Zahl von 1 bis 9999 ein, zum Beispiel 4." in html
    assert 'id="f-einheit-insofa_beratung-fehler"' in html
    assert "Bitte wählen Sie eine Einheit: Minuten, Stunden, Werktage, Kalendertage, Wochen, Monate, Jahre." in html
    assert 'value="drei"' in html
    assert world.engine.fristen(network)["insofa_beratung"] == "3 Werktage"

    too_long = {"key": "schutzplan_max", "anzahl.schutzplan_max": "200", "einheit.schutzplan_max": "jahre"}
    refused = _post(ui, path, too_long, "/verwaltung/fristen")
    assert refused.status_code == 422
    assert "Diese Frist ist zu lang. Bitte geben Sie höchstens 100 Jahre an." in _text(refused)
    assert world.engine.fristen(network)["schutzplan_max"] == "P8W"

    form = {"key": "insofa_beratung", "anzahl.insofa_beratung": " 4 ", "einheit.insofa_beratung": "werktage"}
    good = _post(ui, path, form, "/verwaltung/fristen")
    assert good.status_code == 302 and good.headers["Location"].endswith(f"/verwaltung/fristen?netzwerk={network}")
    html = _text(ui.get(good.headers["Location"]))
    assert "Die Frist „Beratung mit der insoweit erfahrenen Fachkraft“ beträgt jetzt 4 Werktage." in html
    assert world.engine.fristen(network)["insofa_beratung"] == "4 Werktage"
    form = {"key": "leitung_informieren", "anzahl.leitung_informieren": "6", "einheit.leitung_informieren": "stunden"}
    assert _post(ui, path, form, "/verwaltung/fristen").status_code == 302
    assert world.engine.fristen(network)["leitung_informieren"] == "PT6H"
    [event, _later] = _events(world.engine, "fristen.changed")
    assert event.actor == "kita_admin" and event.payload["new"] == "4 Werktage"
