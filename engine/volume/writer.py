"""Writing a batch of clones in one unit of work: every row of their template with the clone's own
ids, references, pseudonyms, people, organisations, child and times; every sealed value re-sealed
under the clone case's own data key (a blob is bound to its scope and record, so nothing can be
copied); the child's blind index; earlier reports on the same child; the audit events re-appended to
the chain — all through `executemany` and `AuditVault.bulk`, never one statement per value.
"""

from __future__ import annotations

import json
import os
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from functools import lru_cache
from typing import Any

from audit import BulkWriter
from engine.cases.child_index import child_terms
from engine.cases.child_index import scope as index_scope
from engine.cases.earlier_listing import OPEN
from engine.cases.keyset import NEVER
from engine.cases.references import random_pseudonym, reserve_references, taken_pseudonyms
from engine.clock import BERLIN
from engine.persistence.sealed import (
    SYSTEM_SCOPE,
    case_scope,
    child_record,
    history_record,
    message_record,
    prefill_record,
    state_record,
)
from engine.transactions import Work
from engine.volume.capture import CHILD_MARK, MESSAGE_ENTRY, Template
from engine.volume.patterns import escaped, shift_text
from engine.volume.rows import RowPlan, Writer, plan
from engine.volume.scratch import CHILD, JUGENDAMT, MUNICIPALITY, NETWORK, ORGANISATIONS, USERS
from engine.volume.templates import KEYED_ITEMS, keyed
from engine.volume.world import Office, Person

_esc = lru_cache(maxsize=65536)(escaped)


@dataclass
class Clone:
    """One copy of a template: who, where, which child, and how far its times move."""

    template: Template
    orgs: dict[str, Office]
    users: dict[str, Person]
    network: tuple[str, str]
    child: dict[str, Any]
    #: the same number for the same child: its cases are earlier reports of each other
    child_id: int
    days: int
    minutes: int
    pseudonyms: list[str] = field(default_factory=list)
    delta: timedelta = field(init=False)

    def __post_init__(self) -> None:
        self.delta = timedelta(days=self.days, minutes=self.minutes)


@dataclass
class Batch:
    """What every batch of a run shares: the target's process versions, the index key version, the
    cases each (organisation, child) already has, and the generator for fresh pseudonyms."""

    definitions: dict[tuple[str, int], int]
    index_version: int
    rng: random.Random
    #: per child that may be reported again (`Planner.forgotten` drops the others): (organisation, case)
    earlier: dict[int, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))


#: insert order (foreign keys); the cases and messages get their ids beforehand (`Writer.ids`)
ORDER = (
    "cases",
    "case_messages",
    "instances",
    "open_tasks",
    "open_task_bars",
    "task_history",
    "deadlines",
    "case_links",
    "case_waits",
    "child_index",
    "case_matches",
)
#: the tables with a sealed column below the case: the column and its record (engine/persistence/sealed.py)
_SEALED: dict[str, tuple[str, Callable[[str, list[Any], RowPlan], str]]] = {
    "instances": ("state", lambda ref, row, plan: state_record(ref)),
    "open_tasks": ("prefill", lambda ref, row, plan: prefill_record(row[plan.position["id"]])),
    "task_history": ("values", lambda ref, row, plan: history_record(row[plan.position["task_uuid"]])),
}
#: `cases.list_due` of a case without an open step (engine/cases/list_order.py), as a template holds it
NO_DUE = NEVER.astimezone(UTC).replace(tzinfo=None)
_MEMBER_TABLES = ("instances", "open_tasks", "open_task_bars", "task_history", "deadlines", "case_links", "case_waits")
_EXTRA_COLUMNS = {
    "child_index": ("case_id", "key_version", "digest", "organisation_id"),
    "case_matches": ("case_id", "earlier_case_id", "kind", "state"),
}


def write(work: Work, clones: Sequence[Clone], batch: Batch) -> int:
    """Write the clones; returns the number of cases written."""
    conn = work.session.connection()
    db, bulk = Writer(conn), work.vault.bulk(conn, work.now)
    # in the order they opened: references, times and their index entries then grow together
    clones = sorted(clones, key=lambda clone: clone.template.start + clone.delta)
    members = [(clone, index) for clone in clones for index in range(len(clone.template.cases))]
    refs = _references(work, members)
    _unique_pseudonyms(work, clones, batch.rng)
    case_ids = iter(db.ids("cases", len(members)))
    messages = sum(len(clone.template.cases[index]["case_messages"]) for clone, index in members)
    message_ids = iter(db.ids("case_messages", messages))
    rows: dict[str, list[Sequence[Any]]] = defaultdict(list)
    columns: dict[str, tuple[str, ...]] = dict(_EXTRA_COLUMNS)
    position = 0
    contexts = []
    for clone in clones:
        count = len(clone.template.cases)
        context = _Context(clone, refs[position : position + count], batch, db)
        position += count
        context.case_ids = [next(case_ids) for _ in range(count)]
        for tables in clone.template.cases:
            for message in tables["case_messages"]:
                context.message_ids[message["id"]] = next(message_ids)
        context.rows(bulk, rows, columns)
        contexts.append(context)
    for table in ORDER:
        db.insert(table, columns.get(table, ()), rows[table])
    for context in contexts:
        context.append_events(bulk)
    bulk.flush()
    return len(members)


def _plans(template: Template) -> list[dict[str, list[RowPlan]]]:
    """The template's rows compiled once (`rows.plan`), kept on the template."""
    if not template.plans:
        template.plans = [
            {name: [plan(name, row) for row in table_rows] for name, table_rows in tables.items()}
            for tables in template.cases
        ]
    return template.plans


class _Context:
    """One clone while it is written: its slot values and the ids its rows get."""

    def __init__(self, clone: Clone, refs: list[str], batch: Batch, db: Writer) -> None:
        self.clone, self.refs, self.batch, self.db = clone, refs, batch, db
        self.delta = clone.delta
        self.scopes = [case_scope(ref) for ref in refs]
        self.case_ids: list[int] = []
        self.message_ids: dict[int, int] = {}
        self.values = _values(clone, refs)
        self._times: dict[Any, Any] = {}  # a template moment as this clone stores it (rows repeat them)

    def fill(self, row: RowPlan, member: int) -> list[Any]:
        """A compiled template row as this clone's (sealed and fixed columns are the caller's)."""
        out = list(row.shared)
        clone = self.clone
        for position, kind, value in row.slots:
            if kind == "time":
                if value is not None:
                    stored = self._times.get(value)
                    if stored is None:
                        moved = value if value == NO_DUE else value + self.delta
                        stored = self._times[value] = self.db.time(moved)
                    out[position] = stored
            elif kind == "uuid":
                out[position] = self.values[value]
            elif kind == "case":
                out[position] = self.case_ids[value]
            elif kind == "user":
                out[position] = None if value is None else clone.users[value].id
            elif kind == "org":
                out[position] = clone.orgs[value].id
            elif kind == "entry":
                out[position] = (
                    self.values[value] if isinstance(value, str) else f"{MESSAGE_ENTRY}{self.message_ids[value]}"
                )
            elif kind == "ref":
                out[position] = self.refs[member]
            elif kind == "pseudonym":
                out[position] = clone.pseudonyms[member]
            elif kind == "network":
                out[position] = clone.network[0]
            elif kind == "definition":
                out[position] = self.batch.definitions[value]
            elif kind == "text":
                out[position] = value.render(self.values)
        return out

    def seal(self, bulk: BulkWriter, member: int, record: str, pattern: Any) -> bytes | None:
        return None if pattern is None else bulk.seal_json(self.scopes[member], record, pattern.render(self.values))

    def rows(self, bulk: BulkWriter, rows: dict[str, list[Sequence[Any]]], columns: dict[str, tuple[str, ...]]) -> None:
        """Every row of the clone's cases, sealed values sealed under each case's own new key."""
        clone, batch = self.clone, self.batch
        child = self.values[f'"{CHILD_MARK}"']
        terms = [t for group in child_terms(clone.child).values() for t in group]
        digests = bulk.digests(index_scope(batch.index_version), terms)
        for member, (tables, source) in enumerate(zip(_plans(clone.template), clone.template.cases, strict=True)):
            ref, case_id, scope = self.refs[member], self.case_ids[member], self.scopes[member]
            bulk.new_scope(scope)
            (case,) = tables["cases"]
            row = self.fill(case, member)
            row[case.position["child_data"]] = bulk.seal_json(scope, child_record(ref), child)
            row[case.position["indexed"]] = row[case.position["generated"]] = True
            row[case.position["hold"]] = None
            columns["cases"] = ("id", *case.columns)
            rows["cases"].append((case_id, *row))
            for plan_, message in zip(tables["case_messages"], source["case_messages"], strict=True):
                message_id = self.message_ids[message["id"]]
                row = self.fill(plan_, member)
                row[plan_.position["payload"]] = self.seal(bulk, member, message_record(message_id), message["payload"])
                columns["case_messages"] = ("id", *plan_.columns)
                rows["case_messages"].append((message_id, *row))
            for name in _MEMBER_TABLES:
                for plan_, template_row in zip(tables[name], source[name], strict=True):
                    row = self.fill(plan_, member)
                    if name in _SEALED:
                        column, record = _SEALED[name]
                        row[plan_.position[column]] = self.seal(
                            bulk, member, record(ref, row, plan_), template_row[column]
                        )
                    columns[name] = plan_.columns
                    rows[name].append(row)
            organisation = clone.orgs[source["cases"][0]["organisation_id"]].id
            rows["child_index"] += [(case_id, batch.index_version, d, organisation) for d in digests]
            earlier = batch.earlier[clone.child_id]
            same = [other for org, other in earlier if org == organisation]
            rows["case_matches"] += [(case_id, other, "voll", OPEN) for other in same[-5:]]
            earlier.append((organisation, case_id))

    def append_events(self, bulk: BulkWriter) -> None:
        clone, refs = self.clone, self.refs
        for event in clone.template.events:
            member = event.member
            assert member is not None
            bulk.append(
                time=event.time + self.delta,
                actor=event.actor if event.actor_slot is None else clone.users[event.actor_slot].username,
                organisation=None if event.organisation is None else clone.orgs[event.organisation].key,
                case_ref=refs[member],
                scope=self.scopes[member] if event.case_scope else SYSTEM_SCOPE,
                type=event.type,
                payload=event.payload.render(self.values),
            )


def _values(clone: Clone, refs: list[str]) -> dict[str, str]:
    """Each slot's text in this clone, JSON-escaped (see `patterns`)."""
    child, template = clone.child, clone.template
    values = {
        NETWORK.key: clone.network[0],
        NETWORK.name: _esc(clone.network[1]),
        JUGENDAMT.key: clone.orgs["jugendamt"].key,
        JUGENDAMT.name: _esc(clone.orgs["jugendamt"].name),
        MUNICIPALITY: _esc(child["wohnort_gemeinde"]),
        f'"{CHILD_MARK}"': json.dumps(child, ensure_ascii=False, separators=(",", ":")),
        CHILD["vorname"]: _esc(child["vorname"]),
        CHILD["nachname"]: _esc(child["nachname"]),
        CHILD["geburtsdatum"]: child["geburtsdatum"],
    }
    for slot, (key, name, _, _) in ORGANISATIONS.items():
        office = clone.orgs[slot]
        values[key], values[name] = office.key, _esc(office.name)
    for slot, (username, display, _, _, telefon) in USERS.items():
        person = clone.users[slot]
        values[username], values[display], values[telefon] = (
            person.username,
            _esc(person.display_name),
            _esc(person.telefon or ""),
        )
    born = child["geburtsdatum"]
    items = {"geburtsmonat": int(born[5:7]), "geburtsjahr": int(born[:4]), "geschlecht": child["geschlecht"]}
    template_items = {
        "geburtsmonat": int(CHILD["geburtsdatum"][5:7]),
        "geburtsjahr": int(CHILD["geburtsdatum"][:4]),
        "geschlecht": CHILD["geschlecht"],
    }
    for item in KEYED_ITEMS:
        base = item.removeprefix("kind_")
        values[keyed(item, template_items[base])] = keyed(item, items[base])
    for tables, ref, pseudonym in zip(template.cases, refs, clone.pseudonyms, strict=True):
        values[tables["cases"][0]["reference"]] = ref
        values[tables["cases"][0]["pseudonym"]] = pseudonym
    for task_id, fresh in zip(template.uuids, _task_ids(len(template.uuids)), strict=True):
        values[task_id] = fresh
    delta = clone.delta
    for text in template.dates:
        values[text] = shift_text(text, clone.days, delta)
    return values


def _task_ids(count: int) -> list[str]:
    """Fresh random (version 4) UUIDs as text, several from one read of the system's random source."""
    raw = os.urandom(16 * count).hex()
    ids = []
    for start in range(0, 32 * count, 32):
        h = raw[start : start + 32]
        ids.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}")
    return ids


_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def _references(work: Work, members: list[tuple[Clone, int]]) -> list[str]:
    """References in the year each case opened, numbered in the order they opened."""
    by_year: dict[int, list[tuple[Any, int]]] = defaultdict(list)
    for position, (clone, index) in enumerate(members):
        opened = clone.template.cases[index]["cases"][0]["opened_at"] + clone.delta
        by_year[opened.astimezone(BERLIN).year].append((opened, position))
    refs = [""] * len(members)
    for year, entries in sorted(by_year.items()):
        entries.sort()
        for (_, position), ref in zip(entries, reserve_references(work.session, year, len(entries)), strict=True):
            refs[position] = ref
    return refs


def _unique_pseudonyms(work: Work, clones: Sequence[Clone], rng: random.Random) -> None:
    """Redraw the pseudonyms another case (or another clone of the batch) already carries."""
    wanted = [p for clone in clones for p in clone.pseudonyms]
    taken: set[str] = set()
    for start in range(0, len(wanted), 500):
        taken |= taken_pseudonyms(work.session, wanted[start : start + 500])
    seen: set[str] = set()
    for clone in clones:
        for index, pseudonym in enumerate(clone.pseudonyms):
            while pseudonym in taken or pseudonym in seen:
                pseudonym = random_pseudonym(rng)
                taken |= taken_pseudonyms(work.session, [pseudonym])
            clone.pseudonyms[index] = pseudonym
            seen.add(pseudonym)
