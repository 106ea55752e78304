"""The network's Ablaufplan: each deployed procedure drawn as a flow (every step, who does it, the
Frist on the step it governs, the decisions with their branches), every Frist of the network's
profile in words and every Bereitschaft number of its Jugendämter, on the page and in the PDF
(pdftotext); stamped with what it was generated from; members of the network only."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html

from engine.deadlines.wording import frist_in_words
from engine.directory.plan import FRIST_LABELS
from engine.processes.bundles import load_bundle_dir
from tests.conftest import FIXTURE_BUNDLES

PLAN = "/netzwerk/ablaufplan"
NUMBERS = {"ja-goch": "0170 1111111", "ja-kevelaer": "0170 2222222", "ja-kreis-kleve": "0170 3333333"}


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'schutzpfad.db'}"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _pdf_pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """The PDF's text page by page, whitespace flattened and WeasyPrint's hyphenation undone."""
    (tmp_path / "plan.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "plan.pdf"), "-"], capture_output=True, check=True, text=True
    ).stdout
    joined = re.sub(r"(\w)[-\u2010]\n\s*([a-zäöüß])", r"\1\2", text)  # U+2010: WeasyPrint's hyphen
    return [" ".join(page.split()) for page in joined.split("\f") if page.strip()]


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
        assert f'<th scope="row">{FRIST_LABELS[key]}</th><td data-label="Frist">{frist_in_words(value)}</td>' in html
    assert "innerhalb von 2 Werktagen" in html  # the network's own value, not the default
    assert "Beratungsstelle Kreis Kleve" in html  # the network's insofa pool, not another network's
    assert "Beratungsstelle Düren" not in html
    assert all(number in html for number in numbers)
    pdf = ui.get(f"{PLAN}.pdf?netzwerk=kreis-kleve")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    pages = _pdf_pages(pdf.data, tmp_path)
    flat = " ".join(pages)
    for value in profile.values():
        assert frist_in_words(value) in flat
    assert all(number in flat for number in numbers)
    plan = world.engine.ablaufplan(world["kita_fk"])
    for procedure in plan.procedures:  # the same flow as the page: every step and wait, every decision
        for item in procedure.items:
            waiting = "Warten: " if item.flow.kind == "wait" else ""
            assert f"{item.flow.number}. {waiting}{item.flow.title}" in flat
    assert "Entscheidung: Dringende Gefahr?" in flat and "Ja – dringende Gefahr: weiter mit 3." in flat
    assert all(f"Kennung {plan.stamp.fingerprint}" in page for page in pages)  # every page's footer


def test_each_procedure_is_a_flow_of_its_steps_with_who_their_frist_and_the_decisions(ui, world):
    world.engine.set_frist("kreis-kleve", "insofa_beratung", "2 Werktage", operator="test")
    ui.login("kita_fk")
    page = lxml_html.fromstring(_text(ui.get(PLAN)))
    plan = world.engine.ablaufplan(world["kita_fk"])
    traeger = next(p for p in plan.procedures if p.key == "traeger_8a")
    flow = page.get_element_by_id("sp-plan-traeger_8a").getparent().find_class("sp-flow")[0]
    assert flow.tag == "ol" and len(flow) == len(traeger.items)  # the ordered list is the text alternative
    boxes = {item.flow.key: " ".join(flow[item.flow.number - 1].text_content().split()) for item in traeger.items}
    assert boxes["anhaltspunkte_dokumentieren"].startswith("1. Gewichtige Anhaltspunkte dokumentieren")
    assert "Entscheidung: Dringende Gefahr?" in boxes["anhaltspunkte_dokumentieren"]
    assert "Ja – dringende Gefahr: weiter mit 3. Sofortmeldung an das Jugendamt" in boxes["anhaltspunkte_dokumentieren"]
    assert "Nein: weiter mit 2. Leitung informieren" in boxes["anhaltspunkte_dokumentieren"]
    insofa = boxes["insofa_beratung"]
    assert "Wer: insoweit erfahrene Fachkraft" in insofa and "Frist: innerhalb von 2 Werktagen" in insofa
    assert "Gleichzeitig: Meldebogen nachreichen und Rückmeldung abwarten" in boxes["sofortmeldung_jugendamt"]
    assert "Warten: Rückmeldung des Jugendamts abwarten" in boxes["rueckmeldung_abwarten"]
    assert "Ende: Fall abgeschlossen" in boxes["abschluss"]
    jugendamt = next(p for p in plan.procedures if p.key == "jugendamt_8a")
    eindruck = next(i for i in jugendamt.items if i.flow.key == "unmittelbarer_eindruck")
    profile = world.engine.fristen("kreis-kleve")
    ampel = ("eindruck_rot", "eindruck_gelb", "eindruck_gruen")
    assert [f.words for f in eindruck.fristen] == [frist_in_words(profile[key]) for key in ampel]


def _melder_v2(tmp_path: Path) -> Path:
    target = tmp_path / "melder-2"
    shutil.copytree(FIXTURE_BUNDLES / "melder" / "1", target)
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["version"] = 2
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    bpmn = next(target.glob("*.bpmn"))
    bpmn.write_text(bpmn.read_text().replace('name="Frage stellen"', 'name="Frage formulieren"'))
    return target


def test_a_new_version_a_changed_frist_or_bereitschaft_changes_the_stamp_and_the_content(ui, world, tmp_path):
    kita = world["kita_fk"]
    ui.login("kita_fk")

    def shown() -> tuple[object, str]:
        return world.engine.ablaufplan(kita).stamp, " ".join(_text(ui.get(PLAN)).split())

    first, page = shown()
    assert f"Kennung dieses Stands: {first.fingerprint}" in page and f"Kennung {first.fingerprint}" in page
    assert "Frage stellen" in page and "im Netzwerk unverändert" in page

    world.engine.deploy(load_bundle_dir(_melder_v2(tmp_path)), deployed_by="tests")
    deployed, page = shown()
    assert deployed.fingerprint != first.fingerprint and deployed.directory_state == first.directory_state
    assert "Frage formulieren" in page and "Frage stellen" not in page
    assert "Testprozess: meldet und wartet auf Antwort: Version 2, bereitgestellt am 02.03.2026" in page

    world.engine.set_frist("kreis-kleve", "insofa_beratung", "7 Werktage", operator="test")
    changed, page = shown()
    assert changed.fingerprint != deployed.fingerprint and changed.profile_version == deployed.profile_version + 1
    assert "innerhalb von 7 Werktagen" in page
    assert f"Fristenprofil des Netzwerks: Version {changed.profile_version} vom 02.03.2026" in page

    world.engine.set_organisation_contact("ja-goch", {"bereitschaft": "0170 5555555"}, operator="test")
    edited, page = shown()
    assert edited.fingerprint != changed.fingerprint and edited.directory_state != changed.directory_state
    assert "0170 5555555" in page and f"Stand {edited.directory_state}" in page
    assert world.engine.ablaufplan(kita).stamp.fingerprint == edited.fingerprint  # same inputs, same stamp


def test_another_networks_plan_is_not_found(ui, world):
    ui.login("kita_fk")
    assert ui.get(f"{PLAN}?netzwerk=kreis-dueren").status_code == 404
    assert ui.get(f"{PLAN}.pdf?netzwerk=kreis-dueren").status_code == 404
    ui.clear_cookies()
    assert ui.get(PLAN).status_code in (302, 303) and ui.get(f"{PLAN}.pdf").status_code in (302, 303)
