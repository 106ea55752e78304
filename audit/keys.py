"""Key material outside the database: the key-encryption keys (KEKs) and the checkpoint signing key.

The database holds only wrapped data keys; whoever copies the database file without the instance
folder's `keys/` gets ciphertext. `KeyProvider` is the seam where an HSM or a KMS replaces the files:
it wraps and unwraps data keys and signs checkpoints, and never hands out a KEK or the signing key.

`FileKeyProvider` layout (instance folder):

    keys/                        0700
    keys/current                 id of the KEK that wraps new data keys
    keys/kek-<id>.key            0600, "schutzpfad-kek/1 <64 hex digits>"
    keys/checkpoint-signing.key  0600, Ed25519 private key, PKCS#8 PEM

Old KEKs stay until no data key is wrapped by them any more (rotation re-wraps them one batch at a
time), so an interrupted rotation never strands a data key.
"""

from __future__ import annotations

import os
import re
import secrets
import stat
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import _primitives as p
from audit.errors import DecryptionFailed, KeyMaterialError

_KEK_ID = re.compile(r"[0-9a-f]{16}")
_KEK_PREFIX = b"schutzpfad-kek/1 "
SIGNING_KEY_FILE = "checkpoint-signing.key"


class KeyProvider(Protocol):
    """Everything the audit library needs from key material held outside the database."""

    def current_kek_id(self) -> str:
        """Id of the KEK that wraps new data keys."""
        ...

    def create_kek(self) -> str:
        """Create a new KEK, make it current, return its id (old KEKs stay usable for unwrapping)."""
        ...

    def wrap(self, dek: bytes) -> tuple[str, bytes]:
        """Wrap a data key under the current KEK; returns (kek id, wrapped key)."""
        ...

    def wrap_many(self, deks: Sequence[bytes]) -> list[tuple[str, bytes]]:
        """`wrap` for many data keys at once, all under the KEK current at the call (a bulk writer)."""
        ...

    def unwrap(self, kek_id: str, wrapped: bytes) -> bytes:
        """Unwrap a data key; raises KeyMaterialError if the KEK is missing or does not fit."""
        ...

    def sign_checkpoint(self, message: bytes) -> tuple[str, bytes]:
        """Ed25519-sign a checkpoint message; returns (signing key id, signature)."""
        ...

    def export_public_key(self) -> bytes:
        """The checkpoint verification key as PEM, for auditors."""
        ...


class FileKeyProvider:
    """Keys as files in `<instance>/keys`; refuses to work with missing, unreadable or exposed files.

    Construct it on start-up: every problem surfaces there as one KeyMaterialError line. Use
    `FileKeyProvider.create(instance)` once, when an instance is initialised.
    """

    def __init__(self, instance_folder: Path) -> None:
        self.folder = Path(instance_folder) / "keys"
        self._keks: dict[str, bytes] = {}
        self._pointer: tuple[tuple[int, int, int, int], str] | None = None
        self._lock = threading.Lock()
        _check_folder(self.folder)
        self._signing_key = _load_signing_key(self.folder / SIGNING_KEY_FILE)
        self._kek(self.current_kek_id())

    @classmethod
    def create(cls, instance_folder: Path) -> FileKeyProvider:
        """Create `keys/` with a first KEK and a signing key where missing; existing keys are kept."""
        folder = Path(instance_folder) / "keys"
        folder.parent.mkdir(parents=True, exist_ok=True)
        if not folder.exists():
            folder.mkdir(mode=0o700)
        _check_folder(folder)
        signing = folder / SIGNING_KEY_FILE
        if not signing.exists():
            pem = p.new_signing_key().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            _write_new_secret(signing, pem)
        if not (folder / "current").exists():
            kek_id = _new_kek_file(folder)
            _write_pointer(folder, kek_id)
        return cls(instance_folder)

    # -- KEKs ------------------------------------------------------------------------------------

    def current_kek_id(self) -> str:
        # Checked on every call (another process sharing the folder may have rotated meanwhile), but
        # re-read only when the pointer file was replaced: a rotation wraps every data key anew.
        pointer = self.folder / "current"
        try:
            info = pointer.stat()
            seen = (info.st_ino, info.st_mtime_ns, info.st_size, info.st_mode)
        except OSError:
            seen = None
        with self._lock:
            if seen is not None and self._pointer is not None and self._pointer[0] == seen:
                return self._pointer[1]
        kek_id = _read_secret(pointer).decode("ascii", "replace").strip()
        if not _KEK_ID.fullmatch(kek_id):
            raise KeyMaterialError(f"Schlüsselzeiger {pointer} enthält keine gültige Schlüssel-ID.")
        with self._lock:
            self._pointer = (seen, kek_id) if seen is not None else None
        return kek_id

    def create_kek(self) -> str:
        with self._lock:
            kek_id = _new_kek_file(self.folder)
            _write_pointer(self.folder, kek_id)
            return kek_id

    def wrap(self, dek: bytes) -> tuple[str, bytes]:
        kek_id = self.current_kek_id()
        return kek_id, p.wrap_key(self._kek(kek_id), kek_id, dek)

    def wrap_many(self, deks: Sequence[bytes]) -> list[tuple[str, bytes]]:
        kek_id = self.current_kek_id()  # one look at the pointer file, not one per key
        kek = self._kek(kek_id)
        return [(kek_id, p.wrap_key(kek, kek_id, dek)) for dek in deks]

    def unwrap(self, kek_id: str, wrapped: bytes) -> bytes:
        try:
            return p.unwrap_key(self._kek(kek_id), kek_id, wrapped)
        except DecryptionFailed:
            raise KeyMaterialError(
                f"Schlüsseldatei {self._path(kek_id)} passt nicht zu den Datenschlüsseln der Datenbank "
                "(falsche oder ersetzte Schlüsseldatei, oder veränderter Datenschlüssel)."
            ) from None

    def _path(self, kek_id: str) -> Path:
        if not isinstance(kek_id, str) or not _KEK_ID.fullmatch(kek_id):
            # The id comes from the database: never let it name an arbitrary path.
            raise KeyMaterialError("Ungültige Schlüssel-ID in der Datenbank.")
        return self.folder / f"kek-{kek_id}.key"

    def _kek(self, kek_id: str) -> bytes:
        path = self._path(kek_id)
        with self._lock:
            kek = self._keks.get(kek_id)
            if kek is None:
                kek = _parse_kek(path, _read_secret(path))
                self._keks[kek_id] = kek
            return kek

    # -- checkpoint signing ----------------------------------------------------------------------

    def sign_checkpoint(self, message: bytes) -> tuple[str, bytes]:
        return p.signing_key_id(self._signing_key.public_key()), self._signing_key.sign(message)

    def export_public_key(self) -> bytes:
        return p.public_key_pem(self._signing_key.public_key())


def copy_key_material(source: Path, target: Path) -> int:
    """Copy the key files of one `keys/` folder into another (a backup's separate key folder, or back
    into an instance); returns how many were written. `target` is created 0700, files are 0600.

    A key file already in `target` is kept if equal and refused if different (a key is never
    overwritten); the pointer `current` is copied only where none exists, since an instance may
    have rotated to a newer KEK after the backup (it keeps the older KEKs the backup needs)."""
    _check_folder(source)
    if not target.exists():
        target.mkdir(mode=0o700, parents=True)
    _check_folder(target)
    names = sorted(
        path.name
        for path in source.iterdir()
        if path.name in ("current", SIGNING_KEY_FILE) or (path.name.startswith("kek-") and path.name.endswith(".key"))
    )
    if "current" not in names or SIGNING_KEY_FILE not in names:
        raise KeyMaterialError(f"{source} enthält keine vollständigen Schlüssel (current, {SIGNING_KEY_FILE}).")
    written = 0
    for name in names:
        data = _read_secret(source / name)
        existing = target / name
        if existing.exists():
            if name != "current" and _read_secret(existing) != data:
                raise KeyMaterialError(
                    f"Schlüsseldatei {existing} unterscheidet sich von {source / name}: "
                    "kein Schlüssel wird überschrieben."
                )
            continue
        _write_new_secret(existing, data)
        written += 1
    return written


def _check_folder(folder: Path) -> None:
    try:
        mode = folder.stat().st_mode
    except FileNotFoundError:
        raise KeyMaterialError(f"Schlüsselordner fehlt: {folder}") from None
    except OSError as exc:
        raise KeyMaterialError(f"Schlüsselordner nicht lesbar: {folder} ({exc.strerror})") from None
    if not folder.is_dir():
        raise KeyMaterialError(f"{folder} ist kein Ordner.")
    if mode & 0o077:
        raise KeyMaterialError(
            f"Schlüsselordner {folder} ist für Gruppe oder andere zugänglich ({oct(mode & 0o777)}); "
            f"erlaubt ist 0700: chmod 700 {folder}"
        )


def _read_secret(path: Path) -> bytes:
    """Read a key file, refusing one that group or others could read (like ssh does)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        raise KeyMaterialError(f"Schlüsseldatei fehlt: {path}") from None
    except OSError as exc:
        raise KeyMaterialError(f"Schlüsseldatei nicht lesbar: {path} ({exc.strerror})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise KeyMaterialError(f"Schlüsseldatei nicht lesbar: {path} (keine Datei)")
        if mode & 0o077:
            raise KeyMaterialError(
                f"Schlüsseldatei {path} ist für Gruppe oder andere lesbar ({oct(mode & 0o777)}); "
                f"erlaubt ist 0600: chmod 600 {path}"
            )
        chunks = []
        while chunk := os.read(fd, 4096):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise KeyMaterialError(f"Schlüsseldatei nicht lesbar: {path} ({exc.strerror})") from None
    finally:
        os.close(fd)


def _parse_kek(path: Path, data: bytes) -> bytes:
    text = data.strip()
    if text.startswith(_KEK_PREFIX):
        try:
            kek = bytes.fromhex(text[len(_KEK_PREFIX) :].decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            kek = b""
        if len(kek) == p.KEY_BYTES:
            return kek
    raise KeyMaterialError(f"Schlüsseldatei {path} hat kein gültiges Format.")


def _load_signing_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(_read_secret(path), password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyMaterialError(f"Signaturschlüssel {path} ist kein Ed25519-Schlüssel im PEM-Format.")
    return key


def _new_kek_file(folder: Path) -> str:
    kek_id = secrets.token_hex(8)
    _write_new_secret(folder / f"kek-{kek_id}.key", _KEK_PREFIX + p.new_key().hex().encode() + b"\n")
    return kek_id


def _write_new_secret(path: Path, data: bytes) -> None:
    """Create a 0600 file that must not exist yet (O_EXCL: never overwrite a key), durably."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    _fsync_folder(path.parent)


def _write_pointer(folder: Path, kek_id: str) -> None:
    """Switch `current` atomically: a crash leaves either the old or the new pointer, never half."""
    temporary = folder / f"current.{secrets.token_hex(4)}.tmp"
    _write_new_secret(temporary, kek_id.encode() + b"\n")
    os.replace(temporary, folder / "current")
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
