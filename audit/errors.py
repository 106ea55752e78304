"""The audit library's exceptions: one clear exception per failed check, never a False return.

Messages are German like the CLI that prints them, and never carry payload content or a decrypted
field: only sequence numbers, scopes (case references), key ids and file paths.
"""

from __future__ import annotations


class AuditError(Exception):
    """Base class of everything the audit library raises on purpose."""


class KeyMaterialError(AuditError):
    """A key-encryption or signing key is missing, unreadable, too widely readable or wrong.

    `serve` turns this into its one-line refusal to start, so the message names the file and the fix.
    """


class DecryptionFailed(AuditError):
    """A ciphertext does not open: altered, moved to another record, unknown format, or wrong key.

    Raised instead of returning anything, so a blob copied into another row can never yield data.
    """


class Shredded(AuditError):
    """The scope's data key was destroyed (end of retention): its content is gone for good."""

    def __init__(self, scope: str) -> None:
        super().__init__(f"Der Datenschlüssel von {scope} wurde vernichtet; der Inhalt ist nicht mehr lesbar.")
        self.scope = scope


class ChainBroken(AuditError):
    """The hash chain or its signed checkpoints do not verify; `seq` is the first bad sequence number."""

    def __init__(self, seq: int | None, reason: str) -> None:
        super().__init__(reason)
        self.seq = seq
        self.reason = reason
