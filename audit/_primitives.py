"""Sharp primitives behind the audit API: AES-256-GCM sealing, key wrapping, Ed25519, the chain hash.

Private on purpose (like cryptography's `hazmat`): callers use `audit.AuditVault`, which picks the
key, the associated data and the format for them. Nothing here is hand-made crypto; AESGCM and
Ed25519 come from `cryptography`, SHA-256 from `hashlib`.

Formats (version 1; the version is the first byte of every ciphertext and wrapped key):

* sealed blob  = 0x01 || nonce (12 random bytes) || AES-256-GCM(ciphertext || tag)
* event header = prev_hash (32 raw bytes) 0x1F seq 0x1F time 0x1F actor 0x1F organisation 0x1F
  case_ref 0x1F scope 0x1F type — text fields UTF-8, seq in decimal, time in UTC as
  `YYYY-MM-DD HH:MM:SS.ffffff`, a missing organisation or case as the single byte 0x00. Text fields
  may not contain control characters, so the 0x1F separators (and the fixed-length hash in front)
  make the encoding unambiguous, and a ciphertext can follow without a length prefix.
* entry hash   = SHA-256(header 0x1F ciphertext); the payload is sealed with the header as
  associated data, so the ciphertext's first byte also versions the header encoding.

The time text is exactly how SQLAlchemy stores a DATETIME on SQLite, so `verify` can hash the stored
bytes without parsing a datetime per row (see `_verify.py`); PostgreSQL produces it with `to_char`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from audit.errors import AuditError, DecryptionFailed, KeyMaterialError

FORMAT = 1
FORMAT_BYTE = bytes([FORMAT])
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
GENESIS_HASH = bytes(32)
SEP = b"\x1f"
NONE_FIELD = b"\x00"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
CHECKPOINT_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

# Domain separation: the same case key seals fields and events, so each use has its own prefix.
_EVENT_AAD = b"schutzpfad-audit-event/1" + SEP
_FIELD_AAD = b"schutzpfad-field/1" + SEP
_DEK_AAD = b"schutzpfad-dek/1" + SEP
_CHECKPOINT_MESSAGE = b"schutzpfad-audit-checkpoint/1" + SEP
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# -- AES-256-GCM ---------------------------------------------------------------------------------


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt with a fresh random nonce. Random 96-bit nonces stay safe well past the ~10⁸ sealings
    one key sees here (NIST's bound is 2³² per key)."""
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_BYTE + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


class RandomBytes:
    """Random bytes (nonces, new keys) read from the system's source in blocks: the same randomness
    as one read per value, each byte handed out once, with a fraction of the system calls (in a bulk
    run the reads were a tenth of the time). One per bulk writer: never shared between threads."""

    def __init__(self, block: int = 16384) -> None:
        self._block, self._buffer, self._position = block, b"", 0

    def take(self, count: int) -> bytes:
        if self._position + count > len(self._buffer):
            self._buffer, self._position = os.urandom(max(self._block, count)), 0
        start = self._position
        self._position += count
        return self._buffer[start : start + count]


class Sealer:
    """`seal` under one key, for many values in a row (the AES-GCM object is made once)."""

    def __init__(self, key: bytes, random: RandomBytes) -> None:
        self._aead, self._random = AESGCM(key), random

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = self._random.take(NONCE_BYTES)
        return FORMAT_BYTE + nonce + self._aead.encrypt(nonce, plaintext, aad)


def unseal(key: bytes, blob: bytes, aad: bytes) -> bytes:
    """Decrypt a sealed blob or raise DecryptionFailed — never return data that does not authenticate."""
    if len(blob) < 1 + NONCE_BYTES + TAG_BYTES:
        raise DecryptionFailed("Chiffrat zu kurz oder leer.")
    if blob[0] != FORMAT:
        raise DecryptionFailed(f"Unbekanntes Chiffratformat {blob[0]}.")
    try:
        return AESGCM(key).decrypt(blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :], aad)
    except InvalidTag:
        raise DecryptionFailed(
            "Chiffrat lässt sich nicht entschlüsseln: verändert, in einen anderen Datensatz verschoben "
            "oder falscher Schlüssel."
        ) from None


def keyed_digests(key: bytes, scope: str, values: Sequence[str]) -> list[bytes]:
    """HMAC-SHA-256 of each value under a key derived (HKDF) from the scope's data key: the derived
    key serves the index only, never encryption, and differs per scope (a rotated index key)."""
    return digests_with(index_key(key, scope), values)


def index_key(key: bytes, scope: str) -> bytes:
    """The HMAC key of a blind index scope, derived from its data key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"blind-index:" + scope.encode()).derive(key)


def digests_with(mac_key: bytes, values: Sequence[str]) -> list[bytes]:
    return [hmac.new(mac_key, value.encode("utf-8"), hashlib.sha256).digest() for value in values]


def field_aad(scope: str, record: str) -> bytes:
    """Bind a field ciphertext to its scope and its record ("table/row/field")."""
    return _FIELD_AAD + _text("scope", scope) + SEP + _text("record", record)


def event_aad(header: bytes) -> bytes:
    return _EVENT_AAD + header


def wrap_key(kek: bytes, kek_id: str, dek: bytes) -> bytes:
    """Wrap a data key under a key-encryption key; the KEK id is bound as associated data."""
    return seal(kek, dek, _DEK_AAD + kek_id.encode())


def unwrap_key(kek: bytes, kek_id: str, wrapped: bytes) -> bytes:
    dek = unseal(kek, wrapped, _DEK_AAD + kek_id.encode())
    if len(dek) != KEY_BYTES:
        raise DecryptionFailed("Entpackter Datenschlüssel hat die falsche Länge.")
    return dek


# -- values inside ciphertexts -------------------------------------------------------------------


def encode_json(value: Any) -> bytes:
    """Canonical JSON: sorted keys, no spaces, UTF-8, no NaN — the same value gives the same bytes."""
    try:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    except (TypeError, ValueError) as exc:
        # The message names the offending type only (json's own wording), never a value.
        raise AuditError(f"Inhalt ist nicht als JSON darstellbar: {exc}") from None


FieldValue = bytes | str | dict[str, Any] | list[Any]


def encode_field(value: FieldValue) -> bytes:
    """Tag the type inside the plaintext, so `open_field` returns what `seal_field` was given."""
    if isinstance(value, bytes):
        return b"b" + value
    if isinstance(value, str):
        return b"s" + value.encode()
    if isinstance(value, dict | list):
        return b"j" + encode_json(value)
    raise AuditError(f"Nicht versiegelbarer Typ: {type(value).__name__}")


def decode_field(plaintext: bytes) -> FieldValue:
    tag, body = plaintext[:1], plaintext[1:]
    if tag == b"b":
        return body
    if tag == b"s":
        return body.decode()
    if tag == b"j":
        value = json.loads(body)
        if isinstance(value, dict | list):
            return value
    raise DecryptionFailed("Unbekannter Feldtyp im Chiffrat.")


# -- the chain -----------------------------------------------------------------------------------


def _text(name: str, value: str) -> bytes:
    if not isinstance(value, str) or not value or _CONTROL.search(value):
        raise AuditError(f"{name} muss ein nicht leerer Text ohne Steuerzeichen sein.")
    return value.encode()


def check_text(name: str, value: str | None, *, optional: bool = False, max_length: int) -> None:
    """Refuse values the header encoding cannot carry unambiguously (empty, control characters)."""
    if value is None and optional:
        return
    if value is None or len(_text(name, value)) > max_length:
        raise AuditError(f"{name} fehlt oder ist länger als {max_length} Bytes.")


def utc_naive(moment: datetime) -> datetime:
    """Aware → naive UTC, the storage convention; a naive datetime is refused, not guessed."""
    if moment.tzinfo is None:
        raise AuditError("Zeitpunkt ohne Zeitzone; erwartet wird ein UTC-bezogener datetime.")
    return moment.astimezone(UTC).replace(tzinfo=None)


def header_fields(
    prev_hash: bytes,
    seq: int,
    time: datetime,
    actor: str,
    organisation: str | None,
    case_ref: str | None,
    scope: str,
    type_: str,
) -> list[bytes]:
    """The header's parts in hash order; `time` is naive or aware UTC."""
    naive = time if time.tzinfo is None else utc_naive(time)
    return [
        prev_hash,
        str(seq).encode(),
        naive.strftime(TIME_FORMAT).encode(),
        actor.encode(),
        NONE_FIELD if organisation is None else organisation.encode(),
        NONE_FIELD if case_ref is None else case_ref.encode(),
        scope.encode(),
        type_.encode(),
    ]


def entry_hash(header: bytes, ciphertext: bytes) -> bytes:
    return hashlib.sha256(header + SEP + ciphertext).digest()


# -- Ed25519 checkpoints -------------------------------------------------------------------------


def new_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_key_pem(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError:
        key = None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyMaterialError("Der öffentliche Prüfschlüssel ist kein Ed25519-Schlüssel im PEM-Format.")
    return key


def signing_key_id(public_key: Ed25519PublicKey) -> str:
    """A short, stable name for a signing key: the first 16 hex digits of SHA-256 of its raw bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def checkpoint_message(seq: int, head_hash: bytes, time: datetime) -> bytes:
    """What a checkpoint signs: the head's sequence number and hash, and when (UTC)."""
    naive = time if time.tzinfo is None else utc_naive(time)
    return _CHECKPOINT_MESSAGE + SEP.join(
        [str(seq).encode(), head_hash.hex().encode(), naive.strftime(CHECKPOINT_TIME_FORMAT).encode()]
    )


def signature_valid(public_key: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        return False
    return True
