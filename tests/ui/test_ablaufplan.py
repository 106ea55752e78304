"""The network's Ablaufplan: every Frist of the network's profile in words and every Bereitschaft
number of its Jugendämter, on the page and in the PDF (pdftotext); members of the network only."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from engine.deadlines.wording import frist_in_words
from engine.directory.plan import FRIST_LABELS

PLAN = "/netzwerk/ablaufplan"
NUMBERS = {"ja-goch": "0170 1111111", "ja-kevelaer": "0170 2222222", "ja-kreis-kleve": "0170 3333333"}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _kleve_offices(world) -> dict[str, str]:
    return {
        o["key"]: o["name"]
        for o in world.engine.organisations()
        if o["kind"] == "jugendamt" and o["network"] == "kreis-kleve"
    }


def test_the_plan_shows_every_frist_and_every_bereitschaft_on_the_page_and_in_the_pdf(ui, world, tmp_path):
    offices = _kleve_offices(world)
    for key in offices:
        world.engine.set_organisation_contact(key, {"bereitschaft": NUMBERS.get(key, "0170 9999999")}, operator="test")
    world.engine.set_frist("kreis-kleve", "insofa_beratung", "2 Werktage", operator="test")
    profile = world.engine.fristen("kreis-kleve")
    numbers = [NUMBERS.get(key, "0170 9999999") for key in offices]
    ui.login("kita_fk")
    page = ui.get(PLAN)
    html = _text(page)
    assert page.status_code == 200 and "Netzwerk Kinderschutz Kreis Kleve" in html
    for key, value in profile.items():
        assert f'<th scope="row">{FRIST_LABELS[key]}</th><td>{frist_in_words(value)}</td>' in html
    assert "innerhalb von 2 Werktagen" in html  # the network's own value, not the default
    assert "Beratungsstelle Kreis Kleve" in html  # the network's insofa pool, not another network's
    assert "Beratungsstelle Düren" not in html
    assert all(number in html for number in numbers)
    pdf = ui.get(f"{PLAN}.pdf?netzwerk=kreis-kleve")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    (tmp_path / "plan.pdf").write_bytes(pdf.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "plan.pdf"), "-"], capture_output=True, check=True, text=True
    ).stdout
    flat = " ".join(text.split())
    for value in profile.values():
        assert frist_in_words(value) in flat
    assert all(number in flat for number in numbers)


def test_another_networks_plan_is_not_found(ui, world):
    ui.login("kita_fk")
    assert ui.get(f"{PLAN}?netzwerk=kreis-dueren").status_code == 404
    assert ui.get(f"{PLAN}.pdf?netzwerk=kreis-dueren").status_code == 404
