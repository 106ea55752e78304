"""Blacking out a case file: an Akte for the parents' inspection (Akteneinsicht), and the
pseudonymised reading of a sampled case for the LKSG § 8 quality review.

§ 65 SGB VIII protects what was entrusted to the Jugendamt, and § 25 Abs. 3 SGB X the legitimate
interests of third parties: whoever reported a suspected Kindeswohlgefährdung must not become known
to the family through the file. So, for an inspection:
- every received message (the Meldebogen) loses its reporter: the organisation, the contact person and
  their telephone number, the reporter's own case reference;
- every field a process version declares in `schwaerzung` (e.g. the Meldende Stelle) is blacked out;
- linked cases (which name the reporting organisation) are reduced to the relation.
A blacked-out value stays in the Akte as a visible mark, so the reader sees that something was
withheld and why, and its raw value is gone from the object (nothing to leak by a later template).

The quality review (`pseudonymised_for_review`, DP-18: pseudonymised case extracts only) keeps what
can be counted and compared — yes/no, numbers, choices, dates of steps — and drops what identifies:
the people (the staff become "Person A", "Person B" in the order they appear, so the Mehraugenprinzip
can still be judged), birth month and year, every value the engine adds about the reporter, linked
cases and their references. Free texts may name the family, so they are shown only where the
case's owner released them for review (engine/quality/release.py), and never the reporter's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from engine.cases.case_file import MESSAGE, STEP, CaseFile, FileEntry, FileLink, FileValue
from engine.cases.file_values import ENGINE_FIELDS
from engine.cases.messages import MESSAGE_TITLES
from engine.forms.definition import TEXT_TYPES

REDACTED = "[geschwärzt – § 65 SGB VIII]"

#: the Meldebogen's values that identify the reporter (written by engine/cases/messages.py): who, their
#: reference, and the sending organisation's § 99 category (shown by label since the Meldebogen's
#: fields are labelled from the receiving process's forms too)
REPORTER_FIELDS = frozenset({"melder", "bezug", "meldende_stelle"})


def redacted_for_inspection(file: CaseFile, declared: Mapping[str, frozenset[str]]) -> CaseFile:
    entries = tuple(_entry(entry, declared) for entry in file.entries)
    links = tuple(FileLink(0, REDACTED, link.relation, REDACTED, False) for link in file.links)
    return replace(file, entries=entries, links=links)


def _entry(entry: FileEntry, declared: Mapping[str, frozenset[str]]) -> FileEntry:
    if entry.kind == MESSAGE:
        values = _blacked(entry.values, REPORTER_FIELDS | declared.get(entry.task, frozenset()))
        title = MESSAGE_TITLES.get(entry.task, "Nachricht eingegangen")  # without the sender's reference
        return replace(entry, title=title, by_name=REDACTED, by_organisation=REDACTED, values=values)
    if entry.kind == STEP and entry.task in declared:
        return replace(entry, values=_blacked(entry.values, declared[entry.task]))
    return entry


def _blacked(values: Mapping[str, FileValue], names: frozenset[str]) -> dict[str, FileValue]:
    return {
        name: replace(value, value=None, display=REDACTED) if name in names else value for name, value in values.items()
    }


#: field types whose values are codes, numbers or dates: countable, not telling who the family is
CODED_TYPES = frozenset({"boolean", "integer", "enum", "multi", "date", "datetime"})
#: a birth month or year (the § 99 items) narrows the child down: the review sees no birth data
BIRTH_PREFIX = "geburts"


def pseudonymised_for_review(file: CaseFile, *, texts_released: bool) -> CaseFile:
    """The case file as the quality reviewer reads it (see the module's docstring)."""
    people: dict[str, str] = {}

    def person(name: str | None) -> str | None:
        if name is None:
            return None
        return people.setdefault(name, f"Person {chr(ord('A') + len(people) % 26)}")

    entries = []
    for entry in file.entries:
        shown = {name: value for name, value in entry.values.items() if _reviewable(name, value, texts_released)}
        withheld = entry.withheld + tuple(name for name in entry.values if name not in shown)
        title = MESSAGE_TITLES.get(entry.task, "Nachricht eingegangen") if entry.kind == MESSAGE else entry.title
        by_name = None if entry.kind == MESSAGE else person(entry.by_name)
        entries.append(replace(entry, title=title, by_name=by_name, values=shown, withheld=withheld))
    return replace(file, reference=file.pseudonym, entries=tuple(entries), links=())


def _reviewable(name: str, value: FileValue, texts_released: bool) -> bool:
    if name.startswith(BIRTH_PREFIX):
        return False
    if value.kind in CODED_TYPES:
        return True
    # released free texts; never a user field (a person), nor what the engine wrote
    return texts_released and value.kind in TEXT_TYPES and value.kind != "user" and name not in ENGINE_FIELDS
