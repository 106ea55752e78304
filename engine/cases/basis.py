"""What a step rests on: the entries of the case file its page shows above the form.

Declared per user task in the version's manifest (`grundlage`: earlier task ids), else every earlier
entry the person may see. A confirmation — a task paired with others for the Mehraugenprinzip
(`vier_augen`) — shows the newest entry of each paired task in full, and its completion may carry the
SHA-256 of exactly that (`grundlage_sha256`): if the confirmed entry changed since the page was
rendered (redone after a "Nein"), the completion is refused (409) and changes nothing; the digest is
recorded with `task.completed`, so an auditor can prove what was confirmed.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from engine.actor import Actor
from engine.cases.case_file import CaseFile, FileEntry, case_file, confirmed_digest, latest_entries
from engine.errors import Conflict, NotFound
from engine.persistence import models as m
from engine.processes.catalog import LoadedProcess
from engine.transactions import Work

STALE = (
    "Der zu bestätigende Schritt wurde geändert, seit diese Seite geladen wurde. "
    "Bitte prüfen Sie die aktuelle Fassung und bestätigen Sie erneut."
)


def task_basis(work: Work, actor: Actor, case_id: int, task_key: str) -> dict[str, Any]:
    """`basis` (entries as JSON-compatible dicts), `bestaetigt` (the refs of the confirmed entries)
    and `grundlage_sha256` (None unless the task is a confirmation) for the task view."""
    case = work.session.get(m.Case, case_id)
    assert case is not None
    process = work.catalog.load(work.session, case.definition_id)
    file = case_file(work, actor, case_id)
    confirmed = _confirmed(process, file, task_key)
    declared = process.manifest.grundlage.get(task_key)
    shown = [e for e in file.entries if declared is None or e.task in declared or e in confirmed]
    return {
        "basis": [entry_dict(e) for e in shown],
        "bestaetigt": [e.ref for e in confirmed],
        "grundlage_sha256": confirmed_digest(confirmed) if _paired(process, task_key) else None,
        #: the version chose these entries for the step (`grundlage`): the page shows them open
        "grundlage_gewaehlt": declared is not None,
    }


def check_confirmation(work: Work, actor: Actor, task_id: str, digest: str) -> None:
    """Refuse (Conflict) a confirmation whose confirmed entries changed since `digest` was shown."""
    row = work.session.get(m.OpenTask, task_id)
    case = work.session.get(m.Case, row.case_id) if row is not None else None
    if row is None or case is None:
        raise NotFound("Aufgabe nicht gefunden.")
    process = work.catalog.load(work.session, case.definition_id)
    if not _paired(process, row.task_key):
        return
    confirmed = _confirmed(process, case_file(work, actor, case.id), row.task_key)
    if confirmed_digest(confirmed) != digest:
        raise Conflict(STALE)


def entry_dict(entry: FileEntry) -> dict[str, Any]:
    """An entry in the JSON-compatible task view."""
    return {
        **asdict(entry),
        "at": entry.at.isoformat(),
        "values": {name: asdict(value) for name, value in entry.values.items()},
        "withheld": list(entry.withheld),
    }


def _paired(process: LoadedProcess, task_key: str) -> tuple[str, ...]:
    return process.task(task_key).paired_tasks if task_key in process.user_tasks else ()


def _confirmed(process: LoadedProcess, file: CaseFile, task_key: str) -> list[FileEntry]:
    return latest_entries(file.entries, _paired(process, task_key))
