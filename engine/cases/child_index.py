"""The blind index of a case's child: finding a child by name or birth date, and earlier reports on the
same child, although the child's data is sealed.

For every case the engine stores keyed digests (HMAC-SHA-256, `AuditVault.blind_digests`) of
normalised terms: each name token, the birth date, first name + surname + birth date, and each surname
token + birth date. Equal terms give equal digests, so a search or a match is an index lookup; the
database never holds a name, a birth date or an unkeyed hash of either (an unkeyed hash of a name
and a birth date is reversed by trying them all). The key is the data key of the scope
`blind-index/<version>`, wrapped under the KEK with the other key material; a rotation creates a new
version, re-indexes every case in batches and then destroys the old key.

Normalisation makes the spellings people use meet: case, umlauts (`Müller` = `Mueller`), ß/ss,
accents, hyphens and spaces in double names, leading and trailing spaces (engine/spelling.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from audit import Shredded
from engine.persistence import models as m
from engine.persistence.sealed import open_child
from engine.spelling import tokens
from engine.transactions import Work

NAME, BIRTH, FULL, SURNAME = "name", "geb", "voll", "nachname"
#: the name tokens of the child's Sorgeberechtigte: a subject-access request finds their cases (R38)
SORGE = "sorge"


def child_terms(child: Mapping[str, Any]) -> dict[str, list[str]]:
    """The index terms of a child by kind; each term carries its kind, so kinds never collide."""
    first, last = tokens(str(child.get("vorname", ""))), tokens(str(child.get("nachname", "")))
    born = str(child.get("geburtsdatum", ""))
    return {
        NAME: [f"{NAME}:{t}" for t in sorted(set(first + last))],
        BIRTH: [f"{BIRTH}:{born}"] if born else [],
        FULL: [f"{FULL}:{' '.join(sorted(first))}|{' '.join(sorted(last))}|{born}"] if first and last and born else [],
        SURNAME: [f"{SURNAME}:{t}|{born}" for t in sorted(set(last))] if born else [],
        SORGE: [f"{SORGE}:{t}" for t in sorted({t for name in _guardian_names(child) for t in tokens(name)})],
    }


def _guardian_names(child: Mapping[str, Any]) -> list[str]:
    guardians = child.get("sorgeberechtigte")
    if not isinstance(guardians, list):
        return []
    return [str(g.get("name", "")) for g in guardians if isinstance(g, Mapping)]


def matching_cases(work: Work, terms: Iterable[str], organisations: Collection[int]) -> frozenset[int]:
    """The ids of the cases of `organisations` whose index holds every one of `terms` under some live
    key version: one index range per term (digest, organisation), no case read or decrypted."""
    matched: set[int] | None = None
    for term in dict.fromkeys(terms):
        rows = work.session.execute(
            select(m.ChildIndex.case_id)
            .where(
                m.ChildIndex.digest.in_(digests(work, [term])),
                m.ChildIndex.organisation_id.in_(sorted(set(organisations))),
            )
            .distinct()
        ).scalars()
        matched = set(rows) if matched is None else matched & set(rows)
        if not matched:
            break
    return frozenset(matched or ())


_SCOPE_PREFIX = "blind-index/"
_VERSION_SCOPE = re.compile(r"blind-index/\d+")


def scope(version: int) -> str:
    return f"{_SCOPE_PREFIX}{version}"


def is_index_scope(name: str) -> bool:
    return _VERSION_SCOPE.fullmatch(name) is not None


def retire_shredded(work: Work, scopes: Iterable[str]) -> list[int]:
    """Retire the index versions whose keys are among `scopes` (shredded again after a restore: the
    restored index may still use them), adding a retired row for a version the database never had,
    so that a new version never takes a number whose key is shredded. The versions retired."""
    versions = sorted({int(s.removeprefix(_SCOPE_PREFIX)) for s in scopes if is_index_scope(s)})
    for version in versions:
        key = work.session.get(m.IndexKey, version)
        if key is None:
            work.session.add(m.IndexKey(version=version, created_at=work.now, retired_at=work.now))
        elif key.retired_at is None:
            key.retired_at = work.now
    work.session.flush()
    return versions


def current_version(work: Work) -> int:
    """The version new cases are indexed under: the newest not retired (version 1 on first use)."""
    newest = work.session.execute(
        select(func.max(m.IndexKey.version)).where(m.IndexKey.retired_at.is_(None))
    ).scalar_one_or_none()
    if newest is not None:
        return int(newest)
    return _new_version(work)


def _new_version(work: Work) -> int:
    highest = work.session.execute(select(func.max(m.IndexKey.version))).scalar_one_or_none() or 0
    version = int(highest) + 1
    work.session.add(m.IndexKey(version=version, created_at=work.now))
    work.session.flush()
    return version


def live_versions(session: Session) -> list[int]:
    """Every version a lookup must ask: during a rotation, old and new."""
    rows = session.execute(select(m.IndexKey.version).where(m.IndexKey.retired_at.is_(None))).scalars()
    return sorted(rows)


def digests(work: Work, terms: Iterable[str], versions: Iterable[int] | None = None) -> list[bytes]:
    """The digests of `terms` under each live version (or the given ones)."""
    wanted = list(terms)
    out: list[bytes] = []
    for version in live_versions(work.session) if versions is None else versions:
        out += work.vault.blind_digests(work.session.connection(), scope(version), wanted, now=work.now)
    return out


def index_case(work: Work, case: m.Case, child: Mapping[str, Any], version: int | None = None) -> None:
    """(Re)write the case's index rows under one version (the current one unless given)."""
    version = current_version(work) if version is None else version
    terms = [term for group in child_terms(child).values() for term in group]
    session = work.session
    session.execute(delete(m.ChildIndex).where(m.ChildIndex.case_id == case.id))
    found = work.vault.blind_digests(session.connection(), scope(version), terms, now=work.now)
    session.add_all(
        m.ChildIndex(case_id=case.id, key_version=version, digest=d, organisation_id=case.organisation_id)
        for d in found
    )
    case.indexed = True
    session.flush()


def forget_case(work: Work, case_id: int) -> None:
    """A shredded case leaves the index: nobody finds it or matches it any more."""
    work.session.execute(delete(m.ChildIndex).where(m.ChildIndex.case_id == case_id))


def fill_index(work: Work, batch: int = 500) -> int:
    """Index cases that are not yet (opened before migration 0010); `init` runs it. Returns how many."""
    session = work.session
    cases = session.execute(select(m.Case).where(m.Case.indexed.is_(False)).limit(batch)).scalars().all()
    for case in cases:
        try:
            index_case(work, case, open_child(work, case))
        except Shredded:
            case.indexed = True  # nothing left to index
    return len(cases)


# ---- rotation --------------------------------------------------------------------------------------------


def start_rotation(work: Work) -> tuple[int, bool]:
    """A new key version — new cases are indexed under it from now on — or, when an interrupted
    rotation left two live versions, the newest of them again: (version, resumed)."""
    live = live_versions(work.session)
    if len(live) > 1:
        return live[-1], True
    return _new_version(work), False


def reindex_batch(work: Work, version: int, batch: int) -> int:
    """Re-index up to `batch` cases still indexed under an older version; returns how many."""
    session = work.session
    stale = select(m.ChildIndex.case_id).where(m.ChildIndex.key_version != version).distinct().limit(batch)
    ids = list(session.execute(stale).scalars())
    for case_id in ids:
        case = session.get(m.Case, case_id)
        assert case is not None
        try:
            index_case(work, case, open_child(work, case), version)
        except Shredded:
            forget_case(work, case_id)
    return len(ids)


def remaining(session: Session, version: int) -> int:
    return int(
        session.execute(
            select(func.count(func.distinct(m.ChildIndex.case_id))).where(m.ChildIndex.key_version != version)
        ).scalar_one()
    )


def finish_rotation(work: Work, version: int, shred: Callable[[str], None]) -> list[int]:
    """Retire every older version once nothing is indexed under it, destroying its key (`shred`)."""
    session = work.session
    old = [v for v in live_versions(session) if v != version]
    session.execute(update(m.IndexKey).where(m.IndexKey.version.in_(old)).values(retired_at=work.now))
    for v in old:
        shred(scope(v))
    return old
