"""Process bundles (docs/bundles.md): one folder per process key and version, read into memory.

A bundle is deployed as its bytes, so everything the engine needs later — the hash, the manifest, the
BPMN/DMN sources, the forms — comes from one `files` mapping and never from the disk again. The hash is
defined over paths and contents only (not timestamps or file order), so the same folder on two machines
deploys as the same version, and changing a single byte makes it a different one. Whether a bundle is
*valid* is `engine.validation`'s job; this module only checks what it needs to name the bundle.
"""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from engine.errors import DefinitionInvalid

MANIFEST = "manifest.json"

#: Folders below the bundle root that are never part of a bundle (editor and interpreter droppings).
_SKIPPED_DIRS = frozenset({"__pycache__"})

#: Limits of an uploaded ZIP (`bundle_from_zip`): entries, bytes per file and unpacked in total.
MAX_ENTRIES = 500
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TOTAL_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Bundle:
    """One process version: its identity, parsed manifest and every file's bytes (read-only views).

    Equality and hashing use key, version, title and sha256 — the hash already covers every byte.
    """

    key: str
    version: int
    title: str
    manifest: Mapping[str, Any] = field(compare=False, hash=False)
    files: Mapping[str, bytes] = field(compare=False, hash=False)
    sha256: str

    def bpmn_sources(self) -> dict[str, bytes]:
        """The BPMN files the manifest lists, in its order (missing ones are left out)."""
        return self._listed("bpmn")

    def dmn_sources(self) -> dict[str, bytes]:
        """The DMN files the manifest lists, in its order."""
        return self._listed("dmn")

    def form_raw(self, path: str) -> object:
        """The parsed JSON of a form definition, unchecked (see `engine.forms.check_definition`)."""
        if path not in self.files:
            raise DefinitionInvalid([f"{path}: no such file in bundle {self.key} version {self.version}"])
        raw, problem = parse_json(path, self.files[path])
        if problem is not None:
            raise DefinitionInvalid([problem])
        return raw

    def _listed(self, manifest_key: str) -> dict[str, bytes]:
        listed = self.manifest.get(manifest_key)
        if not isinstance(listed, list):
            return {}
        return {p: self.files[p] for p in listed if isinstance(p, str) and p in self.files}


#: How deep the JSON files of a bundle may nest (a form's list field inside a list is 6 levels).
MAX_JSON_DEPTH = 32


def parse_json(path: str, content: bytes) -> tuple[object, str | None]:
    """A bundle's JSON file parsed, or None and the reason (never an exception: a manifest of
    100,000 `[` would otherwise end in a RecursionError, and a shallower one that still nests
    deeper than any bundle needs would reach later checks that recurse over it)."""
    try:
        value = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"{path}: not valid UTF-8 JSON: {exc}"
    except RecursionError:
        return None, f"{path}: JSON ist tiefer als {MAX_JSON_DEPTH} Ebenen verschachtelt."
    if _depth_exceeds(value, MAX_JSON_DEPTH):
        return None, f"{path}: JSON ist tiefer als {MAX_JSON_DEPTH} Ebenen verschachtelt."
    return value, None


def _depth_exceeds(value: object, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def bundle_sha256(files: Mapping[str, bytes]) -> str:
    """SHA-256 as bundles.md defines it: per file in path order, path NUL length NUL content.

    The length prefix makes the encoding unambiguous (no two different bundles share a byte stream).
    """
    digest = hashlib.sha256()
    for path in sorted(files):  # code-point order, which is also UTF-8 byte order
        content = files[path]
        digest.update(path.encode("utf-8"))
        digest.update(b"\0")
        digest.update(str(len(content)).encode("ascii"))
        digest.update(b"\0")
        digest.update(content)
    return digest.hexdigest()


def bundle_from_files(files: Mapping[str, bytes]) -> Bundle:
    """Build a Bundle from relative POSIX paths → bytes; the manifest must at least name the bundle."""
    raw = files.get(MANIFEST)
    if raw is None:
        raise DefinitionInvalid([f"{MANIFEST}: missing (every bundle has one at its top level)"])
    manifest, problem = parse_json(MANIFEST, raw)
    if problem is not None:
        raise DefinitionInvalid([problem])
    if not isinstance(manifest, dict):
        raise DefinitionInvalid([f"{MANIFEST}: must be a JSON object, not {type(manifest).__name__}"])
    problems = []
    key, version, title = manifest.get("key"), manifest.get("version"), manifest.get("title")
    if not isinstance(key, str) or not key:
        problems.append(f"{MANIFEST}: 'key' must be a non-empty string")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems.append(f"{MANIFEST}: 'version' must be an integer >= 1")
    if not isinstance(title, str) or not title.strip():
        problems.append(f"{MANIFEST}: 'title' must be a non-empty string")
    if problems or not isinstance(key, str) or not isinstance(version, int) or not isinstance(title, str):
        raise DefinitionInvalid(problems)
    frozen_files = MappingProxyType(dict(files))
    return Bundle(
        key=key,
        version=version,
        title=title,
        manifest=MappingProxyType(manifest),
        files=frozen_files,
        sha256=bundle_sha256(frozen_files),
    )


def load_bundle_dir(path: Path) -> Bundle:
    """Read every regular file below `path` (not hidden files or __pycache__) into a Bundle.

    Anything else in the folder is refused, not skipped (DefinitionInvalid naming every such entry),
    as the ZIP upload refuses links: a symlink (`forms/x.json -> /etc/passwd` would deploy a file from
    outside the bundle, and the hash would describe what the link points at today), a FIFO (reading it
    blocks), a device or a socket. Files are opened without following links and checked again on the
    open handle, so a file swapped for a link between listing and reading is refused too. The ZIP
    limits (entries, bytes per file and in total) apply to a folder the same way.
    """
    path = Path(path)
    if not path.is_dir():
        raise DefinitionInvalid([f"{path}: not a folder (a bundle is a folder bpmn/<key>/<version>/)"])
    files: dict[str, bytes] = {}
    problems: list[str] = []
    total = 0
    for dirpath, dirnames, filenames in os.walk(path):
        here = Path(dirpath)
        for name in sorted(dirnames):
            if not name.startswith(".") and name not in _SKIPPED_DIRS and (here / name).is_symlink():
                problems.append(f"{(here / name).relative_to(path).as_posix()}: {_LINK_REFUSED}")
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and d not in _SKIPPED_DIRS and not (here / d).is_symlink()
        )
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            relative = (here / name).relative_to(path).as_posix()
            if len(files) + len(problems) >= MAX_ENTRIES:
                raise DefinitionInvalid([f"Der Ordner enthält mehr als {MAX_ENTRIES} Dateien."])
            content, problem = _read_regular_file(here / name, relative)
            if problem is not None:
                problems.append(problem)
                continue
            assert content is not None
            total += len(content)
            if total > MAX_TOTAL_BYTES:
                raise DefinitionInvalid([f"Der Ordner ist größer als {MAX_TOTAL_BYTES // 2**20} MiB."])
            files[relative] = content
    if problems:
        raise DefinitionInvalid(problems)
    return bundle_from_files(files)


_LINK_REFUSED = "symbolische Links sind nicht erlaubt."


def _read_regular_file(full: Path, relative: str) -> tuple[bytes | None, str | None]:
    """The bytes of a regular file of at most MAX_FILE_BYTES, or the German reason it is refused."""
    try:
        mode = full.lstat().st_mode
        if stat.S_ISLNK(mode):
            return None, f"{relative}: {_LINK_REFUSED}"
        if not stat.S_ISREG(mode):
            return None, f"{relative}: ist keine gewöhnliche Datei (FIFO, Gerät oder Socket) und nicht erlaubt."
        # O_NONBLOCK: should a FIFO appear here after the lstat, opening it must not wait for a writer.
        handle = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        reason = _LINK_REFUSED if exc.errno == errno.ELOOP else f"lässt sich nicht lesen ({exc.strerror})."
        return None, f"{relative}: {reason}"
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            return None, f"{relative}: ist keine gewöhnliche Datei (FIFO, Gerät oder Socket) und nicht erlaubt."
        try:
            content = stream.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            return None, f"{relative}: lässt sich nicht lesen ({exc.strerror})."
    if len(content) > MAX_FILE_BYTES:
        return None, f"{relative}: größer als {MAX_FILE_BYTES // 2**20} MiB."
    return content, None


def discover_bundles(root: Path) -> list[Path]:
    """Every `<root>/<key>/<version>/` folder with a manifest.json, sorted by key, then numeric version.

    Only all-digit version folders count; other folders (like `<root>/directory`) are not bundles.
    """
    root = Path(root)
    if not root.is_dir():
        return []
    found: list[tuple[str, int, Path]] = []
    for key_dir in root.iterdir():
        if not key_dir.is_dir() or key_dir.name.startswith(".") or key_dir.name == "directory":
            continue
        for version_dir in key_dir.iterdir():
            name = version_dir.name
            if name.isascii() and name.isdigit() and (version_dir / MANIFEST).is_file():
                found.append((key_dir.name, int(name), version_dir))
    return [p for _, _, p in sorted(found, key=lambda t: (t[0], t[1]))]


def bundle_from_zip(data: bytes) -> Bundle:
    """A bundle folder packed as a ZIP (an administrator's upload), read in memory with limits.

    Refused with every problem (DefinitionInvalid, German: the administrator reads them): not a ZIP,
    absolute paths or `..` (zip-slip), links, encrypted entries, too many entries, files or the whole
    too large. A single top-level folder is stripped and hidden files, `__pycache__` and `__MACOSX` are
    skipped like `load_bundle_dir` does, so the same folder gives the same sha256 either way.
    """
    return bundle_from_files(_files_from_zip(data))


def _skipped(parts: list[str]) -> bool:
    """What a folder deploy leaves out too: hidden files and folders, __pycache__ (and macOS's __MACOSX)."""
    return (
        parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts) or any(p in _SKIPPED_DIRS for p in parts[:-1])
    )


def _unsafe(name: str, parts: list[str]) -> bool:
    return (
        "\\" in name
        or name.startswith("/")
        or bool(re.match(r"^[A-Za-z]:", name))
        or any(p in ("", ".", "..") for p in parts)
    )


def _files_from_zip(data: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        raise DefinitionInvalid(["Die Datei ist kein gültiges ZIP-Archiv."]) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise DefinitionInvalid([f"Das Archiv enthält mehr als {MAX_ENTRIES} Einträge."])
        problems: list[str] = []
        entries: list[tuple[list[str], zipfile.ZipInfo]] = []
        for info in infos:
            name = info.filename
            if info.is_dir():
                continue
            parts = name.split("/")
            if _unsafe(name, parts):
                problems.append(f"{name}: unzulässiger Pfad (absolut oder mit ..).")
            elif stat.S_ISLNK(info.external_attr >> 16):
                problems.append(f"{name}: symbolische Links sind nicht erlaubt.")
            elif info.flag_bits & 0x1:
                problems.append(f"{name}: verschlüsselte Einträge sind nicht erlaubt.")
            elif not _skipped(parts):
                entries.append((parts, info))
        if problems:
            raise DefinitionInvalid(problems)
        # A ZIP of the folder itself (`1/manifest.json` …): strip that single top-level folder.
        if entries and all(len(p) > 1 for p, _info in entries) and len({p[0] for p, _info in entries}) == 1:
            entries = [(p[1:], info) for p, info in entries]
        files: dict[str, bytes] = {}
        total = 0
        for parts, info in entries:
            path = "/".join(parts)
            if path in files:
                problems.append(f"{path}: kommt mehrfach vor.")
                continue
            try:
                with archive.open(info) as handle:
                    content = handle.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError):
                problems.append(f"{path}: lässt sich nicht entpacken.")
                continue
            if len(content) > MAX_FILE_BYTES:
                problems.append(f"{path}: größer als {MAX_FILE_BYTES // 2**20} MiB.")
                continue
            total += len(content)
            if total > MAX_TOTAL_BYTES:
                raise DefinitionInvalid([f"Entpackt größer als {MAX_TOTAL_BYTES // 2**20} MiB."])
            files[path] = content
        if problems:
            raise DefinitionInvalid(problems)
        if not files:
            raise DefinitionInvalid(["Das Archiv ist leer."])
        return files
