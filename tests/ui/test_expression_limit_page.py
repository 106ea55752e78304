"""The step page when a process expression overruns its limits (issue 13, finding 1): the case page
with the engine's German reason and 422, nothing saved."""

from __future__ import annotations

import pytest

from engine.processes.bundles import load_bundle_dir
from tests.support.power_bundle import HUGE, power_bundle

# The refusal itself is tested on both databases in tests/integration/test_expression_limits.py.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_an_overrun_shows_the_reason_on_the_case_page_and_saves_nothing(ui, world, child, tmp_path):
    world.engine.deploy(load_bundle_dir(power_bundle(tmp_path / "power")), deployed_by="tests")
    opened = world.engine.open_case(world["kita_fk"], process_key="minimal", child=child)
    [task] = world.engine.case(world["kita_fk"], opened.case_id)["open_tasks"]
    url = f"/faelle/{opened.case_id}/schritte/{task['id']}"
    ui.login("kita_fk")
    refused = ui.post_form(url, {"akute_gefahr": "true", "anzahl": str(HUGE), "notiz": ""}, token_from=url)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Der Schritt wurde abgelehnt, es wurde nichts gespeichert" in html
    assert "Akute Gefahr?" in html and "Rechengrenzen" in html
    [still_open] = world.engine.case(world["kita_fk"], opened.case_id)["open_tasks"]
    assert still_open["id"] == task["id"]
