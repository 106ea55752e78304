"""Readiness of one node: may a load balancer send it requests? Every check says what fails in one
line, so the operator reading `/readyz` sees the cause without a log search.

- database: it answers;
- schema: it is migrated to the newest revision (a node of a newer release waits for `init`);
- keys: the key material in the instance folder fits this database;
- scheduler: some process of the deployment runs the deadline scheduler (its heartbeat is fresh) —
  without one, no Frist fires, though every page still works.
"""

from __future__ import annotations

from sqlalchemy import text

from audit import AuditError
from engine.engine_parts import EngineParts
from engine.operations.heartbeat import STALE_AFTER, last_beat
from engine.persistence.migrate import schema_is_current

OK = "ok"


def check(engine: EngineParts) -> dict[str, str]:
    """Each check's name → "ok" or the reason it fails (the later checks need the database)."""
    try:
        with engine.db.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any driver error means: not reachable
        skipped = "nicht geprüft (Datenbank nicht erreichbar)"
        return {
            "database": f"nicht erreichbar: {exc.__class__.__name__}",
            "schema": skipped,
            "keys": skipped,
            "scheduler": skipped,
        }
    results = {"database": OK, "schema": OK, "keys": OK, "scheduler": OK}
    if not schema_is_current(engine.db):
        results["schema"] = "nicht auf dem neuesten Stand: 'schutzpfad init' ausführen"
    try:
        with engine.db.connect() as connection:
            engine.vault.check(connection)
    except AuditError as exc:
        results["keys"] = str(exc)
    if results["schema"] == OK:
        beat = engine.tx.query(last_beat)
        if beat is None:
            results["scheduler"] = "noch kein Lebenszeichen des Fristen-Schedulers"
        elif engine.clock.now() - beat > STALE_AFTER:
            results["scheduler"] = f"letztes Lebenszeichen vor {int((engine.clock.now() - beat).total_seconds())} s"
    else:
        results["scheduler"] = "nicht geprüft (Schema veraltet)"
    return results
