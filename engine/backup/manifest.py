"""The manifest of a backup folder: what it holds, from which database, with checksums.

The checksums let a restore refuse a damaged or altered copy before it touches the database."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from engine.errors import OperationFailed

FORMAT = "schutzpfad-backup/1"
NAME = "manifest.json"


@dataclass(frozen=True)
class Manifest:
    created_at: datetime
    dialect: str  # "sqlite" or "postgresql"
    database_file: str
    schema_revision: str | None
    #: The audit chain's head in the copy (the restored trail continues from there).
    head_seq: int
    checksums: dict[str, str]

    def write(self, folder: Path) -> None:
        data = {
            "format": FORMAT,
            "created_at": self.created_at.isoformat(),
            "dialect": self.dialect,
            "database_file": self.database_file,
            "schema_revision": self.schema_revision,
            "head_seq": self.head_seq,
            "checksums": self.checksums,
        }
        (folder / NAME).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def read(folder: Path) -> Manifest:
    """The folder's manifest, every listed file checked against its checksum."""
    path = folder / NAME
    if not path.is_file():
        raise OperationFailed(f"{folder} ist kein Sicherungsordner von Schutzpfad ({NAME} fehlt).")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise OperationFailed(f"{path}: unbekanntes Sicherungsformat {data.get('format')!r}.")
        manifest = Manifest(
            created_at=datetime.fromisoformat(data["created_at"]),
            dialect=str(data["dialect"]),
            database_file=str(data["database_file"]),
            schema_revision=data.get("schema_revision"),
            head_seq=int(data["head_seq"]),
            checksums={str(name): str(digest) for name, digest in data["checksums"].items()},
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        raise OperationFailed(f"{path} ist beschädigt (kein gültiges Manifest).") from None
    for name, digest in manifest.checksums.items():
        file = folder / name
        if Path(name).name != name or not file.is_file():
            raise OperationFailed(f"Die Sicherung ist unvollständig: {name} fehlt in {folder}.")
        if checksum(file) != digest:
            raise OperationFailed(f"Die Sicherung ist beschädigt: {name} passt nicht zu seiner Prüfsumme.")
    if manifest.database_file not in manifest.checksums:
        raise OperationFailed(f"{path} nennt keine Datenbankdatei.")
    return manifest


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"
