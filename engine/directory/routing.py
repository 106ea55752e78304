"""The Jugendamt directory: which Jugendamt is competent for which municipality, on which date.

Routing (procedures.md § 3) fixes the responsible Jugendamt once, when a case is opened, from the
child's `wohnort_gemeinde`. The directory is versioned data (bpmn/directory/jugendaemter.json), not
code, because Jugendamt boundaries change rarely but do change: each municipality entry carries
validity dates, so a change is recorded as a new period and old cases stay explainable.
Standard library only, so the engine, the CLI and tests can load it without a database.
"""

from __future__ import annotations

import difflib
import json
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

from engine.errors import NotFound, ValidationFailed
from engine.shipped import BPMN_ROOT

FIELD = "wohnort_gemeinde"
#: How to reach an office, in the order forms and the network's plan show them.
CONTACT_FIELDS = ("telefon", "bereitschaft", "email", "anschrift")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_UNKNOWN = "Diese Gemeinde ist im Jugendamtsverzeichnis nicht bekannt."
_CHOOSE = "wählen Sie das zuständige Jugendamt ausdrücklich."


class DirectoryInvalid(ValueError):
    """The directory data break a rule; `problems` lists every one, so an admin fixes them in one go."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("Jugendamtsverzeichnis ungültig:\n- " + "\n- ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Network:
    """A regional Netzwerk Kinderschutz; `landesjugendamt` is LVR (Rheinland) or LWL (Westfalen)."""

    key: str
    name: str
    landesjugendamt: str = ""


@dataclass(frozen=True)
class Jugendamt:
    """A Jugendamt; `key` is the stable identifier used by the CLI, the API and exports."""

    key: str
    name: str
    network: str
    #: Optional `kontakt` of the directory file (telefon, bereitschaft, email, anschrift): the initial
    #: contact fields; an administrator edits them in Verwaltung afterwards.
    contact: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MunicipalityEntry:
    """One period in which a municipality belongs to a Jugendamt; both dates are inclusive.

    `aliases` are extra spellings users really type (e.g. "Emmerich" for "Emmerich am Rhein").
    """

    name: str
    jugendamt_key: str
    valid_from: date
    valid_to: date | None
    aliases: tuple[str, ...] = ()

    def applies_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def overlaps(self, other: MunicipalityEntry) -> bool:
        ends_before = self.valid_to is not None and self.valid_to < other.valid_from
        starts_after = other.valid_to is not None and other.valid_to < self.valid_from
        return not (ends_before or starts_after)


def normalise_name(name: str) -> str:
    """Matching key: case-insensitive, whitespace-collapsed, "ü" = "ue", "ß" = "ss", "-" = " ".

    Only the ae/oe/ue transliteration is accepted: a plain vowel ("Dulmen") is a different name and
    gets a suggestion instead of a silent match. casefold() already maps ß to ss; NFC first, so a
    decomposed "u" + combining diaeresis counts as "ü".
    """
    text = unicodedata.normalize("NFC", name).casefold().translate(_UMLAUTS).replace("-", " ")
    return " ".join(text.split())


def default_directory_path() -> Path:
    """The shipped directory, in the shipped data folder."""
    return BPMN_ROOT / "directory" / "jugendaemter.json"


def load_directory(path: Path | str | None = None) -> Directory:
    """Read and validate a directory file (the shipped one by default)."""
    data = json.loads(Path(path or default_directory_path()).read_text(encoding="utf-8"))
    return Directory.from_dict(data)


def _text(item: Mapping[str, Any], field: str) -> str:
    """A required, non-empty string field of a JSON item (no silent str(None) → "None")."""
    value = item[field]
    if not isinstance(value, str) or not value.strip():
        raise TypeError(f"{field} muss ein nicht-leerer Text sein")
    return value


def _entry(m: Mapping[str, Any], jugendamt_key: str) -> MunicipalityEntry:
    aliases = tuple(m.get("aliases", []))
    if not all(isinstance(a, str) and a.strip() for a in aliases):
        raise TypeError("aliases muss eine Liste nicht-leerer Texte sein")
    valid_to = date.fromisoformat(m["valid_to"]) if m.get("valid_to") is not None else None
    valid_from = date.fromisoformat(m["valid_from"])
    return MunicipalityEntry(_text(m, "name"), jugendamt_key, valid_from, valid_to, aliases)


def _problems(
    networks: list[Network],
    jugendaemter: list[Jugendamt],
    entries: list[MunicipalityEntry],
    index: dict[str, list[MunicipalityEntry]],
) -> list[str]:
    """Every consistency problem: duplicate keys, dangling references, bad or overlapping periods."""
    dup_networks = [k for k, count in Counter(n.key for n in networks).items() if count > 1]
    dup_jugendaemter = [k for k, count in Counter(j.key for j in jugendaemter).items() if count > 1]
    problems = [f"Netzwerk „{k}“ ist doppelt eingetragen." for k in dup_networks]
    problems += [f"Jugendamt „{k}“ ist doppelt eingetragen." for k in dup_jugendaemter]
    network_keys = {n.key for n in networks}
    for j in jugendaemter:
        if j.network not in network_keys:
            problems.append(f"Jugendamt „{j.key}“: unbekanntes Netzwerk „{j.network}“.")
    ja_keys = {j.key for j in jugendaemter}
    for e in entries:
        if e.jugendamt_key not in ja_keys:
            problems.append(f"Gemeinde „{e.name}“: unbekanntes Jugendamt „{e.jugendamt_key}“.")
        if not normalise_name(e.name):
            problems.append(f"Jugendamt „{e.jugendamt_key}“: Gemeinde ohne Namen.")
        if e.valid_to is not None and e.valid_to < e.valid_from:
            problems.append(f"Gemeinde „{e.name}“: valid_to liegt vor valid_from.")
    for same_name in index.values():  # one name (or alias) must not point to two places at once
        for a, b in combinations(same_name, 2):
            if a.overlaps(b):
                where = f"{a.jugendamt_key}, {b.jugendamt_key}"
                problems.append(f"Gemeinde „{b.name}“: Gültigkeiten überschneiden sich ({where}).")
    return problems


class Directory:
    """Networks, Jugendämter and dated municipality entries, validated when built."""

    def __init__(
        self, networks: list[Network], jugendaemter: list[Jugendamt], entries: list[MunicipalityEntry]
    ) -> None:
        self._networks = {n.key: n for n in networks}
        self._jugendaemter = {j.key: j for j in jugendaemter}
        self._entries = tuple(entries)
        self._index: dict[str, list[MunicipalityEntry]] = {}  # normalised name or alias → periods
        for entry in entries:
            for key in {normalise_name(n) for n in (entry.name, *entry.aliases)}:
                self._index.setdefault(key, []).append(entry)
        if problems := _problems(networks, jugendaemter, entries, self._index):
            raise DirectoryInvalid(problems)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Directory:
        """Build from the parsed JSON (format 1); every malformed item is listed in DirectoryInvalid."""
        if data.get("format") != 1:
            raise DirectoryInvalid([f"Unbekanntes Format {data.get('format')!r} (erwartet: 1)."])
        problems: list[str] = []
        networks: list[Network] = []
        jugendaemter: list[Jugendamt] = []
        entries: list[MunicipalityEntry] = []
        for i, n in enumerate(data.get("networks", [])):
            try:
                networks.append(Network(_text(n, "key"), _text(n, "name"), n.get("landesjugendamt", "")))
            except (KeyError, TypeError, AttributeError) as exc:
                problems.append(f"networks[{i}]: fehlerhafter Eintrag ({exc!r}).")
        for i, j in enumerate(data.get("jugendaemter", [])):
            try:
                contact = tuple((str(k), str(v)) for k, v in j.get("kontakt", {}).items())
                if unknown := {k for k, _v in contact} - set(CONTACT_FIELDS):
                    raise ValueError(f"unbekannte Kontaktfelder {sorted(unknown)}")
                jugendaemter.append(Jugendamt(_text(j, "key"), _text(j, "name"), _text(j, "network"), contact))
                entries += [_entry(m, j["key"]) for m in j.get("municipalities", [])]
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                problems.append(f"jugendaemter[{i}]: fehlerhafter Eintrag ({exc!r}).")
        if problems:
            raise DirectoryInvalid(problems)
        return cls(networks, jugendaemter, entries)

    def resolve(self, municipality: str, on: date) -> Jugendamt:
        """The Jugendamt competent for `municipality` on day `on` (the caller's local date).

        The error message never echoes the input: it is part of the child's address.
        """
        if isinstance(on, datetime):  # a UTC timestamp near midnight would pick the wrong day
            raise TypeError("resolve() erwartet ein Datum (date), keinen Zeitpunkt (datetime).")
        key = normalise_name(municipality or "")
        if not key:
            raise ValidationFailed({FIELD: ["Geben Sie „Wohnort (Gemeinde)“ des Kindes an."]})
        known = self._index.get(key, [])
        for entry in known:
            if entry.applies_on(on):
                return self._jugendaemter[entry.jugendamt_key]
        if known:
            msg = f"Für diese Gemeinde ist zu diesem Datum kein Jugendamt verzeichnet. Bitte {_CHOOSE}"
        elif suggestions := self._suggest(key, on):
            msg = f"{_UNKNOWN} Ähnliche Namen: {', '.join(suggestions)}. Andernfalls {_CHOOSE}"
        else:
            msg = f"{_UNKNOWN} Bitte {_CHOOSE}"
        raise ValidationFailed({FIELD: [msg]})

    def _suggest(self, key: str, on: date) -> list[str]:
        """Up to three known names (valid on `on`) closest to the normalised input."""
        if len(key) > 80:  # no municipality name is that long; keeps difflib cheap on junk input
            return []
        canonical = {  # normalised name or alias → display name valid on `on`
            known: valid[0].name
            for known, entries in self._index.items()
            if (valid := [e for e in entries if e.applies_on(on)])
        }
        matches = difflib.get_close_matches(key, canonical, n=6, cutoff=0.6)
        return list(dict.fromkeys(canonical[m] for m in matches))[:3]

    def jugendamt(self, key: str) -> Jugendamt:
        try:
            return self._jugendaemter[key]
        except KeyError:
            raise NotFound(f"Jugendamt „{key}“ ist im Verzeichnis nicht bekannt.") from None

    def network(self, key: str) -> Network:
        try:
            return self._networks[key]
        except KeyError:
            raise NotFound(f"Netzwerk „{key}“ ist im Verzeichnis nicht bekannt.") from None

    def jugendaemter(self) -> list[Jugendamt]:
        """All Jugendämter in file order (grouped by network)."""
        return list(self._jugendaemter.values())

    def networks(self) -> list[Network]:
        return list(self._networks.values())

    def entries(self) -> tuple[MunicipalityEntry, ...]:
        return self._entries

    def municipality_names(self, on: date) -> list[str]:
        """Names valid on `on`, sorted as a German reader expects (Ü with U), for UI suggestions."""
        return sorted({e.name for e in self._entries if e.applies_on(on)}, key=normalise_name)
