"""The volume generator's pure parts: template texts cut into slots, dates moved, every column of a
cloned table decided, the scenarios' slots known to the scratch world."""

from __future__ import annotations

from datetime import timedelta

from engine.persistence import models as m
from engine.volume.capture import COLUMNS
from engine.volume.patterns import Cutter, compact, shift_text
from engine.volume.scenarios import SCENARIOS
from engine.volume.scratch import USERS
from engine.volume.steps import Step
from engine.volume.templates import keyed, world_tokens


def test_every_column_of_a_cloned_table_is_decided() -> None:
    for table, kinds in COLUMNS.items():
        assert set(kinds) == {c.name for c in m.Base.metadata.tables[table].columns}, table


def test_a_text_is_cut_into_tokens_task_ids_and_dates() -> None:
    cutter = Cutter(world_tokens() + ["KS-2026-000003"])
    text = compact(
        {
            "bezug": "KS-2026-000003",
            "kontakt": "Vorlage Kitaleitung",
            "task_id": "0b9c3f7e-5a1d-4c2b-9e8f-1a2b3c4d5e6f",
            "am": "2026-01-06T09:00:00+01:00",
            "tag": "2026-01-20",
            "kind_geburtsjahr": 2017,
            "anzahl": 2017,
            "notiz": "100 % sicher",
        }
    )
    pattern = cutter.cut(text)
    assert cutter.uuids == {"0b9c3f7e-5a1d-4c2b-9e8f-1a2b3c4d5e6f"}
    assert cutter.dates == {"2026-01-06T09:00:00+01:00", "2026-01-20"}
    values = {key: key for key in pattern.keys} | {
        "KS-2026-000003": "KS-2021-000042",
        "Vorlage Kitaleitung": "Anna Albers",
        keyed("kind_geburtsjahr", 2017): keyed("kind_geburtsjahr", 2019),
    }
    rendered = pattern.render(values)
    assert '"bezug":"KS-2021-000042"' in rendered and '"kontakt":"Anna Albers"' in rendered
    assert '"kind_geburtsjahr":2019' in rendered and '"anzahl":2017' in rendered  # a bare number stays
    assert '"notiz":"100 % sicher"' in rendered


def test_dates_move_by_days_and_date_times_by_the_whole_shift() -> None:
    shift = timedelta(days=-70, minutes=35)
    assert shift_text("2026-01-20", -70, shift) == "2025-11-11"
    assert shift_text("2026-01-06T09:00:00+01:00", -70, shift) == "2025-10-28T09:35:00+01:00"


def test_every_scenario_acts_through_known_slots() -> None:
    for scenario in SCENARIOS:
        assert scenario.opener in USERS
        for step in scenario.steps:
            if isinstance(step, Step):
                assert step.who in USERS and step.case in {"own", "ja"}, (scenario.key, step.task)
