"""Comparing two versions of a process: what a reviewer must check before deploying — steps added
or removed, and per step the title, lane, Mehraugen pairing, Frist and form fields that changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.persistence import models as m
from engine.processes.catalog import LoadedProcess, ProcessCatalog, UserTaskSpec


def _version(session: Session, catalog: ProcessCatalog, key: str, version: int) -> LoadedProcess:
    definition = session.execute(
        select(m.ProcessDefinition).where(m.ProcessDefinition.key == key, m.ProcessDefinition.version == version)
    ).scalar_one_or_none()
    if definition is None:
        raise NotFound(f"Prozess {key} Version {version} ist nicht bereitgestellt.")
    return catalog.load(session, definition.id)


def _describe(task: UserTaskSpec) -> dict[str, Any]:
    return {
        "Titel": task.title,
        "Rolle (Lane)": task.lane,
        "Mehraugenprinzip mit": ", ".join(task.paired_tasks) or "—",
        "Frist": task.properties.get("frist", "—"),
        "Fristbeginn": task.properties.get("frist_ab", "Öffnen des Schritts"),
        "Formularfelder": ", ".join(f"{f.name}{'*' if f.required else ''}:{f.type}" for f in task.form.fields) or "—",
    }


def compare_versions(session: Session, catalog: ProcessCatalog, key: str, old: int, new: int) -> dict[str, Any]:
    before, after = _version(session, catalog, key, old), _version(session, catalog, key, new)
    removed = sorted(set(before.user_tasks) - set(after.user_tasks))
    added = sorted(set(after.user_tasks) - set(before.user_tasks))
    changed = []
    for task in sorted(set(before.user_tasks) & set(after.user_tasks)):
        a, b = _describe(before.user_tasks[task]), _describe(after.user_tasks[task])
        differences = [{"aspect": k, "vorher": a[k], "nachher": b[k]} for k in a if a[k] != b[k]]
        if differences:
            changed.append({"task": task, "differences": differences})
    lanes = {
        side: {lane: sorted(roles) for lane, roles in process.manifest.lanes.items()}
        for side, process in (("vorher", before), ("nachher", after))
    }
    return {
        "key": key,
        "old": old,
        "new": new,
        "added": [{"task": t, "title": after.user_tasks[t].title} for t in added],
        "removed": [{"task": t, "title": before.user_tasks[t].title} for t in removed],
        "changed": changed,
        "lanes": lanes if lanes["vorher"] != lanes["nachher"] else None,
    }
