"""The scratch world templates are made in: a throw-away SQLite database with keys of its own, one
invented network and Jugendamt ("Vorlage-Jugendamt", its one municipality "Vorlagestadt"), one
organisation of each kind that works cases, one person per slot, and the target's process versions.

Every name in it is a token the clones replace (`patterns`), so it must not occur anywhere by chance:
hence "Vorlage…" throughout, and an invented child. The scenarios run through the real engine here —
every guard, form validation, Frist, message and audit event as in production — and the state after
each step is handed to `capture`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

from sqlalchemy import select

from engine.accounts import registry
from engine.actor import Actor
from engine.bootstrap import build_engine
from engine.case_engine import CaseEngine
from engine.clock import BERLIN, FakeClock
from engine.directory.routing import Directory, Jugendamt, MunicipalityEntry, Network
from engine.directory.store import store_directory
from engine.errors import Conflict
from engine.persistence import models as m
from engine.persistence.migrate import upgrade_to_head
from engine.persistence.sealed import open_prefill
from engine.processes.bundles import Bundle
from engine.processes.migration_map import MIGRATION
from engine.volume.scenarios import Scenario
from engine.volume.steps import ReviewDue, Step

#: A Monday morning: the templates' clock starts here (clones keep the weekday, see `generate`).
START = datetime(2026, 1, 5, 9, 0, tzinfo=BERLIN)

NETWORK = Network("vorlage-netz", "Vorlage-Netzwerk")
JUGENDAMT = Jugendamt("ja-vorlage", "Vorlage-Jugendamt", NETWORK.key)
MUNICIPALITY = "Vorlagestadt"
#: organisation slot: key, name, kind, reporter category (the generated organisations of a slot share it)
ORGANISATIONS = {
    "traeger": ("vorlage-kita", "Vorlage-Kita", "traeger", "kita_kindertagespflege"),
    "kkg": ("vorlage-schule", "Vorlage-Schule", "einrichtung_kkg", "schule"),
    "beratung": ("vorlage-beratung", "Vorlage-Beratungsstelle", "beratungsstelle", None),
}
#: user slot: username, display name, organisation slot, role, telephone
USERS = {
    "traeger.fk": ("vorlage.kita.fk", "Vorlage Kitafachkraft", "traeger", "fachkraft", "09999 100-01"),
    "traeger.leitung": ("vorlage.kita.leitung", "Vorlage Kitaleitung", "traeger", "leitung", "09999 100-02"),
    "kkg.bgt": ("vorlage.schule.bgt", "Vorlage Lehrkraft", "kkg", "berufsgeheimnistraeger", "09999 100-03"),
    "insofa": ("vorlage.insofa", "Vorlage Insofa", "beratung", "insofa", "09999 100-04"),
    "ja.fk": ("vorlage.ja.fk", "Vorlage Jugendamtsfachkraft", "jugendamt", "ja_fachkraft", "09999 100-05"),
    "ja.fk2": ("vorlage.ja.zweitkraft", "Vorlage Zweitfachkraft", "jugendamt", "ja_fachkraft", "09999 100-06"),
    "ja.leitung": ("vorlage.ja.leitung", "Vorlage Jugendamtsleitung", "jugendamt", "ja_leitung", "09999 100-07"),
}
CHILD = {
    "vorname": "Vorlagevorname",
    "nachname": "Vorlagenachname",
    "geburtsdatum": "2017-07-23",
    "wohnort_gemeinde": MUNICIPALITY,
    "geschlecht": "divers",
}
_RELATIVE = re.compile(r"@heute\+(\d+)")


@dataclass(frozen=True)
class Snapshot:
    """The cases of a scenario after its `step`-th action (0: just opened): the opening case first,
    then the Jugendamt case its Meldung opened, if any."""

    scenario: str
    step: int
    case_ids: tuple[int, ...]
    at: datetime


class Scratch:
    """The scratch engine in `folder` (deleted by the caller), with the target's process versions."""

    def __init__(self, folder: Path, bundles: Sequence[Bundle]) -> None:
        self.clock = FakeClock(START)
        self.engine: CaseEngine = build_engine(
            f"sqlite:///{folder / 'vorlagen.db'}", self.clock, folder, create_keys=True
        )
        upgrade_to_head(self.engine.db)
        directory = Directory(
            [NETWORK], [JUGENDAMT], [MunicipalityEntry(MUNICIPALITY, JUGENDAMT.key, date(2000, 1, 1), None)]
        )
        self.engine.tx.command(lambda work: store_directory(work.session, directory, work.now))
        for bundle in bundles:
            self.engine.deploy(_without_migration(bundle), deployed_by="generator")
        self.actors: dict[str, Actor] = self.engine.tx.command(self._accounts)

    def _accounts(self, work: Any) -> dict[str, Actor]:
        session = work.session
        for key, name, kind, reporter in ORGANISATIONS.values():
            registry.create_organisation(
                session,
                key=key,
                name=name,
                kind=kind,
                now=work.now,
                jugendamt_key=JUGENDAMT.key,
                meldende_stelle=reporter,
            )
        keys = {slot: spec[0] for slot, spec in ORGANISATIONS.items()} | {"jugendamt": JUGENDAMT.key}
        actors = {}
        for slot, (username, display, org_slot, role, telefon) in USERS.items():
            user = registry.create_user(
                session,
                username=username,
                organisation_key=keys[org_slot],
                role=role,
                password=None,
                now=work.now,
                display_name=display,
                mfa_required=False,
                telefon=telefon,
            )
            actors[slot] = registry.actor_for_user(session, user)
        return actors

    def close(self) -> None:
        self.engine.db.dispose()

    # ---- running a scenario --------------------------------------------------------------------------

    def run(self, scenario: Scenario) -> Iterator[Snapshot]:
        """Work the scenario through the engine, yielding the state after the opening and each action."""
        self.clock.set(_next_morning(self.clock.now()))
        opened = self.engine.open_case(self.actors[scenario.opener], process_key=scenario.process, child=dict(CHILD))
        members = {"own": opened.case_id}
        entered: dict[str, Any] = {}
        yield self._snapshot(scenario, 0, members)
        for number, step in enumerate(scenario.steps, start=1):
            if isinstance(step, ReviewDue):
                day = date.fromisoformat(entered[step.field])
                self.clock.set(datetime(day.year, day.month, day.day, 8, 0, 1, tzinfo=BERLIN))
                self.engine.run_due()
            else:
                self.clock.advance(timedelta(hours=step.after_hours))
                entered.update(self._complete(members, step))
            if "ja" not in members and (linked := self._reported_to(members["own"])) is not None:
                members["ja"] = linked
            yield self._snapshot(scenario, number, members)

    def _complete(self, members: Mapping[str, int], step: Step) -> dict[str, Any]:
        values = _resolved(step.values, self.clock.now())
        case_id = members[step.case]
        with self.engine.tx.unit(write=False) as (_, work):
            open_tasks = work.session.execute(select(m.OpenTask).where(m.OpenTask.case_id == case_id)).scalars()
            row = next((task for task in open_tasks if task.task_key == step.task), None)
            if row is None:
                raise Conflict(f"Schritt „{step.task}“ ist nicht offen.")
            reference = work.session.get(m.Case, case_id).reference  # type: ignore[union-attr]
            task_id, prefill = row.id, open_prefill(work, reference, row)
        self.engine.complete_task(self.actors[step.who], task_id, {**prefill, **values})
        return values

    def _reported_to(self, case_id: int) -> int | None:
        with self.engine.reading() as uow:
            return uow.session.execute(
                select(m.CaseLink.linked_case_id).where(
                    m.CaseLink.case_id == case_id, m.CaseLink.relation == "meldung_an"
                )
            ).scalar_one_or_none()

    def _snapshot(self, scenario: Scenario, step: int, members: Mapping[str, int]) -> Snapshot:
        ids = (members["own"], members["ja"]) if "ja" in members else (members["own"],)
        return Snapshot(scenario.key, step, ids, self.clock.now())


def _without_migration(bundle: Bundle) -> Bundle:
    """The scratch engine holds only the target's newest versions: a version's `migration.json` (how
    cases of an older one move onto it) names a version that is not there, and no case migrates here."""
    files = {name: content for name, content in bundle.files.items() if name != MIGRATION}
    return dataclasses.replace(bundle, files=MappingProxyType(files))


def _next_morning(now: datetime) -> datetime:
    """09:00 on the next working day: each scenario starts on a fresh day."""
    day = now.astimezone(BERLIN).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=BERLIN)


def _resolved(value: Any, now: datetime) -> Any:
    """The scenario's clock words replaced: `@jetzt`, `@heute`, `@heute+N`."""
    if isinstance(value, Mapping):
        return {k: _resolved(v, now) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolved(v, now) for v in value]
    if value == "@jetzt":
        return now.astimezone(BERLIN).replace(microsecond=0).isoformat()
    if value == "@heute":
        return now.astimezone(BERLIN).date().isoformat()
    if isinstance(value, str) and (match := _RELATIVE.fullmatch(value)):
        return (now.astimezone(BERLIN).date() + timedelta(days=int(match.group(1)))).isoformat()
    return value
