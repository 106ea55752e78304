"""One catalog of labels: the UI's names of roles, kinds and events are the engine's German originals
(as message ids of the UI catalog), for every key the engine knows."""

from __future__ import annotations

from engine.accounts.registry import ROLES_BY_KIND
from engine.auditing.events import EventType
from engine.labels import EVENT_LABELS, KIND_LABELS, ROLE_LABELS, TURN_LABELS, TURN_LABELS_BY_KIND
from web.labels import (
    EVENT_NAMES,
    KIND_NAMES,
    ROLE_NAMES,
    by_name,
    event_choices,
    event_label,
    event_type,
    roles_label,
)


def test_the_ui_names_are_the_engines_german_originals():
    # Outside a request Flask-Babel answers with the message id: the German text.
    assert {k: str(v) for k, v in ROLE_NAMES.items()} == ROLE_LABELS
    assert {k: str(v) for k, v in KIND_NAMES.items()} == KIND_LABELS
    assert {k: str(v) for k, v in EVENT_NAMES.items()} == EVENT_LABELS


def test_every_event_type_has_a_label():
    assert set(EVENT_LABELS) == set(EventType)
    assert [value for value, _label in event_choices()] != [] and len(event_choices()) == len(EventType)


def test_every_role_has_a_name_and_words_for_its_turn():
    # A role added to an organisation kind without its words would read as a key (or „eine andere
    # Person“) in the kind refusal „Jetzt ist … am Zug – für Sie ist nichts zu tun.“
    catalogue = set().union(*ROLES_BY_KIND.values())
    assert catalogue <= set(ROLE_LABELS), f"roles without a name: {sorted(catalogue - set(ROLE_LABELS))}"
    missing = sorted(set(ROLE_LABELS) - set(TURN_LABELS))
    assert set(TURN_LABELS) == set(ROLE_LABELS), f"roles without words for their turn: {missing}"
    for kind, role in TURN_LABELS_BY_KIND:
        assert kind in KIND_LABELS and role in ROLES_BY_KIND[kind]


def test_event_filters_take_known_types_only():
    assert event_type("auth.login") is EventType.AUTH_LOGIN
    assert event_type("auth.nothing") is None
    assert event_label("case.created") == "Fall angelegt"
    assert event_label("legacy.kind") == "legacy.kind"  # stored by an older version: shown as stored


def test_roles_of_a_lane_read_as_one_phrase():
    assert roles_label(["fachkraft", "leitung"]) == "Fachkraft oder Leitung"


def test_choices_are_sorted_by_name_not_by_key():
    choices = [("ja-kleve", "Kreisjugendamt Kleve"), ("ja-goch", "Stadtjugendamt Goch"), ("ja-a", "amt Emmerich")]
    assert by_name(choices) == [choices[2], choices[0], choices[1]]
