"""Bundles: the hash of docs/bundles.md, reading a folder, finding the bundles below bpmn/."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from engine.errors import DefinitionInvalid
from engine.processes import bundles
from engine.processes.bundles import (
    Bundle,
    bundle_from_files,
    bundle_from_zip,
    bundle_sha256,
    discover_bundles,
    load_bundle_dir,
)

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "bundles"
MINIMAL = VECTORS / "valid" / "minimal" / "1"

MANIFEST = {"format": 1, "key": "demo", "version": 3, "title": "Demo", "bpmn": ["demo.bpmn"], "dmn": ["d.dmn"]}


def _files(**overrides: bytes) -> dict[str, bytes]:
    files = {
        "manifest.json": json.dumps(MANIFEST).encode(),
        "demo.bpmn": b"<bpmn/>",
        "d.dmn": b"<dmn/>",
        "forms/a.json": b'{"task": "a"}',
    }
    files.update(overrides)
    return files


# --- hash --------------------------------------------------------------------------------------


def test_sha256_follows_the_documented_encoding() -> None:
    files = {"b.txt": b"xy", "a/ü.json": b"{}"}
    expected = hashlib.sha256(
        "a/ü.json".encode() + b"\0" + b"2" + b"\0" + b"{}" + b"b.txt" + b"\0" + b"2" + b"\0" + b"xy"
    ).hexdigest()
    assert bundle_sha256(files) == expected


def test_sha256_of_nothing_is_the_empty_digest() -> None:
    assert bundle_sha256({}) == hashlib.sha256(b"").hexdigest()


def test_sha256_is_stable_and_independent_of_insertion_order() -> None:
    files = _files()
    reordered = dict(reversed(list(files.items())))
    assert list(reordered) != list(files)
    assert bundle_sha256(files) == bundle_sha256(reordered) == bundle_sha256(dict(files))


@pytest.mark.parametrize("change", ["content byte", "path", "extra file", "missing file"])
def test_sha256_changes_with_any_change(change: str) -> None:
    files = _files()
    other = dict(files)
    if change == "content byte":
        other["demo.bpmn"] = b"<bpmN/>"
    elif change == "path":
        other["demo2.bpmn"] = other.pop("demo.bpmn")
    elif change == "extra file":
        other["forms/b.json"] = b""
    else:
        del other["d.dmn"]
    assert bundle_sha256(other) != bundle_sha256(files)


def test_sha256_length_prefix_makes_the_encoding_unambiguous() -> None:
    assert bundle_sha256({"ab": b""}) != bundle_sha256({"a": b"b"})
    assert bundle_sha256({"a": b"1\x00b\x000\x00"}) != bundle_sha256({"a": b"1", "b": b""})


# --- bundle_from_files -------------------------------------------------------------------------


def test_bundle_from_files_reads_the_manifest_and_hashes() -> None:
    files = _files()
    bundle = bundle_from_files(files)
    assert (bundle.key, bundle.version, bundle.title) == ("demo", 3, "Demo")
    assert bundle.manifest["bpmn"] == ["demo.bpmn"]
    assert bundle.sha256 == bundle_sha256(files)
    assert bundle.bpmn_sources() == {"demo.bpmn": b"<bpmn/>"}
    assert bundle.dmn_sources() == {"d.dmn": b"<dmn/>"}
    assert bundle.form_raw("forms/a.json") == {"task": "a"}


def test_bundle_is_read_only_and_compares_by_identity_and_hash() -> None:
    files = _files()
    bundle = bundle_from_files(files)
    files["demo.bpmn"] = b"changed later"  # the bundle took a copy
    assert bundle.files["demo.bpmn"] == b"<bpmn/>"
    with pytest.raises(TypeError):
        bundle.files["x"] = b""  # type: ignore[index]
    with pytest.raises(TypeError):
        bundle.manifest["key"] = "other"  # type: ignore[index]
    assert bundle == bundle_from_files(_files())
    assert hash(bundle) == hash(bundle_from_files(_files()))
    assert bundle != bundle_from_files(_files(**{"demo.bpmn": b"<other/>"}))


def test_sources_leave_out_listed_files_that_are_missing() -> None:
    manifest = dict(MANIFEST, bpmn=["demo.bpmn", "gone.bpmn"], dmn="not a list")
    bundle = bundle_from_files(_files(**{"manifest.json": json.dumps(manifest).encode()}))
    assert bundle.bpmn_sources() == {"demo.bpmn": b"<bpmn/>"}
    assert bundle.dmn_sources() == {}


def test_form_raw_of_a_missing_or_broken_file_is_definition_invalid() -> None:
    bundle = bundle_from_files(_files(**{"forms/b.json": b"{nope"}))
    with pytest.raises(DefinitionInvalid) as missing:
        bundle.form_raw("forms/zzz.json")
    assert "forms/zzz.json: no such file" in missing.value.problems[0]
    with pytest.raises(DefinitionInvalid) as broken:
        bundle.form_raw("forms/b.json")
    assert "forms/b.json: not valid UTF-8 JSON" in broken.value.problems[0]


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        (None, ["manifest.json: missing"]),
        (b"{not json", ["manifest.json: not valid UTF-8 JSON"]),
        (b"\xff\xfe", ["manifest.json: not valid UTF-8 JSON"]),
        (b"[1, 2]", ["manifest.json: must be a JSON object, not list"]),
        (b"{}", ["'key' must be", "'version' must be", "'title' must be"]),
        (json.dumps(dict(MANIFEST, version=0)).encode(), ["'version' must be an integer >= 1"]),
        (json.dumps(dict(MANIFEST, version=True)).encode(), ["'version' must be an integer >= 1"]),
        (json.dumps(dict(MANIFEST, version="1")).encode(), ["'version' must be an integer >= 1"]),
        (json.dumps(dict(MANIFEST, key="")).encode(), ["'key' must be a non-empty string"]),
        (json.dumps(dict(MANIFEST, title="  ")).encode(), ["'title' must be a non-empty string"]),
    ],
)
def test_bundle_from_files_refuses_a_bundle_it_cannot_name(manifest: bytes | None, expected: list[str]) -> None:
    files = _files()
    if manifest is None:
        del files["manifest.json"]
    else:
        files["manifest.json"] = manifest
    with pytest.raises(DefinitionInvalid) as caught:
        bundle_from_files(files)
    assert len(caught.value.problems) == len(expected)
    for problem, fragment in zip(caught.value.problems, expected, strict=True):
        assert fragment in problem
        assert problem.startswith("manifest.json: ")


# --- load_bundle_dir ---------------------------------------------------------------------------


def test_load_bundle_dir_reads_the_minimal_vector() -> None:
    bundle = load_bundle_dir(MINIMAL)
    assert isinstance(bundle, Bundle)
    assert (bundle.key, bundle.version) == ("minimal", 1)
    assert sorted(bundle.files) == ["forms/erfassen.json", "manifest.json", "minimal.bpmn"]
    assert bundle.files["minimal.bpmn"] == (MINIMAL / "minimal.bpmn").read_bytes()
    assert bundle.sha256 == bundle_sha256(bundle.files)


def test_load_bundle_dir_skips_hidden_files_and_pycache(tmp_path: Path) -> None:
    folder = tmp_path / "minimal" / "1"
    shutil.copytree(MINIMAL, folder)
    plain = load_bundle_dir(folder)
    (folder / ".DS_Store").write_bytes(b"junk")
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_bytes(b"ref")
    (folder / "forms" / "__pycache__").mkdir()
    (folder / "forms" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    again = load_bundle_dir(folder)
    assert sorted(again.files) == sorted(plain.files)
    assert again.sha256 == plain.sha256


def test_load_bundle_dir_refuses_links_fifos_and_linked_folders_naming_each(tmp_path: Path) -> None:
    """Issue 13, finding 7: `forms/evil.json -> /etc/passwd` in a folder validated as gültig."""
    folder = tmp_path / "minimal" / "1"
    shutil.copytree(MINIMAL, folder)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_bytes(b"{}")
    os.symlink(outside / "secret.json", folder / "forms" / "evil.json")
    os.symlink(outside, folder / "linked")
    os.mkfifo(folder / "forms" / "pipe.json")
    with pytest.raises(DefinitionInvalid) as caught:
        load_bundle_dir(folder)
    assert sorted(caught.value.problems) == [
        "forms/evil.json: symbolische Links sind nicht erlaubt.",
        "forms/pipe.json: ist keine gewöhnliche Datei (FIFO, Gerät oder Socket) und nicht erlaubt.",
        "linked: symbolische Links sind nicht erlaubt.",
    ]


def test_load_bundle_dir_applies_the_zip_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "b"
    shutil.copytree(MINIMAL, folder)
    monkeypatch.setattr(bundles, "MAX_FILE_BYTES", 100)
    with pytest.raises(DefinitionInvalid) as caught:
        load_bundle_dir(folder)
    assert "minimal.bpmn: größer als 0 MiB." in caught.value.problems


@pytest.mark.parametrize("depth", [33, 100_000])
def test_a_deeply_nested_manifest_or_form_is_refused_without_a_recursion_error(tmp_path: Path, depth: int) -> None:
    """Issue 13, finding 7: a manifest of 100,000 `[` ended in a Python traceback."""
    nested = b"[" * depth + b"]" * depth
    with pytest.raises(DefinitionInvalid) as caught:
        bundle_from_files({"manifest.json": nested})
    assert caught.value.problems == ["manifest.json: JSON ist tiefer als 32 Ebenen verschachtelt."]
    bundle = bundle_from_files(_files(**{"forms/a.json": nested}))
    with pytest.raises(DefinitionInvalid) as caught:
        bundle.form_raw("forms/a.json")
    assert caught.value.problems == ["forms/a.json: JSON ist tiefer als 32 Ebenen verschachtelt."]


def test_load_bundle_dir_sees_a_new_file_in_a_subfolder(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    shutil.copytree(MINIMAL, folder)
    (folder / "forms" / "extra.json").write_bytes(b"{}")
    bundle = load_bundle_dir(folder)
    assert "forms/extra.json" in bundle.files
    assert bundle.sha256 != load_bundle_dir(MINIMAL).sha256


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_load_bundle_dir_of_something_that_is_no_folder(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "nope"
    if kind == "file":
        path.write_bytes(b"x")
    with pytest.raises(DefinitionInvalid) as caught:
        load_bundle_dir(path)
    assert caught.value.problems == [f"{path}: not a folder (a bundle is a folder bpmn/<key>/<version>/)"]


def test_load_bundle_dir_without_manifest() -> None:
    with pytest.raises(DefinitionInvalid) as caught:
        load_bundle_dir(VECTORS / "broken" / "no_manifest" / "1")
    assert caught.value.problems == ["manifest.json: missing (every bundle has one at its top level)"]


# --- discover_bundles --------------------------------------------------------------------------


def test_discover_bundles_sorts_by_key_then_numeric_version(tmp_path: Path) -> None:
    for key, version in [("beta", "10"), ("beta", "2"), ("alpha", "1"), ("beta", "1")]:
        (tmp_path / key / version).mkdir(parents=True)
        (tmp_path / key / version / "manifest.json").write_text("{}")
    (tmp_path / "directory").mkdir()
    (tmp_path / "directory" / "jugendaemter.json").write_text("{}")
    (tmp_path / "gamma" / "1").mkdir(parents=True)  # no manifest: not a bundle
    (tmp_path / "delta" / "v1").mkdir(parents=True)  # not a version number
    (tmp_path / "delta" / "v1" / "manifest.json").write_text("{}")
    (tmp_path / ".hidden" / "1").mkdir(parents=True)
    (tmp_path / ".hidden" / "1" / "manifest.json").write_text("{}")
    (tmp_path / "README.md").write_text("")
    found = discover_bundles(tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["alpha/1", "beta/1", "beta/2", "beta/10"]


def test_discover_bundles_of_a_missing_root_is_empty(tmp_path: Path) -> None:
    assert discover_bundles(tmp_path / "nothing") == []


def test_discover_bundles_finds_the_vectors() -> None:
    found = discover_bundles(VECTORS / "valid")
    assert [p.parent.name for p in found] == ["features", "minimal"]


# ---- an uploaded ZIP (the Verwaltung's upload) ------------------------------------------------------


def _zip(entries: dict[str, bytes | str], **info: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            entry = zipfile.ZipInfo(name)
            for key, value in info.items():
                setattr(entry, key, value)
            archive.writestr(entry, content)
    return buffer.getvalue()


def _refusal(data: bytes) -> list[str]:
    with pytest.raises(DefinitionInvalid) as refused:
        bundle_from_zip(data)
    return refused.value.problems


def test_a_zip_of_the_folder_is_the_same_bundle_as_the_folder():
    folder = load_bundle_dir(MINIMAL)
    files = {f"1/{path}": content for path, content in folder.files.items()}
    extras = {"1/.DS_Store": b"x", "__MACOSX/1/._manifest.json": b"x", "1/__pycache__/a.pyc": b"x"}
    assert bundle_from_zip(_zip({**files, **extras})).sha256 == folder.sha256
    assert bundle_from_zip(_zip(dict(folder.files))).sha256 == folder.sha256  # without the top folder too


def test_a_zip_that_escapes_its_folder_is_refused_naming_every_entry():
    problems = _refusal(_zip({"../manifest.json": "{}", "/etc/passwd": "x", "a\\b": "x", "C:/x": "x", "ok.txt": "x"}))
    assert problems == [
        f"{name}: unzulässiger Pfad (absolut oder mit ..)."
        for name in ("../manifest.json", "/etc/passwd", "a\\b", "C:/x")
    ]


def test_links_and_encrypted_entries_are_refused():
    link = _zip({"manifest.json": "x"}, external_attr=(stat.S_IFLNK | 0o777) << 16)
    assert _refusal(link) == ["manifest.json: symbolische Links sind nicht erlaubt."]
    data = bytearray(_zip({"manifest.json": "x"}))
    central = data.index(b"PK\x01\x02")  # the central directory entry: set its "encrypted" flag bit
    data[central + 8] |= 0x1
    encrypted = bytes(data)
    assert _refusal(encrypted) == ["manifest.json: verschlüsselte Einträge sind nicht erlaubt."]


def test_zip_limits_not_a_zip_and_an_empty_archive(monkeypatch):
    assert _refusal(b"not a zip") == ["Die Datei ist kein gültiges ZIP-Archiv."]
    assert _refusal(_zip({".hidden": "x"})) == ["Das Archiv ist leer."]
    monkeypatch.setattr(bundles, "MAX_ENTRIES", 2)
    assert _refusal(_zip({"a": "x", "b": "x", "c": "x"})) == ["Das Archiv enthält mehr als 2 Einträge."]
    monkeypatch.setattr(bundles, "MAX_FILE_BYTES", 4)
    assert _refusal(_zip({"a": "12345"})) == ["a: größer als 0 MiB."]
    monkeypatch.setattr(bundles, "MAX_FILE_BYTES", 10)
    monkeypatch.setattr(bundles, "MAX_TOTAL_BYTES", 8)
    assert _refusal(_zip({"a": "12345", "b": "12345"})) == ["Entpackt größer als 0 MiB."]


def test_a_zip_without_manifest_is_refused_like_a_folder():
    assert _refusal(_zip({"liesmich.txt": "kein Manifest"})) == [
        "manifest.json: missing (every bundle has one at its top level)"
    ]
