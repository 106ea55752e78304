"""The only module that reads the environment (architecture.md): everything else gets plain values."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from engine.api import BREAK_GLASS_MAX_HOURS

#: Request bodies up to 2 MiB: a form with long texts and a bundle upload fit; more is refused (413).
DEFAULT_MAX_CONTENT_LENGTH = 2 * 1024 * 1024


class ConfigurationError(ValueError):
    """Settings that contradict each other or miss a part; the message names the variables."""


@dataclass(frozen=True)
class OidcSettings:
    """Single sign-on by OpenID Connect (docs/sso.md); present when `SCHUTZPFAD_OIDC_ISSUER` is set."""

    issuer: str
    client_id: str
    client_secret: str
    #: Where the provider sends the browser back (`SCHUTZPFAD_OIDC_REDIRECT_URL`); empty: this app's
    #: /anmelden/sso/rueckkehr as the request reached it.
    redirect_url: str = ""
    #: The provider's second factor counts when the ID token carries one of these `acr` values or
    #: `amr` entries (`SCHUTZPFAD_OIDC_REQUIRED_ACR` / `_AMR`, space-separated); neither set: ours (TOTP).
    required_acr: tuple[str, ...] = ()
    required_amr: tuple[str, ...] = ()
    #: Sign-out also ends the session at the provider (RP-initiated logout) when it offers that
    #: (`SCHUTZPFAD_OIDC_PROVIDER_LOGOUT`, default on).
    provider_logout: bool = True

    @property
    def provider_mfa(self) -> bool:
        return bool(self.required_acr or self.required_amr)


@dataclass(frozen=True)
class Settings:
    instance_path: Path
    database_url: str
    secret_key: str
    smtp_url: str | None
    allow_no_mfa: bool
    #: Base of the links in reminder mails (`SCHUTZPFAD_BASE_URL`); empty: the address `serve` binds.
    base_url: str
    #: Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed
    #: (`SCHUTZPFAD_TRUSTED_PROXIES`, a count; 0: none — then HTTPS is what the server itself sees).
    trusted_proxies: int = 0
    #: Who takes feedback on accessibility (`SCHUTZPFAD_ACCESSIBILITY_CONTACT`, shown on the
    #: Erklärung zur Barrierefreiheit; e.g. "barrierefreiheit@kreis-kleve.de, 02821 000-0").
    accessibility_contact: str = ""
    #: The largest request body accepted, in bytes (`SCHUTZPFAD_MAX_CONTENT_LENGTH`); larger: 413.
    max_content_length: int = DEFAULT_MAX_CONTENT_LENGTH
    #: Folder of the PostgreSQL client programs for backup and restore (`SCHUTZPFAD_PG_BIN`; unset:
    #: PATH). They must be at least the server's major version.
    pg_bin: Path | None = None
    #: The installation's retention periods (`SCHUTZPFAD_RETENTION_FILE`, default
    #: `<instance>/aufbewahrung.json`; absent: the defaults of engine/retention/policy.py).
    retention_file: Path | None = None
    #: Bearer token that may scrape /metrics (`SCHUTZPFAD_METRICS_TOKEN`); empty: no token is accepted.
    metrics_token: str = ""
    #: Addresses or networks that may scrape /metrics without the token (`SCHUTZPFAD_METRICS_FROM`,
    #: comma-separated, e.g. "10.0.5.7,192.168.10.0/24"); empty: none.
    metrics_from: tuple[str, ...] = ()
    oidc: OidcSettings | None = None
    #: Sign-in with username and password (`SCHUTZPFAD_LOCAL_PASSWORDS`, default on); off needs `oidc`.
    local_passwords: bool = True
    #: The longest break-glass access (R35) the Bereitschaftsdienst may ask for, in hours
    #: (`SCHUTZPFAD_NOTFALLZUGRIFF_STUNDEN`, 1–24; default: a night, engine/break_glass/access.py).
    break_glass_max_hours: int = BREAK_GLASS_MAX_HOURS


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _networks(value: str) -> tuple[str, ...]:
    """Comma-separated addresses or networks, each checked now: a typo fails at start, not at a scrape."""
    networks = tuple(part.strip() for part in value.split(",") if part.strip())
    for network in networks:
        ipaddress.ip_network(network, strict=False)
    return networks


def ensure_instance_folder(path: Path) -> Path:
    """The instance folder holds the database and (later) key material: owner-only access."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _secret_key(instance: Path, configured: str | None) -> str:
    """SCHUTZPFAD_SECRET_KEY, else a random key kept in the instance folder (mode 0600)."""
    if configured:
        return configured
    key_file = instance / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _byte_count(value: str | None, *, default: int) -> int:
    """A positive number of bytes; a wrong value stops the start with a message naming the setting."""
    if not value:
        return default
    if not value.strip().isdigit() or int(value) <= 0:
        raise ValueError(f"SCHUTZPFAD_MAX_CONTENT_LENGTH: eine positive Zahl von Bytes, nicht {value!r}")
    return int(value)


def _hours(value: str | None, *, default: int) -> int:
    """Whole hours from 1 to 24; a wrong value stops the start with a message naming the setting."""
    if not value:
        return default
    if not value.strip().isdigit() or not 1 <= int(value) <= 24:
        raise ValueError(f"SCHUTZPFAD_NOTFALLZUGRIFF_STUNDEN: ganze Stunden von 1 bis 24, nicht {value!r}")
    return int(value)


def _words(value: str | None) -> tuple[str, ...]:
    return tuple((value or "").split())


def _oidc(env: dict[str, str], instance: Path) -> OidcSettings | None:
    """The client secret comes from the environment or the owner-only file `<instance>/oidc_client_secret`."""
    issuer = (env.get("SCHUTZPFAD_OIDC_ISSUER") or "").strip().rstrip("/")
    if not issuer:
        return None
    secret = env.get("SCHUTZPFAD_OIDC_CLIENT_SECRET") or ""
    secret_file = instance / "oidc_client_secret"
    if not secret and secret_file.exists():
        secret = secret_file.read_text().strip()
    client_id = (env.get("SCHUTZPFAD_OIDC_CLIENT_ID") or "").strip()
    if not client_id or not secret:
        raise ConfigurationError(
            "SCHUTZPFAD_OIDC_ISSUER braucht SCHUTZPFAD_OIDC_CLIENT_ID und ein Client-Geheimnis "
            "(SCHUTZPFAD_OIDC_CLIENT_SECRET oder die Datei oidc_client_secret im Instanzordner)."
        )
    return OidcSettings(
        issuer=issuer,
        client_id=client_id,
        client_secret=secret,
        redirect_url=(env.get("SCHUTZPFAD_OIDC_REDIRECT_URL") or "").strip(),
        required_acr=_words(env.get("SCHUTZPFAD_OIDC_REQUIRED_ACR")),
        required_amr=_words(env.get("SCHUTZPFAD_OIDC_REQUIRED_AMR")),
        provider_logout=_truthy(env.get("SCHUTZPFAD_OIDC_PROVIDER_LOGOUT") or "on"),
    )


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    instance = Path(env.get("SCHUTZPFAD_INSTANCE") or "instance").resolve()
    ensure_instance_folder(instance)
    database_url = env.get("SCHUTZPFAD_DATABASE_URL") or f"sqlite:///{instance / 'schutzpfad.db'}"
    oidc = _oidc(env, instance)
    local_passwords = _truthy(env.get("SCHUTZPFAD_LOCAL_PASSWORDS") or "on")
    if not local_passwords and oidc is None:
        raise ConfigurationError("SCHUTZPFAD_LOCAL_PASSWORDS=off braucht Single Sign-On (SCHUTZPFAD_OIDC_ISSUER).")
    return Settings(
        instance_path=instance,
        database_url=database_url,
        secret_key=_secret_key(instance, env.get("SCHUTZPFAD_SECRET_KEY")),
        smtp_url=env.get("SCHUTZPFAD_SMTP_URL") or None,
        allow_no_mfa=_truthy(env.get("SCHUTZPFAD_ALLOW_NO_MFA")),
        base_url=env.get("SCHUTZPFAD_BASE_URL") or "",
        trusted_proxies=int(env.get("SCHUTZPFAD_TRUSTED_PROXIES") or 0),
        accessibility_contact=env.get("SCHUTZPFAD_ACCESSIBILITY_CONTACT") or "",
        pg_bin=Path(env["SCHUTZPFAD_PG_BIN"]) if env.get("SCHUTZPFAD_PG_BIN") else None,
        retention_file=Path(env.get("SCHUTZPFAD_RETENTION_FILE") or instance / "aufbewahrung.json"),
        max_content_length=_byte_count(env.get("SCHUTZPFAD_MAX_CONTENT_LENGTH"), default=DEFAULT_MAX_CONTENT_LENGTH),
        metrics_token=env.get("SCHUTZPFAD_METRICS_TOKEN") or "",
        metrics_from=_networks(env.get("SCHUTZPFAD_METRICS_FROM") or ""),
        oidc=oidc,
        local_passwords=local_passwords,
        break_glass_max_hours=_hours(env.get("SCHUTZPFAD_NOTFALLZUGRIFF_STUNDEN"), default=BREAK_GLASS_MAX_HOURS),
    )
