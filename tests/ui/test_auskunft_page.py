"""`/auskunft` (R38): a Jugendamt's Leitung asks for a person's data and gets a printable document (HTML,
or PDF) with each case's Aktenzeichen, the items with their purpose and the deletion date; a wrong
request comes back with the messages; nobody else reaches the page."""

from __future__ import annotations

from engine.persistence import models as m

PAGE = "/auskunft"
MIA = {"art": "kind", "vorname": "Mia", "nachname": "Beispielkind", "geburtsdatum": "17.05.2020"}


def test_the_leitung_gets_the_document_and_nobody_else_reaches_the_page(ui, world, child) -> None:
    guardians = [{"name": "Anna Beispiel", "beziehung": "Mutter", "sorgerecht": True}]
    opened = world.engine.open_case(
        world["goch_fk"], process_key="jugendamt_8a", child={**child, "sorgeberechtigte": guardians}
    )
    with world.engine.reading() as uow:
        reference = uow.session.get(m.Case, opened.case_id).reference

    ui.login("goch_fk")
    assert ui.get(PAGE).status_code == 403
    assert ui.post_form(PAGE, MIA, token_from="/faelle").status_code == 403

    ui.login("goch_leitung")
    form = ui.get(PAGE).get_data(as_text=True)
    assert 'href="/auskunft"' in form and "Art. 15 DSGVO" in form  # the nav link and the page
    document = ui.post_form(PAGE, {**MIA, "format": "html"}, token_from=PAGE)
    assert document.status_code == 200 and document.headers["Cache-Control"].startswith("no-store")
    html = document.get_data(as_text=True)
    assert '<html lang="de">' in html and f"Fall {reference} –" in html
    assert "<td>Vorname</td>" in html and '<td class="value">Mia</td>' in html
    assert "Bezeichnet das Kind eindeutig, damit der Fall dem richtigen Kind zugeordnet wird." in html
    assert "Der Fall läuft noch." in html and "Anna" not in html

    pdf = ui.post_form(PAGE, {**MIA, "format": "pdf"}, token_from=PAGE)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")

    wrong = ui.post_form(PAGE, {"art": "kind", "vorname": "Mia"}, token_from=PAGE)
    assert wrong.status_code == 422
    page = wrong.get_data(as_text=True)
    assert "Bitte prüfen Sie Ihre Eingaben" in page and "Geben Sie den Nachnamen an." in page
    assert 'value="Mia"' in page  # what was typed stays
