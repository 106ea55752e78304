"""The `schutzpfad` command line as an operator uses it: results on stdout, one clear line on
failure, never a traceback. Runs in-process with click's runner against a temp instance folder."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import FIXTURE_BUNDLES
from web.cli import main

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "bundles"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SCHUTZPFAD_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("SCHUTZPFAD_DATABASE_URL", raising=False)
    monkeypatch.delenv("SCHUTZPFAD_ALLOW_NO_MFA", raising=False)
    runner = CliRunner()

    def run(*args: str, input: str | None = None, ok: bool = True):
        result = runner.invoke(main, list(args), input=input, catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    return run


def test_init_is_idempotent_and_deploys_the_bundled_processes(cli):
    first = cli("init")
    assert "deployed traeger_8a v1" in first.stderr
    second = cli("init")
    assert "deployed" not in second.stderr
    listed = json.loads(cli("process", "list", "--json").stdout)
    assert "traeger_8a" in {p["key"] for p in listed}


def test_orgs_users_and_token(cli, monkeypatch):
    cli("init")
    assert (
        cli(
            "orgs", "create", "kita-test", "--name", "Kita Test", "--kind", "traeger", "--jugendamt", "ja-goch"
        ).stdout.strip()
        == "kita-test"
    )
    refused = cli("users", "create", "anna", "--org", "kita-test", "--role", "fachkraft", "--no-mfa", ok=False)
    assert refused.exit_code == 1 and "SCHUTZPFAD_ALLOW_NO_MFA" in refused.stderr
    cli(
        "users",
        "create",
        "anna",
        "--org",
        "kita-test",
        "--role",
        "fachkraft",
        "--password-stdin",
        input="ein-langes-passwort\n",
    )
    token = cli("users", "token", "anna").stdout
    assert token.startswith("sp_") and token.count("\n") == 1  # the token and nothing else on stdout
    wrong_role = cli("users", "create", "bert", "--org", "kita-test", "--role", "ja_leitung", ok=False)
    assert wrong_role.exit_code == 1 and "Rolle" in wrong_role.stderr
    unknown_ja = cli(
        "orgs", "create", "kita-x", "--name", "X", "--kind", "traeger", "--jugendamt", "ja-nirgendwo", ok=False
    )
    assert unknown_ja.exit_code == 1 and "ja-nirgendwo" in unknown_ja.stderr
    monkeypatch.setenv("SCHUTZPFAD_ALLOW_NO_MFA", "1")
    cli("users", "create", "carla", "--org", "kita-test", "--role", "leitung", "--no-mfa")


def test_process_validate_lists_every_problem_and_deploy_refuses(cli):
    cli("init")
    broken = VECTORS / "broken" / "multi_problem" / "1"
    result = cli("process", "validate", str(broken), ok=False)
    assert result.exit_code == 1
    problems = [line for line in result.stderr.splitlines() if not line.startswith("Fehler:")]
    assert len(problems) >= 3
    assert "Traceback" not in result.output + result.stderr
    refused = cli("process", "deploy", str(broken), ok=False)
    assert refused.exit_code == 1
    assert "multi" not in cli("process", "list").stdout


def test_process_validate_of_bad_folders_is_german_lines_never_a_traceback(cli, tmp_path):
    """Issue 13, finding 7: 100,000 nested `[` printed a traceback; a symlink validated as gültig."""
    folder = tmp_path / "b"
    shutil.copytree(VECTORS / "valid" / "minimal" / "1", folder)
    (folder / "manifest.json").write_bytes(b"[" * 100_000)
    nested = cli("process", "validate", str(folder), ok=False)
    assert nested.exit_code == 1
    assert "Traceback" not in nested.output + nested.stderr
    assert "manifest.json: JSON ist tiefer als 32 Ebenen verschachtelt." in nested.stderr
    shutil.copy(VECTORS / "valid" / "minimal" / "1" / "manifest.json", folder / "manifest.json")
    os.symlink("/etc/passwd", folder / "forms" / "evil.json")
    linked = cli("process", "validate", str(folder), ok=False)
    assert linked.exit_code == 1
    assert "forms/evil.json: symbolische Links sind nicht erlaubt." in linked.stderr
    assert "gültig" not in linked.stderr and "Traceback" not in linked.output + linked.stderr


def test_process_deploy_new_bundle_then_no_op(cli):
    cli("init")
    path = str(FIXTURE_BUNDLES / "melder" / "1")
    assert cli("process", "validate", path).exit_code == 0
    assert cli("process", "deploy", path).stdout.split("\t")[3].strip() == "deployed"
    assert "unchanged" in cli("process", "deploy", path).stdout


def test_unreachable_database_is_one_line_without_traceback(cli, monkeypatch):
    monkeypatch.setenv("SCHUTZPFAD_DATABASE_URL", "postgresql+psycopg://nobody@/nowhere?host=/nonexistent&port=1")
    for args in (["init"], ["process", "list"]):
        result = cli(*args, ok=False)
        assert result.exit_code == 1
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Datenbank" in result.stderr


def test_commands_refuse_an_uninitialised_database(cli):
    result = cli("users", "token", "anna", ok=False)
    assert result.exit_code == 1 and "schutzpfad init" in result.stderr


def _demo_instance(cli, monkeypatch):
    monkeypatch.setenv("SCHUTZPFAD_ALLOW_NO_MFA", "1")
    cli("init", "--demo")


def test_audit_verify_export_and_tampering(cli, monkeypatch, tmp_path):
    _demo_instance(cli, monkeypatch)
    ok = cli("audit", "verify", "--json")
    result = json.loads(ok.stdout)
    assert result["ok"] is True and result["checked"] > 10
    seq, head, written = cli("audit", "checkpoint").stdout.strip().split("\t")
    assert int(seq) > 10 and re.fullmatch(r"[0-9a-f]{64}", head) and written.startswith("20")
    assert (tmp_path / "instance" / "audit-checkpoints.jsonl").read_text().strip()

    refused = cli("audit", "export", "--case", "KS-2026-000001", ok=False)
    assert refused.exit_code != 0  # --reason is required
    exported = cli("audit", "export", "--case", "KS-2026-000001", "--reason", "Prüfung durch den DSB").stdout
    lines = [json.loads(line) for line in exported.splitlines()]
    assert lines[0]["type"] == "case.created" and lines[0]["payload"]["child"]["vorname"] == "Lina"
    assert set(lines[0]) >= {"seq", "time", "type", "actor", "case", "payload"}

    import sqlite3

    db = sqlite3.connect(tmp_path / "instance" / "schutzpfad.db")
    seq = db.execute("SELECT seq FROM audit_events WHERE type = 'task.completed' ORDER BY seq LIMIT 1").fetchone()[0]
    db.execute("UPDATE audit_events SET actor = 'jemand-anderes' WHERE seq = ?", (seq,))
    db.commit()
    db.close()
    broken = cli("audit", "verify", ok=False)
    assert broken.exit_code == 1 and f"Eintrag {seq}" in broken.stderr


def test_auditor_verifies_with_the_public_key_and_an_own_log_copy(cli, monkeypatch, tmp_path):
    _demo_instance(cli, monkeypatch)
    cli("audit", "checkpoint")
    pem = tmp_path / "auditor.pem"
    pem.write_text(cli("audit", "public-key").stdout)
    assert pem.read_text().startswith("-----BEGIN PUBLIC KEY-----")
    copy = tmp_path / "checkpoints-copy.jsonl"
    copy.write_text((tmp_path / "instance" / "audit-checkpoints.jsonl").read_text())
    ok = json.loads(cli("audit", "verify", "--json", "--public-key", str(pem), "--checkpoints", str(copy)).stdout)
    assert ok["ok"] is True
    # Somebody with database access deletes the newest events: the auditor's copy of the log notices.
    import sqlite3

    db = sqlite3.connect(tmp_path / "instance" / "schutzpfad.db")
    last = db.execute("SELECT max(seq) FROM audit_events").fetchone()[0]
    db.execute("DELETE FROM audit_checkpoints")
    db.execute("DELETE FROM audit_events WHERE seq > ?", (last - 3,))
    db.execute(
        "UPDATE audit_head SET seq = ?, hash = (SELECT hash FROM audit_events WHERE seq = ?)", (last - 3, last - 3)
    )
    db.commit()
    db.close()
    (tmp_path / "instance" / "audit-checkpoints.jsonl").write_text("")
    truncated = cli("audit", "verify", "--public-key", str(pem), "--checkpoints", str(copy), ok=False)
    assert truncated.exit_code == 1 and "Eintrag" in truncated.stderr


def test_keys_rotate_and_shred(cli, monkeypatch):
    _demo_instance(cli, monkeypatch)
    rotated = cli("keys", "rotate")
    assert "neu verpackt" in rotated.stdout
    open_case = cli("keys", "shred", "--case", "KS-2026-000001", "--reason", "Ablauf der Frist", ok=False)
    assert open_case.exit_code == 1 and "offener Fall" in open_case.stderr
    cli("keys", "shred", "--case", "KS-2026-000003", "--reason", "Ablauf der Aufbewahrungsfrist")
    exported = cli("audit", "export", "--case", "KS-2026-000003", "--reason", "Kontrolle nach Vernichtung").stdout
    events = [json.loads(line) for line in exported.splitlines()]
    assert all(e["payload"] is None for e in events if e["type"] == "case.created")
    assert cli("audit", "verify").exit_code == 0


def test_missing_or_wrong_key_material_is_one_line(cli, monkeypatch, tmp_path):
    _demo_instance(cli, monkeypatch)
    keys = tmp_path / "instance" / "keys"
    kek = next(p for p in keys.iterdir() if p.name.startswith("kek-"))
    original = kek.read_bytes()
    kek.write_bytes(bytes(len(original)))  # a different (all-zero) key of the right size
    for args in (["serve", "--port", "0"], ["audit", "verify"]):
        result = cli(*args, ok=False)
        assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.stderr
    kek.unlink()
    result = cli("serve", "--port", "0", ok=False)
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1


def test_fristen_due_show_set(cli):
    assert cli("fristen", "due", "1 Werktag", "--from", "2026-12-24T10:00:00+01:00").stdout.strip() == (
        "2026-12-28T10:00:00+01:00"
    )
    assert cli("fristen", "due", "PT4H", "--from", "2026-03-29T00:30:00+01:00").stdout.strip() == (
        "2026-03-29T05:30:00+02:00"
    )
    refused = cli("fristen", "due", "3 Wochentage", "--from", "2026-12-24T10:00:00+01:00", ok=False)
    assert refused.exit_code == 1 and "PT4H" in refused.stderr and "Werktage" in refused.stderr
    naive = cli("fristen", "due", "PT4H", "--from", "2026-12-24T10:00:00", ok=False)
    assert naive.exit_code == 1 and "Zeitzone" in naive.stderr
    cli("init")
    shown = dict(line.split("\t") for line in cli("fristen", "show", "kreis-kleve").stdout.splitlines())
    assert shown["leitung_informieren"] == "PT4H" and shown["schutzplan_max"] == "P8W"
    assert cli("fristen", "set", "kreis-kleve", "leitung_informieren", "PT20S").stdout.strip() == (
        "leitung_informieren\tPT20S"
    )
    assert "leitung_informieren\tPT20S" in cli("fristen", "show", "kreis-kleve").stdout
    assert "leitung_informieren\tPT4H" in cli("fristen", "show", "kreis-dueren").stdout
    for args in (
        ["kreis-nirgendwo", "leitung_informieren", "PT4H"],
        ["kreis-kleve", "gibts_nicht", "PT4H"],
        ["kreis-kleve", "leitung_informieren", "P-1D"],
    ):
        result = cli("fristen", "set", *args, ok=False)
        assert result.exit_code == 1 and "Traceback" not in result.stderr


def test_deadlines_run_due_fires_what_fell_due(cli, monkeypatch):
    _demo_instance(cli, monkeypatch)
    assert cli("deadlines", "run-due", "--now", "2020-01-01T00:00:00+01:00").stdout == ""
    fired = cli("deadlines", "run-due", "--now", "2030-01-01T00:00:00+01:00").stdout.splitlines()
    assert any(line.endswith("leitung_informieren: escalated") for line in fired)
    assert cli("deadlines", "run-due", "--now", "2030-01-02T00:00:00+01:00").stdout == ""


def test_users_sso_link_and_unlink(cli, monkeypatch):
    cli("init")
    cli("orgs", "create", "kita-test", "--name", "Kita Test", "--kind", "traeger", "--jugendamt", "ja-goch")
    cli("users", "create", "anna", "--org", "kita-test", "--role", "fachkraft")
    without = cli("users", "sso-link", "anna", "sub-anna", ok=False)
    assert without.exit_code == 1 and "SCHUTZPFAD_OIDC_ISSUER" in without.stderr
    monkeypatch.setenv("SCHUTZPFAD_OIDC_ISSUER", "https://login.kreis-kleve.example/realms/jugendamt/")
    half = cli("users", "sso-link", "anna", "sub-anna", ok=False)
    assert half.exit_code == 1 and "SCHUTZPFAD_OIDC_CLIENT_ID" in half.stderr and "Traceback" not in half.stderr
    monkeypatch.setenv("SCHUTZPFAD_OIDC_CLIENT_ID", "schutzpfad")
    monkeypatch.setenv("SCHUTZPFAD_OIDC_CLIENT_SECRET", "geheim")
    issuer = "https://login.kreis-kleve.example/realms/jugendamt"
    assert cli("users", "sso-link", "anna", "sub-anna").stdout == f"anna\t{issuer}\tsub-anna\n"
    again = cli("users", "sso-link", "anna", "anderes-sub", ok=False)
    assert again.exit_code == 1 and "bereits verknüpft" in again.stderr
    unknown = cli("users", "sso-link", "niemand", "sub-x", ok=False)
    assert unknown.exit_code == 1 and "niemand" in unknown.stderr
    assert cli("users", "sso-unlink", "anna").stdout == f"anna\t{issuer}\n"
    assert "nicht verknüpft" in cli("users", "sso-unlink", "anna", ok=False).stderr


def test_users_tokens_revoke_deactivate_and_activate(cli):
    cli("init")
    cli("orgs", "create", "kita-test", "--name", "Kita Test", "--kind", "traeger", "--jugendamt", "ja-goch")
    cli("users", "create", "anna", "--org", "kita-test", "--role", "fachkraft")
    cli("users", "token", "anna", "--name", "Fachverfahren", "--days", "30")
    [line] = cli("users", "tokens", "anna").stdout.splitlines()
    token_id, name, state, _created, _expires = line.split("\t")
    assert (name, state) == ("Fachverfahren", "aktiv")
    cli("users", "revoke-token", "anna", token_id)
    assert cli("users", "tokens", "anna").stdout.split("\t")[2] == "widerrufen"
    assert "deaktiviert" in cli("users", "deactivate", "anna").stderr
    assert "war schon deaktiviert" in cli("users", "deactivate", "anna").stderr
    assert "aktiviert" in cli("users", "activate", "anna").stderr
    for args in (("users", "deactivate", "niemand"), ("users", "revoke-token", "anna", "999")):
        refused = cli(*args, ok=False)
        assert refused.exit_code == 1 and "Traceback" not in refused.stderr and "nicht bekannt" in refused.stderr


def test_users_invite_prints_a_one_time_link(cli, monkeypatch):
    monkeypatch.setenv("SCHUTZPFAD_BASE_URL", "https://schutzpfad.example/")
    cli("init")
    cli("orgs", "create", "kita-test", "--name", "Kita Test", "--kind", "traeger", "--jugendamt", "ja-goch")
    cli("users", "create", "anna", "--org", "kita-test", "--role", "fachkraft")
    link = cli("users", "invite", "anna").stdout.strip()
    assert re.fullmatch(r"https://schutzpfad\.example/einladung/[\w-]{40,}", link)
    assert cli("users", "invite", "niemand", ok=False).exit_code == 1
