"""Opening a case and completing a step answer with every error at once (issue 10, item 8), on SQLite
and PostgreSQL: the child's fields together with the municipality, the chosen Jugendamt and the
organisation; a step's own fields together with its pool and Frist checks; a date of an observation in
the future refused. A refused opening leaves no case and no audit event."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.accounts import registry as accounts
from engine.errors import NotAllowed, ValidationFailed
from engine.persistence import models as m
from tests.support.cases import BEOBACHTUNG, FALLSCHILDERUNG

BAD_CHILD = {"vorname": "", "geburtsdatum": "2026-03-03", "wohnort_gemeinde": "Gooch"}


def _types(engine) -> list[str]:
    with engine.work() as (uow, work):
        return [e.type for e in engine.vault.read(uow.session.connection())]


def _refused(world, user: str = "kita_fk", **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        world.engine.open_case(world[user], **{"process_key": "traeger_8a", **kwargs})
    return refused.value.errors


def test_a_bad_child_field_and_an_unknown_municipality_are_reported_together_and_change_nothing(world, child):
    before = _types(world.engine)
    errors = _refused(world, child={**child, **BAD_CHILD})
    assert errors["vorname"] == ["Geben Sie „Vorname“ an."]
    assert errors["geburtsdatum"] == ["Das Geburtsdatum liegt in der Zukunft. Geben Sie ein Datum bis heute an."]
    assert "nicht bekannt" in errors["wohnort_gemeinde"][0] and "Goch" in errors["wohnort_gemeinde"][0]
    assert set(errors) == {"vorname", "geburtsdatum", "wohnort_gemeinde"}
    assert world.engine.cases(world["kita_fk"]).rows == []
    assert _types(world.engine) == before  # a refused opening records nothing


def test_an_unknown_chosen_jugendamt_and_an_unknown_process_come_with_the_childs_errors(world, child):
    errors = _refused(world, child={**child, "nachname": "x" * 201}, jugendamt_key="ja-nirgendwo")
    assert errors == {
        "nachname": ["„Nachname“ darf höchstens 200 Zeichen lang sein."],
        "jugendamt": ["Unbekanntes Jugendamt."],
    }
    errors = _refused(world, process_key="gibt_es_nicht", child={**child, "geburtsdatum": "morgen"})
    assert set(errors) == {"process", "geburtsdatum"} and "Bekannt sind" in errors["process"][0]


def test_a_missing_organisation_comes_with_the_childs_errors_but_a_refused_role_comes_alone(world, child):
    with world.engine.writing() as uow:
        user = accounts.user_by_username(uow.session, "kita_fk")
        dueren = uow.session.execute(select(m.Organisation).where(m.Organisation.key == "kita-dueren")).scalar_one()
        uow.session.add(m.Membership(user_id=user.id, organisation_id=dueren.id, role="fachkraft"))
        uow.session.flush()
        both = accounts.actor_for_user(uow.session, user)
        uow.commit()
    with pytest.raises(ValidationFailed) as refused:
        world.engine.open_case(both, process_key="traeger_8a", child={**child, "wohnort_gemeinde": ""})
    assert set(refused.value.errors) == {"organisation", "wohnort_gemeinde"}
    assert "kita-dueren, kita-kevelaer" in refused.value.errors["organisation"][0]
    with pytest.raises(NotAllowed):  # who may not start the process learns nothing about the input
        world.engine.open_case(world["goch_fk"], process_key="traeger_8a", child=BAD_CHILD)


def test_a_future_observation_is_refused_now_and_the_past_accepted(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    task_id = case.open_tasks[0].id
    future = {**BEOBACHTUNG, "beobachtet_am": "2026-03-02T10:30:00+01:00", "quelle": "irgendwo"}
    with pytest.raises(ValidationFailed) as refused:
        engine.complete_task(world["kita_fk"], task_id, future)
    assert refused.value.errors == {
        "beobachtet_am": [
            "„Beobachtet am“ darf nicht in der Zukunft liegen. Geben Sie Datum und Uhrzeit bis jetzt an."
        ],
        "quelle": [
            "Wählen Sie bei „Quelle der Information“ eine der Antworten „Eigene Beobachtung“, „Aussage des Kindes“"
            " oder „Hinweis Dritter“."
        ],
    }
    now = engine.clock.now().isoformat()  # 09:00 Berlin: the clock's own now is fine
    done = engine.complete_task(world["kita_fk"], task_id, {**BEOBACHTUNG, "beobachtet_am": now})
    assert [t.task for t in done.open_tasks] == ["leitung_informieren"]


def test_a_steps_field_errors_come_together_with_its_pool_check(world, child):
    engine = world.engine
    case = engine.open_case(world["kita_fk"], process_key="traeger_8a", child=child)
    engine.complete_task(world["kita_fk"], case.open_tasks[0].id, BEOBACHTUNG)
    [task] = [t for t in engine.case(world["kita_leitung"], case.case_id)["open_tasks"]]
    with pytest.raises(ValidationFailed) as refused:
        engine.complete_task(
            world["kita_leitung"],
            task["id"],
            {"gewichtige_anhaltspunkte": True, "fallschilderung": FALLSCHILDERUNG, "insofa": "kita_fk"},
        )
    assert refused.value.errors == {
        "einschaetzung_leitung": ["Geben Sie „Einschätzung der Leitung“ an."],
        "insofa": ["Diese Person gehört nicht zum Pool dieses Netzwerks."],
    }
