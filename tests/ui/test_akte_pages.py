"""Die Akte als PDF in the UI: the case page offers it to the organisation's case workers only; the
form asks purpose and reason and shows both errors at once; the download is a PDF and is audited."""

from __future__ import annotations

from tests.support.cases import sofortmeldung


def _events(world, kind: str) -> list[dict]:
    with world.engine.reading() as uow:
        return [e.payload for e in world.engine.vault.read(uow.session.connection(), types=[kind])]


def test_the_case_worker_exports_the_akte_after_naming_purpose_and_reason(ui, world, child):
    ja = sofortmeldung(world, child)
    ui.login("goch_fk")
    case_page = ui.get(f"/faelle/{ja}").get_data(as_text=True)
    assert f'href="/faelle/{ja}/akte"' in case_page
    form = ui.get(f"/faelle/{ja}/akte").get_data(as_text=True)
    assert 'name="zweck"' in form and 'value="akteneinsicht"' in form and 'name="anlass"' in form
    assert "geschwärzt" in form

    missing = ui.get(f"/faelle/{ja}/akte.pdf", query_string={"anlass": "kurz"})
    html = missing.get_data(as_text=True)
    assert missing.status_code == 422 and missing.mimetype == "text/html"
    assert 'href="#f-zweck"' in html and 'href="#f-anlass"' in html  # both errors at once, in the summary
    assert "mindestens 5 Zeichen" in html and ">kurz</textarea>" in html  # the input is kept
    assert _events(world, "case.exported") == []

    pdf = ui.get(f"/faelle/{ja}/akte.pdf", query_string={"zweck": "akteneinsicht", "anlass": "Antrag des Vaters"})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF-")
    assert "attachment" in pdf.headers["Content-Disposition"] and pdf.headers["Cache-Control"] == "no-store"
    [event] = _events(world, "case.exported")
    assert (event["purpose"], event["reason"]) == ("akteneinsicht", "Antrag des Vaters")


def test_the_reporter_and_the_administrator_get_no_akte(ui, world, child):
    ja = sofortmeldung(world, child)
    ui.login("kita_admin")
    assert ui.get(f"/faelle/{ja}/akte").status_code == 404
    ui.login("kita_fk")
    assert ui.get(f"/faelle/{ja}/akte.pdf", query_string={"zweck": "intern", "anlass": "Neugier"}).status_code == 404
    assert _events(world, "case.exported") == []
