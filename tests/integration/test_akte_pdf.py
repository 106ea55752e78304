"""The Akte as PDF (`GET /api/v1/cases/{id}/file.pdf`): blacked out for the parents' inspection, full
for the Familiengericht; only the organisation's case workers; purpose and reason checked in one pass;
every export audited. The PDFs are read back with `pdftotext` (poppler-utils, .ci/system-deps)."""

from __future__ import annotations

import subprocess

import pytest

from engine.cases.redaction import REDACTED
from tests.support.file_journey import EINGANG, MELDUNG, complete

REASON = "Antrag der Mutter auf Akteneinsicht vom 03.03.2026"


def pdf_text(data: bytes) -> str:
    """The text of a PDF as pdftotext reads it (layout kept, so a line is a line)."""
    done = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode()


def export(api, case_id: int, user: str = "goch_fk", **query):
    return api.call("GET", f"/cases/{case_id}/file.pdf", user=user, query_string=query)


def exported_events(world) -> list[dict]:
    with world.engine.reading() as uow:
        return [e.payload for e in world.engine.vault.read(uow.session.connection(), types=["case.exported"])]


@pytest.fixture
def received(api, reported):
    """The Jugendamt's case with the Meldebogen received and the Eingang recorded."""
    kita, ja = reported
    complete(api, "goch_fk", ja, "eingang_erfassen", EINGANG)
    return kita, ja


def test_the_inspection_copy_blacks_out_the_reporter_and_keeps_the_content(api, received, child):
    kita, ja = received
    kita_reference = api.call("GET", f"/cases/{kita}", user="kita_fk").get_json()["reference"]
    ja_reference = api.call("GET", f"/cases/{ja}", user="goch_fk").get_json()["reference"]
    response = export(api, ja, purpose="akteneinsicht", reason=REASON)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"Akte-{ja_reference}-akteneinsicht.pdf" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    # what the parents may read: the child, the allegation, the Jugendamt's own steps
    for present in (
        ja_reference,
        child["nachname"],
        MELDUNG["zusammenfassung"],
        EINGANG["inhalt"],
        "Akteneinsicht",
        REASON,
        "Seite 1 von",
        REDACTED,
    ):
        assert present in text, present
    # who reported: the organisation, its contact person, its case reference, the reporter category
    for absent in ("Kita Regenbogen Kevelaer", "Kita Leitung", kita_reference, "Kindertagespflege"):
        assert absent not in text, absent


def test_the_court_copy_is_complete(api, received):
    kita, ja = received
    kita_reference = api.call("GET", f"/cases/{kita}", user="kita_fk").get_json()["reference"]
    text = pdf_text(export(api, ja, purpose="familiengericht", reason="Anforderung Familiengericht Kleve").data)
    for present in ("Kita Regenbogen Kevelaer", "Kita Leitung", kita_reference, "Familiengericht"):
        assert present in text, present
    assert REDACTED not in text


def test_the_pdf_is_tagged_with_its_language_and_title(api, received):
    _, ja = received
    data = export(api, ja, purpose="intern", reason="Fallübergabe an Kollegin").data
    reference = api.call("GET", f"/cases/{ja}", user="goch_fk").get_json()["reference"]
    done = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True)
    info = dict(line.split(":", 1) for line in done.stdout.decode().splitlines() if ":" in line)
    assert info["Tagged"].strip() == "yes"  # a structure tree: PDF/UA-1
    assert info["Title"].strip() == f"Akte {reference} – Interne Verwendung (vollständig)"
    assert int(info["Pages"]) >= 1


def test_every_export_is_audited_with_purpose_and_reason(api, world, received):
    _, ja = received
    export(api, ja, purpose="akteneinsicht", reason=REASON)
    export(api, ja, purpose="intern", reason="Fallübergabe an Kollegin")
    events = exported_events(world)
    assert [(e["purpose"], e["reason"]) for e in events] == [
        ("akteneinsicht", REASON),
        ("intern", "Fallübergabe an Kollegin"),
    ]


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({}, {"purpose", "reason"}),
        ({"purpose": "presse", "reason": "x"}, {"purpose", "reason"}),
        ({"purpose": "intern", "reason": "    kurz "}, {"reason"}),
        ({"purpose": "intern", "reason": "x" * 501}, {"reason"}),
    ],
)
def test_bad_purpose_or_reason_is_refused_at_once_and_nothing_is_recorded(api, world, received, query, fields):
    _, ja = received
    response = export(api, ja, **query)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert set(response.get_json()["errors"]) == fields
    assert exported_events(world) == []


@pytest.mark.parametrize(
    ("user", "case", "status"),
    [
        ("insofa_kleve", "kita", 403),  # she sees the pseudonymised consultation, never the Akte
        ("kita_admin", "kita", 404),
        ("kita_revision", "kita", 404),  # auditors read the trail with a reason, not the Akte
        ("dueren_fk", "ja", 404),  # another Jugendamt
        ("kita_fk", "ja", 404),  # the reporter never gets the Jugendamt's Akte
        ("kita_fk", "kita", 200),
    ],
)
def test_only_the_organisations_case_workers_export(api, world, received, user, case, status):
    kita, ja = received
    response = export(api, kita if case == "kita" else ja, user=user, purpose="intern", reason="Fallübergabe")
    assert response.status_code == status
    assert len(exported_events(world)) == (1 if status == 200 else 0)


def test_the_export_is_in_the_openapi_document(api):
    spec = api.call("GET", "/openapi.json", user=None).get_json()
    operation = spec["paths"]["/api/v1/cases/{case_id}/file.pdf"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["purpose"]["schema"]["enum"] == ["akteneinsicht", "familiengericht", "intern"]
    assert params["reason"]["required"] is True and "application/pdf" in operation["responses"]["200"]["content"]
