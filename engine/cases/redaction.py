"""Blacking out an Akte for the parents' inspection (Akteneinsicht).

§ 65 SGB VIII protects what was entrusted to the Jugendamt, and § 25 Abs. 3 SGB X the legitimate
interests of third parties: whoever reported a suspected Kindeswohlgefährdung must not become known
to the family through the file. So, for an inspection:
- every received message (the Meldebogen) loses its reporter: the organisation, the contact person and
  their telephone number, the reporter's own case reference;
- every field a process version declares in `schwaerzung` (e.g. the Meldende Stelle) is blacked out;
- linked cases (which name the reporting organisation) are reduced to the relation.
A blacked-out value stays in the Akte as a visible mark, so the reader sees that something was
withheld and why, and its raw value is gone from the object (nothing to leak by a later template).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from engine.cases.case_file import MESSAGE, STEP, CaseFile, FileEntry, FileLink, FileValue
from engine.cases.messages import MESSAGE_TITLES

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
    return {name: FileValue(value.label, None, REDACTED) if name in names else value for name, value in values.items()}
