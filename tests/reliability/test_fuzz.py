"""Property-based fuzz (Hypothesis) of the two places where outside bytes meet the engine's rules:
bundle import (an administrator's ZIP upload and a bundle folder) and form submission (a step's
values over the API).

Inputs start from what is real — the shipped traeger_8a bundle, a valid observation — and are bent:
files dropped, renamed (`..`, absolute, backslashes, odd Unicode), replaced by random bytes or random
JSON, links in folders; form fields replaced by arbitrary JSON (deep, huge numbers, lone surrogates
as JSON escapes), unknown fields added. The properties:
- import: a Bundle or `DefinitionInvalid`, nothing else; validating a Bundle gives located problems,
  never "stopped by an internal error" (that fallback refuses safely, but it is a checker bug);
- forms: 200, or a 4xx problem+json; never a 5xx; a refused step leaves the task open.
Bounded: SCHUTZPFAD_FUZZ_EXAMPLES per property (25 by default, `make reliability` more).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import DefinitionInvalid
from engine.processes.bundles import bundle_from_zip, load_bundle_dir
from engine.processes.validation.bundle import validate_bundle
from tests.reliability import authz_world as aw
from tests.reliability.figures import knob, report
from tests.support.cases import BEOBACHTUNG

EXAMPLES = knob("SCHUTZPFAD_FUZZ_EXAMPLES", 25)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,  # the default run asks the same inputs every time: a red run is reproducible
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
SHIPPED = Path(__file__).resolve().parents[2] / "bpmn" / "traeger_8a" / "1"
REAL_FILES = {str(p.relative_to(SHIPPED)): p.read_bytes() for p in sorted(SHIPPED.rglob("*")) if p.is_file()}
INTERNAL = "validation stopped by an internal error"
_count: dict[str, int] = {"zip": 0, "folder": 0, "form": 0}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
odd_names = st.one_of(
    st.sampled_from(["../evil.json", "/etc/passwd", "forms\\x.json", "a//b.json", "./manifest.json", "C:/x"]),
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), min_size=1, max_size=30),
)


@st.composite
def bundle_files(draw: st.DrawFn) -> dict[str, bytes]:
    """The shipped bundle's files, bent a few times."""
    files = dict(REAL_FILES)
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(sorted(files)))
        change = draw(st.sampled_from(["drop", "bytes", "json", "truncate", "rename", "add"]))
        if change == "drop":
            files.pop(name, None)
        elif change == "bytes":
            files[name] = draw(st.binary(max_size=200))
        elif change == "json":
            files[name] = json.dumps(draw(json_values)).encode()
        elif change == "truncate" and name in files:
            files[name] = files[name][: draw(st.integers(0, len(files[name])))]
        elif change == "rename" and name in files:
            files[draw(odd_names)] = files.pop(name)
        elif change == "add":
            files[draw(odd_names)] = draw(st.binary(max_size=100))
        if name == "manifest.json" and change == "json" and draw(st.booleans()):
            manifest = json.loads(REAL_FILES[name])
            manifest[draw(st.sampled_from(sorted(manifest)))] = draw(json_values)
            files[name] = json.dumps(manifest).encode()
    return files


def _zip(files: dict[str, bytes], folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(f"{folder}{name}", content)
    return buffer.getvalue()


def _imported(load: Any) -> None:
    """Import must end in a Bundle or DefinitionInvalid; a Bundle's validation in located problems."""
    try:
        bundle = load()
    except DefinitionInvalid as refused:
        assert refused.problems and all(isinstance(p, str) for p in refused.problems)
        return
    problems = validate_bundle(bundle)
    assert all(isinstance(p, str) for p in problems)
    assert not any(INTERNAL in p for p in problems), problems


@FUZZ
@given(files=bundle_files(), folder=st.sampled_from(["", "traeger_8a/"]), garbage=st.binary(max_size=64))
def test_a_bent_bundle_zip_is_refused_cleanly_or_validated(files, folder, garbage):
    _count["zip"] += 1
    data = _zip(files, folder)
    _imported(lambda: bundle_from_zip(data))
    _imported(lambda: bundle_from_zip(garbage + data[len(garbage) :]))  # a damaged archive


@FUZZ
@given(files=bundle_files(), link=st.sampled_from([None, "forms/evil.json", "manifest.json"]))
def test_a_bent_bundle_folder_is_refused_cleanly_or_validated(files, link):
    _count["folder"] += 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bundle"
        for name, content in files.items():
            target = (root / name).resolve()
            if not target.is_relative_to(root.resolve()) or "\\" in name or "\x00" in name:
                continue  # a folder cannot hold what a ZIP name may claim
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
            except OSError:
                continue  # a name this file system refuses (too long, a file where a folder is)
        if link is not None:
            (root / link).unlink(missing_ok=True)
            (root / link).parent.mkdir(parents=True, exist_ok=True)
            os.symlink("/etc/passwd", root / link)
        _imported(lambda: load_bundle_dir(root))


@pytest.fixture(scope="module")
def matrix(shared_world: aw.MatrixWorld) -> Iterator[aw.MatrixWorld]:
    yield shared_world
    report("fuzz", "sqlite", {"examples": dict(_count)})


class Observation:
    """A fresh `anhaltspunkte_dokumentieren` of a Kita case whenever the last one got completed."""

    def __init__(self, matrix: aw.MatrixWorld) -> None:
        self.matrix = matrix
        self.token = matrix.world.token("kita_fk")
        self.client = matrix.app.test_client()
        self.case_id = 0
        self.task = ""
        self.renew()

    def renew(self) -> None:
        engine, actor = self.matrix.world.engine, self.matrix.world["kita_fk"]
        child = {**aw.ALPHA, "geburtsdatum": "2020-05-17", "wohnort_gemeinde": "Goch"}
        self.case_id = engine.open_case(actor, process_key="traeger_8a", child=child).case_id
        self.task = str(engine.case(actor, self.case_id)["open_tasks"][0]["id"])

    def still_open(self) -> bool:
        engine, actor = self.matrix.world.engine, self.matrix.world["kita_fk"]
        return self.task in [str(t["id"]) for t in engine.case(actor, self.case_id)["open_tasks"]]

    def submit(self, body: bytes) -> Any:
        return self.client.post(
            f"/api/v1/tasks/{self.task}/complete",
            data=body,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )


@pytest.fixture(scope="module")
def observation(matrix: aw.MatrixWorld) -> Observation:
    return Observation(matrix)


@st.composite
def form_bodies(draw: st.DrawFn) -> bytes:
    """A valid observation with some fields bent, unknown ones added; sometimes raw JSON escapes."""
    values: dict[str, Any] = dict(BEOBACHTUNG)
    for field in draw(st.lists(st.sampled_from(sorted(values)), max_size=3, unique=True)):
        values[field] = draw(json_values | st.integers(min_value=2**63, max_value=2**70))
    for _ in range(draw(st.integers(0, 2))):
        values[draw(st.text(max_size=12))] = draw(json_values)
    body = json.dumps(values)
    escape = draw(st.sampled_from([None, '"\\ud800"', '"\\u0000"', "[" * 60 + "]" * 60, '"' + "x" * 3000 + '"']))
    if escape is not None:
        body = (
            body.replace('"' + values["beobachtungen"] + '"', escape, 1)
            if isinstance(values.get("beobachtungen"), str)
            else body
        )
    return body.encode()


@FUZZ
@given(body=form_bodies())
def test_a_bent_form_submission_is_stored_or_refused_with_a_4xx(observation, body):
    _count["form"] += 1
    response = observation.submit(body)
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code == 200:
        observation.renew()
        return
    assert response.mimetype == "application/problem+json"
    assert observation.still_open()
