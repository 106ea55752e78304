"""OpenID Connect relying party (Authlib): the authorization code flow with PKCE, the ID token's checks,
and the provider's logout address — the protocol only, no Flask session and no users.

What is checked, and why it matters for who gets signed in:
- the provider's discovery document must name the configured issuer (no mix-up with another provider);
- the code is redeemed once, with the PKCE verifier only this browser's session holds (S256);
- the ID token's signature against the provider's published keys, `iss`, `aud` (this client, and
  `azp` when other audiences are named), `exp`/`iat`, and the `nonce` of this sign-in (no replay of
  another sign-in's token);
- the provider's second factor, when configured: an `acr` value or `amr` entry from the configuration.

Failures raise `OidcRefused` with one of the engine's reasons (`SSO_REFUSALS`), which the sign-in view
audits and explains.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt
from joserfc.errors import ClaimError, InvalidClaimError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from web.config import OidcSettings

#: Seconds allowed between our clock and the provider's for `exp`/`iat`.
LEEWAY = 60
#: Timeout of each request to the provider (discovery, keys, token).
TIMEOUT = 10


class OidcRefused(Exception):
    """The sign-in cannot be trusted; `reason` is one of the engine's `SSO_REFUSALS`."""

    def __init__(self, reason: str, detail: str, subject: str | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.subject = subject


class OidcUnavailable(Exception):
    """The provider cannot be reached, or its discovery document or keys are not usable."""


@dataclass(frozen=True)
class Authorization:
    """Where to send the browser, and what this session keeps until it returns."""

    url: str
    state: str
    nonce: str
    code_verifier: str


@dataclass(frozen=True)
class VerifiedLogin:
    subject: str
    acr: str | None
    amr: tuple[str, ...]


class OidcClient:
    """One per app: the provider's metadata and keys are fetched once and kept (keys again when a token
    names a key id we do not know: the provider rotated)."""

    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._lock = threading.Lock()

    def _session(self, redirect_uri: str | None = None) -> OAuth2Session:
        return OAuth2Session(
            self.settings.client_id,
            self.settings.client_secret,
            scope="openid",
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
        )

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document; raises `OidcUnavailable` when it cannot be had or trusted."""
        with self._lock:
            if self._metadata is None:
                url = f"{self.settings.issuer}/.well-known/openid-configuration"
                try:
                    response = requests.get(url, timeout=TIMEOUT)
                    response.raise_for_status()
                    metadata = OpenIDProviderMetadata(response.json())
                    metadata.validate()
                except (requests.RequestException, ValueError, AuthlibBaseError) as exc:
                    raise OidcUnavailable(f"{url}: {exc}") from None
                if metadata["issuer"] != self.settings.issuer:
                    raise OidcUnavailable(f"{url} nennt den Aussteller {metadata['issuer']}")
                self._metadata = dict(metadata)
            return self._metadata

    def _key_set(self, *, refresh: bool = False) -> KeySet:
        with self._lock:
            if self._keys is None or refresh:
                assert self._metadata is not None
                try:
                    response = requests.get(self._metadata["jwks_uri"], timeout=TIMEOUT)
                    response.raise_for_status()
                    self._keys = KeySet.import_key_set(response.json())
                except (requests.RequestException, ValueError) as exc:
                    raise OidcUnavailable(f"{self._metadata['jwks_uri']}: {exc}") from None
            return self._keys

    def begin(self, redirect_uri: str) -> Authorization:
        """The provider's authorization address for a new sign-in (fresh state, nonce, PKCE verifier)."""
        endpoint = self.metadata()["authorization_endpoint"]
        nonce, verifier = generate_token(32), generate_token(64)
        extra = {"acr_values": " ".join(self.settings.required_acr)} if self.settings.required_acr else {}
        with self._session(redirect_uri) as session:
            url, state = session.create_authorization_url(endpoint, code_verifier=verifier, nonce=nonce, **extra)
        return Authorization(url, state, nonce, verifier)

    def finish(self, redirect_uri: str, code: str, *, code_verifier: str, nonce: str) -> VerifiedLogin:
        """Redeem the code and check the ID token; raises `OidcRefused`."""
        metadata = self.metadata()
        try:
            with self._session(redirect_uri) as session:
                token = session.fetch_token(
                    metadata["token_endpoint"], code=code, code_verifier=code_verifier, timeout=TIMEOUT
                )
        except AuthlibBaseError as exc:
            raise OidcRefused("token_invalid", f"Der Code wurde nicht eingelöst: {exc}") from None
        except requests.RequestException as exc:
            raise OidcUnavailable(f"{metadata['token_endpoint']}: {exc}") from None
        if "id_token" not in token:
            raise OidcRefused("token_invalid", "Der Anmeldedienst hat kein ID-Token geschickt.")
        claims = self._verified_claims(token, nonce)
        login = VerifiedLogin(subject=str(claims["sub"]), acr=claims.get("acr"), amr=tuple(claims.get("amr") or ()))
        if self.settings.provider_mfa and not self._second_factor_met(login):
            raise OidcRefused("acr_missing", "Der Anmeldedienst bestätigt keinen zweiten Faktor.", login.subject)
        return login

    def _verified_claims(self, token: dict[str, Any], nonce: str) -> CodeIDToken:
        metadata = self.metadata()
        registry = JWSRegistry(algorithms=metadata.get("id_token_signing_alg_values_supported"))
        try:
            try:
                decoded = jwt.decode(token["id_token"], self._key_set(), registry=registry)
            except InvalidKeyIdError:
                decoded = jwt.decode(token["id_token"], self._key_set(refresh=True), registry=registry)
        except (JoseError, ValueError) as exc:
            raise OidcRefused("token_invalid", f"Die Signatur des ID-Tokens ist ungültig: {exc}") from None
        options = {
            "iss": {"essential": True, "value": self.settings.issuer},
            "aud": {"essential": True, "value": self.settings.client_id},
        }
        params = {"nonce": nonce, "client_id": self.settings.client_id, "access_token": token.get("access_token")}
        claims = CodeIDToken(decoded.claims, decoded.header, options, params)
        subject = decoded.claims.get("sub")
        try:
            claims.validate(now=int(time.time()), leeway=LEEWAY)
        except ClaimError as exc:
            audience = isinstance(exc, InvalidClaimError) and exc.claim in {"aud", "azp"}
            reason = "audience" if audience else "token_invalid"
            raise OidcRefused(reason, f"Das ID-Token ist ungültig ({exc.claim}).", subject) from None
        except JoseError as exc:
            raise OidcRefused("token_invalid", f"Das ID-Token ist ungültig: {exc}", subject) from None
        return claims

    def _second_factor_met(self, login: VerifiedLogin) -> bool:
        wanted_acr, wanted_amr = self.settings.required_acr, self.settings.required_amr
        return (login.acr is not None and login.acr in wanted_acr) or any(value in wanted_amr for value in login.amr)

    def logout_url(self, post_logout_redirect_uri: str) -> str | None:
        """The provider's end-session address (RP-initiated logout), when configured and offered."""
        if not self.settings.provider_logout:
            return None
        endpoint = self.metadata().get("end_session_endpoint")
        if not endpoint:
            return None
        params = {"client_id": self.settings.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
        return str(add_params_to_uri(endpoint, params))
