"""1,000 random single mutations of a real chain: every one is detected, at the right sequence number.

The chain is built once through `AuditVault.append` (real checkpoints, real log file); each mutation
runs in a transaction that `verify` sees and that is rolled back afterwards.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from sqlalchemy import text

import audit
from tests.support.audit_chains import MUTATIONS_BY_KIND, Chain, build_chain, memory_db

EVENTS = 300
MUTATIONS = 1000


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chain]:
    folder = tmp_path_factory.mktemp("mutations")
    engine = memory_db()
    built = build_chain(engine, folder, EVENTS, seed=8)
    with engine.begin() as conn:
        assert audit.verify(conn, built.public_key, built.log).ok
    assert len(built.checkpoints) >= 8 and built.checkpoints[-1] < built.size
    yield built
    engine.dispose()


def test_every_single_mutation_is_detected(chain: Chain) -> None:
    rng = random.Random(20260302)
    missed: list[str] = []
    kinds: dict[str, int] = {}
    with chain.engine.connect() as conn:
        for number in range(MUTATIONS):
            mutate = rng.choice(MUTATIONS_BY_KIND)
            kinds[mutate.__name__] = kinds.get(mutate.__name__, 0) + 1
            transaction = conn.begin()
            try:
                expected = mutate(conn, chain, rng)
                result = audit.verify(conn, chain.public_key, chain.log)
            finally:
                transaction.rollback()
            if result.ok or result.first_bad_seq != expected:
                missed.append(f"#{number} {mutate.__name__}: expected {expected}, got {result}")
        assert audit.verify(conn, chain.public_key, chain.log).ok  # everything rolled back
    assert not missed, "\n".join(missed[:20])
    assert set(kinds) == {m.__name__ for m in MUTATIONS_BY_KIND}


def test_sqlite_seq_is_the_rowid(chain: Chain) -> None:
    # verify streams in storage order only if seq is INTEGER PRIMARY KEY (an alias of the rowid).
    with chain.engine.connect() as conn:
        plan = " ".join(
            str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN SELECT * FROM audit_events ORDER BY seq"))
        )
    assert "INDEX" not in plan.upper() and "TEMP B-TREE" not in plan.upper()
