"""Plausible dates and one-pass validation (issue 10, item 8).

A date of something that already happened (`nicht_in_zukunft`: an observation, a receipt, a
consultation, a talk) is refused after the engine's clock — a date after today in Europe/Berlin, a
datetime more than `CLOCK_SKEW` after now — with a German message; the option is checked at deploy; the
shipped v1 bundles get it (and corrected help texts) from `bpmn/manifest_defaults.json` with their bytes
unchanged. Every error of a form comes in one answer.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from engine.cases.child import check_child
from engine.errors import DefinitionInvalid, ValidationFailed, merge_errors
from engine.forms import check_definition, check_submission, form_to_api, parse_definition, validate_submission
from engine.forms.validation import CLOCK_SKEW
from engine.processes import form_defaults
from engine.processes.bundles import bundle_from_files, load_bundle_dir
from engine.processes.catalog import _load_bundle
from engine.processes.validation.bundle import validate_bundle
from engine.shipped import BPMN_ROOT

#: 2026-03-02 09:00 in Berlin (CET), the fake clock of the other tests.
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _form(*fields: dict[str, Any]) -> Any:
    return parse_definition({"format": 1, "task": "aufgabe", "title": "Titel", "fields": list(fields)})


def _field(name: str, type_: str, *, required: bool = True, **extra: Any) -> dict[str, Any]:
    return {"name": name, "label": name.capitalize(), "type": type_, "required": required, **extra}


DATES = _form(
    _field("am", "date", nicht_in_zukunft=True),
    _field("um", "datetime", required=False, nicht_in_zukunft=True),
    _field("bis", "date", required=False),
)


DATE_IN_FUTURE = "„Am“ darf nicht in der Zukunft liegen. Geben Sie ein Datum bis heute an."
DATETIME_IN_FUTURE = "„Um“ darf nicht in der Zukunft liegen. Geben Sie Datum und Uhrzeit bis jetzt an."


def _errors(form: Any, data: dict[str, Any], now: datetime = NOW) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as refused:
        validate_submission(form, data, now=now)
    return refused.value.errors


# ---- the rule ------------------------------------------------------------------------------------------


def test_a_date_after_today_in_berlin_is_refused_today_and_earlier_are_accepted():
    assert _errors(DATES, {"am": "2026-03-03"}) == {"am": [DATE_IN_FUTURE]}
    assert validate_submission(DATES, {"am": "2026-03-02"}, now=NOW) == {"am": "2026-03-02"}
    assert validate_submission(DATES, {"am": "2019-12-31"}, now=NOW) == {"am": "2019-12-31"}
    # Without the option a future date is fine (a review date, a measure's "bis").
    assert validate_submission(DATES, {"am": "2026-03-01", "bis": "2030-01-01"}, now=NOW)["bis"] == "2030-01-01"


def test_today_is_the_berlin_day_not_the_utc_day():
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 00:30 on 3 March in Berlin
    assert validate_submission(DATES, {"am": "2026-03-03"}, now=late) == {"am": "2026-03-03"}
    early = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)  # 23:30 on 2 March in Berlin
    assert _errors(DATES, {"am": "2026-03-03"}, now=early) == {"am": [DATE_IN_FUTURE]}


def test_a_datetime_may_be_a_few_minutes_ahead_for_clock_skew_but_not_more():
    assert timedelta(minutes=5) == CLOCK_SKEW
    ok = {"am": "2026-03-02", "um": "2026-03-02T09:05:00+01:00"}  # now + 5 minutes, given in CET
    assert validate_submission(DATES, ok, now=NOW)["um"] == "2026-03-02T08:05:00+00:00"
    past = {"am": "2026-03-02", "um": "2026-03-01T23:59:00+00:00"}
    assert validate_submission(DATES, past, now=NOW)["um"] == "2026-03-01T23:59:00+00:00"
    assert validate_submission(DATES, {"am": "2026-03-02", "um": "2026-03-02T08:00:00Z"}, now=NOW)
    ahead = {"am": "2026-03-02", "um": "2026-03-02T08:05:01+00:00"}
    assert _errors(DATES, ahead) == {"um": [DATETIME_IN_FUTURE]}


def test_the_rule_holds_inside_list_items_and_keys_the_item():
    form = _form(_field("termine", "list", fields=[_field("datum", "date", nicht_in_zukunft=True)]))
    assert _errors(form, {"termine": [{"datum": "2026-03-01"}, {"datum": "2026-04-01"}]}) == {
        "termine.1.datum": ["„Datum“ darf nicht in der Zukunft liegen. Geben Sie ein Datum bis heute an."]
    }


def test_a_form_with_the_rule_needs_the_clock():
    with pytest.raises(RuntimeError, match="clock"):
        validate_submission(DATES, {"am": "2026-03-02"})
    with pytest.raises(ValueError, match="aware"):
        validate_submission(DATES, {"am": "2026-03-02"}, now=datetime(2026, 3, 2, 9, 0))


# ---- one pass ------------------------------------------------------------------------------------------


def test_every_error_of_a_form_comes_at_once():
    form = _form(
        _field("am", "date", nicht_in_zukunft=True),
        _field("text", "text"),
        _field("zahl", "integer"),
        _field("ja", "boolean"),
        _field("grund", "text", required=False, required_if={"ja": False}),
    )
    errors = _errors(form, {"am": "2026-03-09", "zahl": "drei", "ja": False, "fremd": 1})
    assert set(errors) == {"am", "text", "zahl", "grund", "fremd"}


def test_check_submission_gives_the_valid_values_beside_the_errors():
    form = _form(
        _field("am", "date", nicht_in_zukunft=True),
        _field("text", "text"),
        _field("liste", "list", required=False, fields=[_field("x", "integer")]),
    )
    clean, errors = check_submission(form, {"am": "2026-03-01", "text": 3, "liste": [{"x": 1}, {"x": "y"}]}, now=NOW)
    assert errors == {
        "text": ["Geben Sie „Text“ als Text an."],
        "liste.1.x": ["Geben Sie „X“ als ganze Zahl an, zum Beispiel 3."],
    }
    assert clean == {"am": "2026-03-01"}  # JSON-ready; a list with a bad item is left out whole
    assert check_submission(form, [], now=NOW) == (
        {},
        {"_schema": ["Senden Sie ein JSON-Objekt mit den Feldern des Formulars."]},
    )


def test_merge_errors_keeps_every_message_in_order():
    assert merge_errors({"a": ["1"]}, {}, {"a": ["2"], "b": ["3"]}) == {"a": ["1", "2"], "b": ["3"]}


def test_the_childs_errors_come_at_once_with_the_checks_beyond_the_format():
    child = {"nachname": "x" * 201, "geburtsdatum": "2026-03-03", "wohnort_gemeinde": "Goch", "anschrift": {"plz": "1"}}
    values, errors = check_child(child, date(2026, 3, 2))
    assert errors == {
        "vorname": ["Geben Sie „Vorname“ an."],
        "nachname": ["„Nachname“ darf höchstens 200 Zeichen lang sein."],
        "geburtsdatum": ["Das Geburtsdatum liegt in der Zukunft. Geben Sie ein Datum bis heute an."],
        "anschrift.plz": ["Geben Sie die Postleitzahl mit fünf Ziffern an, zum Beispiel 47574."],
    }
    assert values == {"wohnort_gemeinde": "Goch"}  # what is valid, for the routing


# ---- the option in form definitions, checked at deploy ---------------------------------------------------


@pytest.mark.parametrize(
    ("field", "problem"),
    [
        (
            _field("f", "text", nicht_in_zukunft=True),
            "field 'f': 'nicht_in_zukunft' is only allowed for type date or datetime",
        ),
        (_field("f", "date", nicht_in_zukunft="ja"), "field 'f': 'nicht_in_zukunft' must be true or false"),
        (
            _field("f", "date", nicht_in_zukunft=True, max_frist="schutzplan_max"),
            "field 'f': 'nicht_in_zukunft' and 'max_frist' exclude each other",
        ),
        (_field("f", "date", nicht_in_zukunft_ab="heute"), "field 'f': unknown key 'nicht_in_zukunft_ab'"),
    ],
)
def test_an_invalid_option_is_refused(field: dict[str, Any], problem: str):
    assert check_definition({"format": 1, "task": "t", "title": "T", "fields": [field]}) == [problem]


def test_the_option_is_accepted_on_dates_and_datetimes_and_shown_in_the_api_form():
    definition = {"format": 1, "task": "t", "title": "T", "fields": [_field("am", "date", nicht_in_zukunft=False)]}
    assert check_definition(definition) == []
    assert "nicht_in_zukunft" not in form_to_api(parse_definition(definition))["fields"][0]
    assert form_to_api(DATES)["fields"][0]["nicht_in_zukunft"] is True


def _files(key: str) -> dict[str, bytes]:
    folder = BPMN_ROOT / key / "1"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_deploying_a_bundle_with_an_invalid_option_is_refused():
    files = _files("kkg4")
    form = json.loads(files["forms/insofa_beratung.json"])
    form["fields"][0]["nicht_in_zukunft"] = "ja"  # beratung_am
    files["forms/insofa_beratung.json"] = json.dumps(form).encode()
    bundle = bundle_from_files({**files, "manifest.json": _version(files["manifest.json"], 2)})
    assert _besides_purposes(validate_bundle(bundle)) == [
        "forms/insofa_beratung.json: field 'beratung_am': 'nicht_in_zukunft' must be true or false"
    ]


def _besides_purposes(problems: list[str]) -> list[str]:
    """The problems other than missing purposes (R31): a v1 form deployed as another version, or with its
    amendments refused, lacks the purposes manifest_defaults.json gives v1 (tests/unit/test_purposes.py)."""
    return [p for p in problems if "states no purpose" not in p]


def _version(manifest: bytes, version: int) -> bytes:
    return json.dumps({**json.loads(manifest), "version": version}).encode()


# ---- the shipped v1 bundles: amended from manifest_defaults.json, bytes unchanged -------------------------

NEVER_IN_FUTURE = {
    ("traeger_8a", "anhaltspunkte_dokumentieren", "beobachtet_am"),
    ("traeger_8a", "sofortmeldung_jugendamt", "gemeldet_am"),
    ("traeger_8a", "insofa_beratung", "beratung_am"),
    ("traeger_8a", "beteiligung_familie", "gespraech_am"),
    ("kkg4", "anhaltspunkte_dokumentieren", "beobachtet_am"),
    ("kkg4", "insofa_beratung", "beratung_am"),
    ("jugendamt_8a", "eingang_erfassen", "eingegangen_am"),
    ("jugendamt_8a", "unmittelbarer_eindruck", "datum"),
    ("jugendamt_8a", "inobhutnahme_dokumentieren", "beginn"),
    ("jugendamt_8a", "anrufung_familiengericht", "angerufen_am"),
}


def _loaded(key: str) -> Any:
    return _load_bundle(1, load_bundle_dir(BPMN_ROOT / key / "1"))


def test_the_shipped_observation_receipt_consultation_and_talk_dates_may_not_lie_in_the_future():
    found = {
        (key, task.key, field.name)
        for key in ("traeger_8a", "kkg4", "jugendamt_8a")
        for task in _loaded(key).user_tasks.values()
        for field in task.form.fields
        if field.nicht_in_zukunft
    }
    assert found == NEVER_IN_FUTURE
    schutzplan = _loaded("traeger_8a").task("schutzplan_vereinbaren").form
    assert not schutzplan.field("ueberpruefung_am").nicht_in_zukunft  # a review date lies ahead


def test_the_v1_bytes_stay_and_only_the_loaded_forms_are_amended():
    files = _files("traeger_8a")
    raw = json.loads(files["forms/anhaltspunkte_dokumentieren.json"])
    assert "nicht_in_zukunft" not in json.dumps(raw)  # the deployed bytes (and their sha256) are unchanged
    assert load_bundle_dir(BPMN_ROOT / "traeger_8a" / "1").files == files
    amended = form_defaults.amended_form("traeger_8a", 1, raw)
    assert raw["fields"][1].get("nicht_in_zukunft") is None  # the input is not changed
    assert amended["fields"][1]["nicht_in_zukunft"] is True
    assert form_defaults.amended_form("traeger_8a", 2, raw) == raw  # a new version declares its own


def test_the_help_texts_say_what_really_starts_a_frist():
    """No Frist starts at a date typed into a form: from a task's opening or an earlier completion."""
    for key in ("traeger_8a", "kkg4", "jugendamt_8a"):
        for task in _loaded(key).user_tasks.values():
            for field in task.form.fields:
                assert "Ausgangspunkt der Frist" not in (field.help or ""), (key, task.key, field.name)
    observed = _loaded("traeger_8a").task("anhaltspunkte_dokumentieren").form.field("beobachtet_am")
    assert "ab dem Abschluss dieses Schritts" in (observed.help or "")
    assert "Frist „Leitung informieren“" in (observed.help or "")  # by its name, not its key
    reported = _loaded("traeger_8a").task("sofortmeldung_jugendamt").form.field("gemeldet_am")
    assert "Frist „Schriftliche Meldung an das Jugendamt“" in (reported.help or "") and "nicht ab diesem Zeitpunkt" in (
        reported.help or ""
    )


@pytest.mark.parametrize(
    ("felder", "problem"),
    [
        ({"abschluss": {"abschlussvermerk": {"label": "Neu"}}}, "'label' cannot be added to a deployed version"),
        ({"abschluss": {"gibt_es_nicht": {"help": "x"}}}, "'abschluss': unknown field 'gibt_es_nicht'"),
        ({"kein_schritt": {"x": {"help": "x"}}}, "'kein_schritt' is not a user task with a form in this bundle"),
        ({"abschluss": []}, "must be an object: task → {field → {option: value}}"),
        ({"abschluss": {"abschlussvermerk": {"nicht_in_zukunft": True}}}, "only allowed for type date or datetime"),
    ],
)
def test_malformed_amendments_of_a_version_refuse_its_deployment(monkeypatch, felder: object, problem: str):
    def shipped(key: object, version: object) -> dict[str, Any]:
        return {"felder": felder} if (key, version) == ("traeger_8a", 1) else {}

    monkeypatch.setattr(form_defaults, "shipped_defaults", shipped)
    problems = _besides_purposes(validate_bundle(load_bundle_dir(BPMN_ROOT / "traeger_8a" / "1")))
    assert len(problems) == 1 and problem in problems[0], problems
    if "not a user task" not in problem and "unknown field" not in problem:
        with pytest.raises(DefinitionInvalid):
            _loaded("traeger_8a")


def test_the_jugendamt_closing_result_is_a_choice_of_labelled_codes_with_the_v1_bytes_unchanged():
    """jugendamt_8a v1's Ergebnis is a text field the process prefills with a code: the amendment
    `auswahl` shows the code's label and accepts the codes the process writes, nothing typed."""
    raw = json.loads(_files("jugendamt_8a")["forms/abschluss.json"])
    assert raw["fields"][1]["type"] == "text"  # the deployed bytes stay as they are
    field = _loaded("jugendamt_8a").task("abschluss").form.field("ergebnis")
    assert field.type == "enum"
    labels = {option.value: option.label for option in field.options}
    assert labels["keine_gewichtigen_anhaltspunkte"] == "Keine gewichtigen Anhaltspunkte (Ersteinschätzung)"
    assessment = _loaded("jugendamt_8a").task("gefaehrdungseinschaetzung").form.field("ergebnis")
    assert {o.value for o in assessment.options} < set(labels)  # every result the assessment can give


def test_auswahl_amends_a_text_field_only(monkeypatch):
    amendment = {"t": {"f": {"auswahl": [{"value": "a", "label": "A"}]}}}
    monkeypatch.setattr(form_defaults, "_amendments", lambda key, version: amendment)
    raw = {"task": "t", "fields": [{"name": "f", "label": "F", "type": "textarea"}]}
    with pytest.raises(DefinitionInvalid) as refused:
        form_defaults.amended_form("x", 1, raw)
    assert "'auswahl' applies to a text field only" in refused.value.problems[0]
    raw["fields"][0]["type"] = "text"
    amended = form_defaults.amended_form("x", 1, raw)
    choice = {"name": "f", "label": "F", "type": "enum", "options": [{"value": "a", "label": "A"}]}
    assert amended["fields"][0] == choice
