"""Commands to run and administer an installation: init, serve, worker, Fristen, deadlines,
organisations, users and process definitions."""

from __future__ import annotations

import gc
import json
import signal
import sys
import threading
from pathlib import Path

import click

from engine.api import (
    ORGANISATION_KINDS,
    CaseEngine,
    DeadlineScheduler,
    MigrationOutcome,
    due_text,
    initialise,
    load_bundle_dir,
    load_policy,
    parse_instant,
    validate_bundle,
)
from engine.errors import DefinitionInvalid
from engine.labels import REPORTER_LABELS
from web.cli.base import OPERATOR, fail, main, one_line_errors, ready_engine, settings_and_engine
from web.config import Settings
from web.operations.request_log import configure_logging


@main.command(help="Datenbank anlegen/aktualisieren, Prozesse deployen, Jugendamtsverzeichnis laden.")
@click.option("--demo", is_flag=True, help="Demo-Organisationen, -Benutzer und -Fälle anlegen.")
@one_line_errors
def init(demo: bool) -> None:
    settings, case_engine = settings_and_engine(create_keys=True)
    report = initialise(case_engine)
    for name in report.deployed:
        click.echo(f"deployed {name}", err=True)
    if demo:
        if not settings.allow_no_mfa:
            fail("--demo legt Benutzer ohne zweiten Faktor an und braucht SCHUTZPFAD_ALLOW_NO_MFA=1.")
        from engine.api import seed_demo

        created = seed_demo(case_engine)
        click.echo(f"demo data: {'created' if created else 'already present'}", err=True)
    click.echo(f"database ready: {settings.database_url.split('?')[0]}", err=True)


@main.command(help="Web-App starten, mit dem Fristen-Scheduler (außer mit --no-scheduler).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--no-scheduler",
    is_flag=True,
    help="Ohne Fristen-Scheduler: für weitere Web-Knoten, wenn ein anderer Prozess ihn betreibt (worker).",
)
@one_line_errors
def serve(host: str, port: int, no_scheduler: bool) -> None:
    settings, case_engine = ready_engine()
    configure_logging()  # after the checks: a refusal stays the one line of `one_line_errors`
    from waitress import serve as waitress_serve

    from web import create_app

    app = create_app(settings, case_engine=case_engine)
    scheduler = None if no_scheduler else _scheduler(settings, case_engine, f"http://{host}:{port}")
    if scheduler is not None:
        scheduler.start()
    # Long-lived start-up objects (parsed specs, the app) need no more scanning by the cyclic GC:
    # full collections otherwise land in request latency (see docs/performance.md).
    gc.freeze()
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    click.echo(f"Schutzpfad läuft auf http://{host}:{port}/", err=True)
    try:
        waitress_serve(app, host=host, port=port, threads=8, ident="schutzpfad")
    finally:
        if scheduler is not None:
            scheduler.stop()


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """systemd and container runtimes stop with SIGTERM: leave through the `finally` that stops the
    scheduler (a running firing finishes its transaction first) instead of dying mid-tick."""
    raise SystemExit(0)


def _scheduler(settings: Settings, case_engine: CaseEngine, default_url: str) -> DeadlineScheduler:
    return DeadlineScheduler(
        case_engine,
        smtp_url=settings.smtp_url,
        base_url=settings.base_url or default_url,
        retention=load_policy(settings.retention_file),
    )


@main.command(help="Nur den Fristen-Scheduler betreiben (für Installationen mit mehreren Web-Knoten).")
@one_line_errors
def worker() -> None:
    settings, case_engine = ready_engine()
    configure_logging()
    scheduler = _scheduler(settings, case_engine, "http://127.0.0.1:5000")
    scheduler.start()
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    click.echo("Fristen-Scheduler läuft (Strg+C oder SIGTERM beendet).", err=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.stop()


@main.group(help="Fristenprofile der Netzwerke.")
def fristen() -> None:
    pass


@fristen.command("show")
@click.argument("netzwerk")
@one_line_errors
def fristen_show(netzwerk: str) -> None:
    _, case_engine = ready_engine()
    for key, value in case_engine.fristen(netzwerk).items():
        click.echo(f"{key}\t{value}")


@fristen.command("set")
@click.argument("netzwerk")
@click.argument("key")
@click.argument("value")
@one_line_errors
def fristen_set(netzwerk: str, key: str, value: str) -> None:
    _, case_engine = ready_engine()
    merged = case_engine.set_frist(netzwerk, key, value, operator=OPERATOR)
    click.echo(f"{key}\t{merged[key]}")


@fristen.command("due")
@click.argument("value")
@click.option("--from", "start", required=True, help="Beginn, ISO 8601 mit Zeitzone")
@one_line_errors
def fristen_due(value: str, start: str) -> None:
    click.echo(due_text(value, start))


@main.group(help="Fristen auslösen.")
def deadlines() -> None:
    pass


@deadlines.command("run-due")
@click.option("--now", "now_text", default=None, help="Zeitpunkt, ISO 8601 mit Zeitzone (Standard: jetzt)")
@one_line_errors
def deadlines_run_due(now_text: str | None) -> None:
    _, case_engine = ready_engine()
    now = None
    if now_text is not None:
        now = parse_instant(now_text, field="now")
    for line in case_engine.run_due(now):
        click.echo(line)


@main.group(help="Organisationen verwalten.")
def orgs() -> None:
    pass


@orgs.command("create")
@click.argument("key")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice(sorted(ORGANISATION_KINDS)))
@click.option("--jugendamt", "jugendamt_key", default=None)
@click.option("--netzwerk", "network_key", default=None)
@click.option(
    "--meldende-stelle",
    "reporter",
    default=None,
    type=click.Choice(sorted(REPORTER_LABELS)),
    help="Kategorie als meldende Stelle (§ 99 SGB VIII), belegt den Eingang beim Jugendamt vor.",
)
@one_line_errors
def orgs_create(
    key: str, name: str, kind: str, jugendamt_key: str | None, network_key: str | None, reporter: str | None
) -> None:
    _, case_engine = ready_engine()
    created = case_engine.create_organisation(
        operator=OPERATOR,
        key=key,
        name=name,
        kind=kind,
        jugendamt_key=jugendamt_key,
        network_key=network_key,
        meldende_stelle=reporter,
    )
    click.echo(created)


@main.group(help="Benutzer verwalten.")
def users() -> None:
    pass


@users.command("create")
@click.argument("username")
@click.option("--org", "org_key", required=True)
@click.option("--role", required=True)
@click.option("--name", "display_name", default=None, help="Anzeigename")
@click.option("--telefon", default=None, help="Durchwahl für Rückfragen des Jugendamts (im Meldebogen).")
@click.option("--password-stdin", is_flag=True, help="Passwort von der Standardeingabe lesen.")
@click.option("--no-mfa", is_flag=True, help="Ohne zweiten Faktor (nur mit SCHUTZPFAD_ALLOW_NO_MFA=1).")
@one_line_errors
def users_create(
    username: str,
    org_key: str,
    role: str,
    display_name: str | None,
    telefon: str | None,
    password_stdin: bool,
    no_mfa: bool,
) -> None:
    settings, case_engine = ready_engine()
    if no_mfa and not settings.allow_no_mfa:
        fail("--no-mfa ist nur für Demo- und Testinstallationen erlaubt (SCHUTZPFAD_ALLOW_NO_MFA=1).")
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    created = case_engine.create_user(
        operator=OPERATOR,
        username=username,
        organisation_key=org_key,
        role=role,
        password=password,
        display_name=display_name,
        mfa_required=not no_mfa,
        telefon=telefon,
    )
    click.echo(created)


@users.command("token")
@click.argument("username")
@click.option("--name", default="API", show_default=True, help="Wofür das Token ist (erscheint in der Liste).")
@click.option("--days", default=90, show_default=True, type=int, help="Gültigkeit in Tagen (höchstens 365).")
@one_line_errors
def users_token(username: str, name: str, days: int) -> None:
    _, case_engine = ready_engine()
    click.echo(case_engine.issue_token(username, operator=OPERATOR, name=name, days=days))


@users.command("invite", help="Einladungslink (72 Stunden, einmal gültig): Passwort und zweiten Faktor selbst wählen.")
@click.argument("username")
@one_line_errors
def users_invite(username: str) -> None:
    settings, case_engine = ready_engine()
    token = case_engine.invite(username, operator=OPERATOR)
    base = (settings.base_url or "http://127.0.0.1:5000").rstrip("/")
    click.echo(f"{base}/einladung/{token}")


@users.command("tokens", help="Die API-Tokens eines Benutzers: Nummer, Name, Zustand, ausgestellt, gültig bis.")
@click.argument("username")
@one_line_errors
def users_tokens(username: str) -> None:
    _, case_engine = ready_engine()
    for row in case_engine.tokens(username):
        created, expires = row["created_at"].isoformat(), row["expires_at"].isoformat()
        click.echo(f"{row['id']}\t{row['name']}\t{row['state']}\t{created}\t{expires}")


@users.command("revoke-token", help="Ein API-Token widerrufen (Nummer aus `users tokens`).")
@click.argument("username")
@click.argument("token_id", type=int)
@one_line_errors
def users_revoke_token(username: str, token_id: int) -> None:
    _, case_engine = ready_engine()
    case_engine.revoke_token(username, token_id, operator=OPERATOR)
    click.echo(f"Token {token_id} von {username} widerrufen.", err=True)


@users.command("deactivate", help="Benutzer deaktivieren: Sitzungen enden, Anmeldung und Tokens werden abgewiesen.")
@click.argument("username")
@one_line_errors
def users_deactivate(username: str) -> None:
    _, case_engine = ready_engine()
    changed = case_engine.set_user_active(username, False, operator=OPERATOR)
    click.echo(f"{username}: {'deaktiviert' if changed else 'war schon deaktiviert'}", err=True)


@users.command("activate", help="Einen deaktivierten Benutzer wieder aktivieren.")
@click.argument("username")
@one_line_errors
def users_activate(username: str) -> None:
    _, case_engine = ready_engine()
    changed = case_engine.set_user_active(username, True, operator=OPERATOR)
    click.echo(f"{username}: {'aktiviert' if changed else 'war schon aktiv'}", err=True)


@main.group(help="Prozessdefinitionen.")
def process() -> None:
    pass


@process.command("list")
@click.option("--json", "as_json", is_flag=True)
@one_line_errors
def process_list(as_json: bool) -> None:
    _, case_engine = ready_engine()
    rows = case_engine.processes()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(f"{row['key']}\t{row['version']}\t{row['sha256']}\t{row['deployed_at']}")


@process.command("validate")
@click.argument("path", type=click.Path(path_type=Path))
@one_line_errors
def process_validate(path: Path) -> None:
    problems = validate_bundle(load_bundle_dir(path))
    if problems:
        raise DefinitionInvalid(problems)
    click.echo(f"{path}: gültig", err=True)


@process.command("deploy")
@click.argument("path", type=click.Path(path_type=Path))
@one_line_errors
def process_deploy(path: Path) -> None:
    _, case_engine = ready_engine()
    result = case_engine.deploy(load_bundle_dir(path), deployed_by="cli")
    d = result.definition
    state = "deployed" if result.created else "unchanged (already deployed)"
    click.echo(f"{d.key}\t{d.version}\t{d.sha256}\t{state}")


@process.command("migrate", help="Laufende Fälle auf eine andere Version migrieren (jeder Fall für sich).")
@click.argument("key")
@click.option("--from", "source", type=int, required=True, help="Version, auf der die Fälle laufen.")
@click.option("--to", "target", type=int, required=True, help="Version mit migration.json für --from.")
@click.option("--reason", default="", help="Grund der Migration (im Audit-Trail jedes Falls).")
@click.option("--dry-run", is_flag=True, help="Nur prüfen, welche Fälle migrierbar sind; nichts ändern.")
@click.option("--case", "references", multiple=True, help="Nur dieser Fall (Aktenzeichen; mehrfach möglich).")
@one_line_errors
def process_migrate(
    key: str, source: int, target: int, reason: str, dry_run: bool, references: tuple[str, ...]
) -> None:
    """One line per case as it is done, `REF<TAB>migriert|migrierbar|nicht migrierbar: <Grund>`; a
    run that stops (killed, a database error) has migrated exactly the cases it printed."""
    _, case_engine = ready_engine()
    done = "migrierbar" if dry_run else "migriert"

    def report(outcome: MigrationOutcome) -> None:
        click.echo(f"{outcome.reference}\t{done if outcome.ok else f'nicht migrierbar: {outcome.reason}'}")

    outcomes = case_engine.migrate_cases(
        key, source, target, reason=reason, operator=OPERATOR, references=references, dry_run=dry_run, progress=report
    )
    refused = sum(1 for o in outcomes if not o.ok)
    click.echo(f"{len(outcomes) - refused} {done}, {refused} nicht migrierbar", err=True)
