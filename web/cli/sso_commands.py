"""`schutzpfad users sso-link / sso-unlink`: link a user to their account at the OpenID provider.

The issuer is the configured one (`SCHUTZPFAD_OIDC_ISSUER`): a link is only ever made for the provider
this installation trusts.
"""

from __future__ import annotations

import click

from engine.api import CaseEngine
from web.cli.base import OPERATOR, fail, one_line_errors, ready_engine
from web.cli.operations import users


def _issuer_and_engine() -> tuple[str, CaseEngine]:
    settings, case_engine = ready_engine()
    if settings.oidc is None:
        fail("Single Sign-On ist nicht eingerichtet (SCHUTZPFAD_OIDC_ISSUER fehlt).")
    assert settings.oidc is not None
    return settings.oidc.issuer, case_engine


@users.command("sso-link", help="Benutzer mit seinem Konto beim Anmeldedienst (OpenID Connect) verknüpfen.")
@click.argument("username")
@click.argument("subject")
@one_line_errors
def sso_link(username: str, subject: str) -> None:
    issuer, case_engine = _issuer_and_engine()
    case_engine.link_sso(username, issuer, subject, operator=OPERATOR)
    click.echo(f"{username}\t{issuer}\t{subject.strip()}")


@users.command("sso-unlink", help="Verknüpfung eines Benutzers mit dem Anmeldedienst lösen.")
@click.argument("username")
@one_line_errors
def sso_unlink(username: str) -> None:
    issuer, case_engine = _issuer_and_engine()
    case_engine.unlink_sso(username, issuer, operator=OPERATOR)
    click.echo(f"{username}\t{issuer}")
