"""The `schutzpfad` command group and what every command shares: settings and a ready engine, one
line instead of a traceback on failure (`one_line_errors`), the operator name of the audit trail."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from audit import AuditError
from engine.api import (
    CaseEngine,
    DatabaseUnavailable,
    build_engine,
    check_keys,
    require_current_schema,
)
from engine.clock import SystemClock
from engine.errors import DefinitionInvalid, EngineError, ValidationFailed
from web.config import ConfigurationError, Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])

#: How the audit trail names whoever runs a CLI command (the operating-system user is not ours to trust).
OPERATOR = "cli"


def fail(message: str, code: int = 1) -> None:
    click.echo(f"Fehler: {message}", err=True)
    sys.exit(code)


def _describe(exc: EngineError) -> str:
    if isinstance(exc, ValidationFailed):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.errors.items())
    return exc.detail


def one_line_errors(func: F) -> F:
    """Domain errors and an unreachable database end the command with one clear line."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DefinitionInvalid as exc:
            for problem in exc.problems:
                click.echo(problem, err=True)
            fail(exc.detail)
        except EngineError as exc:
            fail(_describe(exc))
        except (DatabaseUnavailable, AuditError, ConfigurationError) as exc:
            fail(str(exc))
        except OSError as exc:  # a folder not writable, a disk full: the operator's to fix, not a bug
            fail(f"{exc.filename or 'Datei'}: {exc.strerror or exc}")

    return wrapper  # type: ignore[return-value]


def settings_and_engine(*, create_keys: bool = False) -> tuple[Settings, CaseEngine]:
    settings = load_settings()
    return settings, build_engine(settings.database_url, SystemClock(), settings.instance_path, create_keys=create_keys)


def ready_engine() -> tuple[Settings, CaseEngine]:
    """An engine on an initialised database with fitting keys (every command but `init` needs them).

    The database is checked first, so a fresh instance gets "run init" rather than "no keys"."""
    require_current_schema(load_settings().database_url)
    settings, case_engine = settings_and_engine()
    check_keys(case_engine)
    return settings, case_engine


@click.group(help="Schutzpfad — Verfahren zum Schutzauftrag nach § 8a SGB VIII.")
def main() -> None:
    pass
