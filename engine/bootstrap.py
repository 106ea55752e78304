"""Composition root of the engine: build it from plain values, initialise a database.

Nothing is built at import time; `web.create_app` and the CLI call `build_engine` once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from audit import AuditVault, FileKeyProvider, VerifyResult
from audit import verify as verify_chain
from engine.case_engine import CaseEngine
from engine.cases.child_index import fill_index
from engine.cases.file_backfill import fill_case_file
from engine.cases.state import fill_view_columns
from engine.clock import Clock
from engine.directory.routing import load_directory as load_directory_file
from engine.directory.store import store_directory
from engine.persistence.database import make_engine
from engine.persistence.migrate import schema_is_current, upgrade_to_head
from engine.processes.bundles import discover_bundles, load_bundle_dir
from engine.shipped import BPMN_ROOT


class DatabaseUnavailable(Exception):
    """The database cannot be reached or migrated; the message is one line for the operator."""


CHECKPOINT_LOG = "audit-checkpoints.jsonl"
#: Beside `keys/`: the scopes ever shredded, re-applied after a restore (audit/_ledger.py).
SHRED_LEDGER = "shred-ledger.jsonl"


def build_engine(database_url: str, clock: Clock, instance: Path, *, create_keys: bool = False) -> CaseEngine:
    """The engine with its audit vault. Key material lives in the instance folder, outside the
    database; `create_keys` (only `init` sets it) creates what is missing, otherwise a missing or
    unreadable key raises KeyMaterialError with one clear line."""
    provider = FileKeyProvider.create(instance) if create_keys else FileKeyProvider(instance)
    vault = AuditVault(provider, instance / CHECKPOINT_LOG, instance / SHRED_LEDGER)
    return CaseEngine(make_engine(database_url), clock, vault)


@dataclass
class InitReport:
    deployed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    directory_rows: int = 0
    view_columns_filled: int = 0
    case_files_filled: int = 0
    cases_indexed: int = 0


def initialise(engine: CaseEngine, bpmn_root: Path = BPMN_ROOT) -> InitReport:
    """Migrate to head, load the Jugendamt directory, deploy the bundled processes. Idempotent."""
    report = prepare(engine)
    deploy_bundles(engine, discover_bundles(bpmn_root), report)
    return report


def prepare(engine: CaseEngine) -> InitReport:
    """Everything of `initialise` but the processes: schema, keys, directory and the backfills."""
    try:
        upgrade_to_head(engine.db)
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(
            f"Datenbank nicht erreichbar oder nicht migrierbar: {exc.__class__.__name__}: "
            f"{str(exc.orig if hasattr(exc, 'orig') else exc).splitlines()[0]}"
        ) from None
    except RuntimeError as exc:  # a migration that refuses to run says why
        raise DatabaseUnavailable(f"Datenbank nicht migrierbar: {exc}") from None
    check_keys(engine)
    report = InitReport()
    directory = load_directory_file()
    report.directory_rows = engine.tx.command(lambda work: store_directory(work.session, directory, work.now))
    # view columns of cases saved before migration 0006
    report.view_columns_filled = engine.tx.command(fill_view_columns)
    # history values and opening Meldebogen of cases documented before migration 0008
    report.case_files_filled = engine.tx.command(fill_case_file)
    # the blind index of cases opened before migration 0010, one committed batch at a time
    while indexed := engine.tx.command(fill_index):
        report.cases_indexed += indexed
    return report


def deploy_bundles(engine: CaseEngine, paths: list[Path], report: InitReport) -> None:
    """Deploy the bundle folders `paths` in their order (an already deployed version is unchanged)."""
    for path in paths:
        result = engine.deploy(load_bundle_dir(path), deployed_by="init")
        name = f"{result.definition.key} v{result.definition.version}"
        (report.deployed if result.created else report.unchanged).append(name)


def check_keys(engine: CaseEngine) -> None:
    """The key material must fit this database (raises KeyMaterialError with one clear line)."""
    with engine.db.connect() as connection:
        engine.vault.check(connection)


def require_current_schema(database_url: str) -> None:
    """Raise DatabaseUnavailable unless the database answers and is migrated to the newest revision.

    Every CLI command but `init` checks this before the keys, so a fresh instance is told to run
    `init` rather than that keys are missing."""
    probe = make_engine(database_url)
    try:
        current = schema_is_current(probe)
    except Exception as exc:  # noqa: BLE001 - any driver error means: not reachable
        raise DatabaseUnavailable(f"Datenbank nicht erreichbar: {exc.__class__.__name__}") from None
    finally:
        probe.dispose()
    if not current:
        raise DatabaseUnavailable(
            "Die Datenbank ist nicht initialisiert oder veraltet: bitte 'schutzpfad init' ausführen."
        )


def verify_with_public_key(database_url: str, public_key_pem: bytes, checkpoint_log: Path) -> VerifyResult:
    """The chain and checkpoints checked with the public key alone: an auditor's check that needs
    no access to the instance's keys, so no engine (and no vault) is built."""
    probe = make_engine(database_url)
    try:
        with probe.connect() as connection, connection.begin():
            return verify_chain(connection, public_key_pem, checkpoint_log)
    finally:
        probe.dispose()
