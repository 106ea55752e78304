"""The Jugendamt directory: shipped data, name matching, dated routing, validation on load."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

import pytest

from engine.directory.routing import Directory, DirectoryInvalid, load_directory, normalise_name
from engine.errors import NotFound, ValidationFailed

TODAY = date(2025, 6, 1)

JA_KEYS = {
    "ja-stadt-dueren", "ja-kreis-dueren",
    "ja-rhein-kreis-neuss", "ja-dormagen", "ja-grevenbroich", "ja-kaarst", "ja-meerbusch", "ja-neuss",
    "ja-kreis-kleve", "ja-emmerich", "ja-geldern", "ja-goch", "ja-kevelaer", "ja-stadt-kleve",
    "ja-kreis-coesfeld", "ja-stadt-coesfeld", "ja-duelmen",
}  # fmt: skip


@pytest.fixture(scope="module")
def directory() -> Directory:
    return load_directory()


def _resolve_error(directory: Directory, municipality: str, on: date = TODAY) -> str:
    with pytest.raises(ValidationFailed) as caught:
        directory.resolve(municipality, on)
    assert list(caught.value.errors) == ["wohnort_gemeinde"]
    [message] = caught.value.errors["wohnort_gemeinde"]
    return message


# --- the shipped directory ------------------------------------------------------------------------


def test_shipped_directory_has_exactly_the_17_jugendaemter(directory: Directory) -> None:
    assert {j.key for j in directory.jugendaemter()} == JA_KEYS


def test_shipped_networks_and_landesjugendaemter(directory: Directory) -> None:
    lja = {n.key: n.landesjugendamt for n in directory.networks()}
    assert lja == {
        "kreis-dueren": "LVR",
        "rhein-kreis-neuss": "LVR",
        "kreis-kleve": "LVR",
        "kreis-coesfeld": "LWL",
    }
    assert directory.network("kreis-kleve").name == "Netzwerk Kinderschutz Kreis Kleve"


def test_every_municipality_of_the_four_kreise_is_listed(directory: Directory) -> None:
    names = directory.municipality_names(TODAY)
    per_network = Counter(directory.jugendamt(directory.resolve(n, TODAY).key).network for n in names)
    assert per_network == {
        "kreis-dueren": 15,
        "rhein-kreis-neuss": 8,
        "kreis-kleve": 16,
        "kreis-coesfeld": 11,
    }
    assert {"Jülich", "Hürtgenwald", "Nörvenich", "Vettweiß", "Jüchen", "Lüdinghausen", "Dülmen"} <= set(names)


def test_display_names_are_german(directory: Directory) -> None:
    assert directory.jugendamt("ja-stadt-dueren").name == "Jugendamt der Stadt Düren"
    assert directory.jugendamt("ja-kreis-dueren").name == "Kreisjugendamt Düren"
    assert directory.jugendamt("ja-rhein-kreis-neuss").name == "Jugendamt des Rhein-Kreises Neuss"
    assert directory.jugendamt("ja-dormagen").name == "Stadtjugendamt Dormagen"


@pytest.mark.parametrize(
    ("municipality", "key"),
    [
        ("Goch", "ja-goch"),
        ("Uedem", "ja-kreis-kleve"),
        ("Kevelaer", "ja-kevelaer"),
        ("Kleve", "ja-stadt-kleve"),
        ("Emmerich am Rhein", "ja-emmerich"),
        ("Emmerich", "ja-emmerich"),
        ("Dülmen", "ja-duelmen"),
        ("Duelmen", "ja-duelmen"),
        ("DÜLMEN", "ja-duelmen"),
        ("  dülmen ", "ja-duelmen"),
        ("Düren", "ja-stadt-dueren"),
        ("Jülich", "ja-kreis-dueren"),
        ("Vettweiss", "ja-kreis-dueren"),
        ("Korschenbroich", "ja-rhein-kreis-neuss"),
        ("Neuss", "ja-neuss"),
        ("Senden", "ja-kreis-coesfeld"),
        ("Coesfeld", "ja-stadt-coesfeld"),
        ("bedburg  hau", "ja-kreis-kleve"),
    ],
)
def test_resolve(directory: Directory, municipality: str, key: str) -> None:
    assert directory.resolve(municipality, TODAY).key == key


def test_normalise_name() -> None:
    assert normalise_name("  Emmerich   am\tRHEIN ") == "emmerich am rhein"
    assert normalise_name("Vettweiß") == normalise_name("VETTWEISS") == "vettweiss"
    assert normalise_name("Bedburg-Hau") == "bedburg hau"
    assert normalise_name("Du\u0308lmen") == "duelmen"  # decomposed ü
    assert normalise_name("Dulmen") != normalise_name("Dülmen")


def test_plain_vowel_does_not_match_silently_but_is_suggested(directory: Directory) -> None:
    message = _resolve_error(directory, "Dulmen")
    assert "Ähnliche Namen: Dülmen" in message
    assert "Dulmen" not in message


def test_unknown_municipality_names_suggestions_without_echoing_input(directory: Directory) -> None:
    message = _resolve_error(directory, "Gooch")
    assert message.startswith("Diese Gemeinde ist im Jugendamtsverzeichnis nicht bekannt.")
    assert "Ähnliche Namen: Goch" in message
    assert "Gooch" not in message


def test_unknown_municipality_without_suggestions_asks_for_explicit_jugendamt(directory: Directory) -> None:
    message = _resolve_error(directory, "Zzyzx Musterweg 7")
    assert "Ähnliche Namen" not in message
    assert "zuständige Jugendamt ausdrücklich" in message
    assert "Zzyzx" not in message and "Musterweg" not in message


@pytest.mark.parametrize("empty", ["", "   ", "\t\n"])
def test_empty_municipality_is_a_required_field(directory: Directory, empty: str) -> None:
    assert _resolve_error(directory, empty) == "Geben Sie „Wohnort (Gemeinde)“ des Kindes an."


def test_resolve_refuses_a_datetime(directory: Directory) -> None:
    with pytest.raises(TypeError, match="keinen Zeitpunkt"):
        directory.resolve("Goch", datetime(2025, 6, 1, 23, 30))


def test_unknown_keys_raise_not_found(directory: Directory) -> None:
    with pytest.raises(NotFound):
        directory.jugendamt("ja-nirgendwo")
    with pytest.raises(NotFound):
        directory.network("kreis-nirgendwo")


def test_municipality_names_sort_umlauts_like_their_transliteration(directory: Directory) -> None:
    names = directory.municipality_names(TODAY)
    assert names.index("Nörvenich") < names.index("Nottuln")  # "noe" < "not"; plain sort says otherwise
    assert len(names) == len(set(names)) == 50


# --- validity dates and validation, on a small directory built in the test -------------------------


def _data(a: list[dict[str, Any]], b: list[dict[str, Any]], network_of_b: str = "net") -> dict[str, Any]:
    return {
        "format": 1,
        "networks": [{"key": "net", "name": "Netzwerk", "landesjugendamt": "LVR"}],
        "jugendaemter": [
            {"key": "ja-a", "name": "Kreisjugendamt A", "network": "net", "municipalities": a},
            {"key": "ja-b", "name": "Stadtjugendamt B", "network": network_of_b, "municipalities": b},
        ],
    }


def _m(name: str, valid_from: str, valid_to: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"name": name, "valid_from": valid_from, "valid_to": valid_to, **extra}


def test_a_municipality_moves_to_another_jugendamt_on_a_date() -> None:
    d = Directory.from_dict(
        _data(
            [_m("Neustadt", "2000-01-01", "2025-12-31"), _m("Altdorf", "2000-01-01")],
            [_m("Neustadt", "2026-01-01")],
        )
    )
    assert d.resolve("Neustadt", date(2025, 12, 31)).key == "ja-a"
    assert d.resolve("Neustadt", date(2026, 1, 1)).key == "ja-b"
    assert d.resolve("Altdorf", date(2030, 1, 1)).key == "ja-a"
    assert "kein Jugendamt verzeichnet" in _resolve_error(d, "Neustadt", date(1999, 12, 31))


def test_an_ended_entry_disappears_from_the_names() -> None:
    d = Directory.from_dict(_data([_m("Neustadt", "2000-01-01", "2025-12-31"), _m("Altdorf", "2000-01-01")], []))
    assert d.municipality_names(date(2025, 12, 31)) == ["Altdorf", "Neustadt"]
    assert d.municipality_names(date(2026, 1, 1)) == ["Altdorf"]
    assert "kein Jugendamt verzeichnet" in _resolve_error(d, "Neustadt", date(2026, 1, 1))


def test_overlapping_validity_is_refused() -> None:
    with pytest.raises(ValueError, match="überschneiden") as caught:
        Directory.from_dict(_data([_m("Neustadt", "2000-01-01", "2026-01-01")], [_m("NEUSTADT", "2026-01-01")]))
    assert isinstance(caught.value, DirectoryInvalid)
    assert any("ja-a" in p and "ja-b" in p for p in caught.value.problems)


def test_an_alias_may_not_collide_with_another_municipality() -> None:
    with pytest.raises(DirectoryInvalid, match="überschneiden"):
        Directory.from_dict(
            _data([_m("Neustadt am See", "2000-01-01", aliases=["Neustadt"])], [_m("Neustadt", "2000-01-01")])
        )


def test_unknown_network_and_duplicate_key_are_all_listed() -> None:
    data = _data([], [], network_of_b="kreis-nirgendwo")
    data["jugendaemter"].append({"key": "ja-a", "name": "Doppelt", "network": "net", "municipalities": []})
    with pytest.raises(DirectoryInvalid) as caught:
        Directory.from_dict(data)
    problems = caught.value.problems
    assert any("kreis-nirgendwo" in p for p in problems)
    assert any("ja-a" in p and "doppelt" in p for p in problems)


@pytest.mark.parametrize(
    "bad",
    [
        _m("Neustadt", "2000-13-01"),
        _m("Neustadt", "2020-01-01", "2019-12-31"),
        {"valid_from": "2000-01-01", "valid_to": None},
        _m("   ", "2000-01-01"),
    ],
)
def test_malformed_municipality_entries_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(DirectoryInvalid):
        Directory.from_dict(_data([bad], []))


def test_unknown_format_is_refused() -> None:
    with pytest.raises(DirectoryInvalid, match="Format"):
        Directory.from_dict({**_data([], []), "format": 2})
