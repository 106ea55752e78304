"""The typed manifest of a deployed process version (docs/bundles.md), parsed from manifest.json.

Deploy-time validation (`validation.bundle.check_manifest`) reports every shape problem to the admin;
`Manifest.parse` reads a manifest that passed it, so the engine asks typed questions instead of
`.get("lanes", {})`. What the engine needs to know of a particular process — which form field holds
its triage Ampel — is declared here too, never hard-coded by task id in generic code. Versions
deployed before a field existed get it from `bpmn/manifest_defaults.json` (their bytes are immutable).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any

from engine.errors import DefinitionInvalid
from engine.processes.file_rules import Visibility, parse_basis, parse_redaction, parse_visibility
from engine.shipped import BPMN_ROOT

MANIFEST_DEFAULTS = BPMN_ROOT / "manifest_defaults.json"
#: The colours of a triage Ampel, most urgent first.
AMPEL_COLOURS = ("rot", "gelb", "gruen")


@dataclass(frozen=True)
class Ampel:
    """The triage a case view shows: the form field that holds it (a variable with a colour of
    `AMPEL_COLOURS`) and the task whose completion confirms it (Mehraugenprinzip), if any."""

    field: str
    confirmed_by: str | None = None


@dataclass(frozen=True)
class Manifest:
    key: str
    version: int
    title: str
    bpmn: tuple[str, ...]
    dmn: tuple[str, ...]
    organisation_kinds: frozenset[str]
    starter_roles: frozenset[str]
    started_by_messages: tuple[str, ...]
    #: lane name → roles that may work its tasks
    lanes: Mapping[str, frozenset[str]]
    ampel: Ampel | None = None
    #: task → further audience → visible fields (engine/processes/file_rules.py)
    sichtbarkeit: Visibility = field(default_factory=lambda: MappingProxyType({}))
    #: task → the earlier tasks its page shows above the form
    grundlage: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    #: task → the fields blacked out for the parents' Akteneinsicht
    schwaerzung: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Manifest:
        """A validated manifest.json as typed values, completed by the shipped defaults of its version.
        A manifest that is not of the validated shape → DefinitionInvalid."""
        try:
            merged = {**shipped_defaults(raw["key"], raw["version"]), **raw}
            problems = ampel_problems(merged["ampel"]) if "ampel" in merged else []
            if problems:
                raise DefinitionInvalid(problems)
            ampel = merged.get("ampel")
            return cls(
                key=str(merged["key"]),
                version=int(merged["version"]),
                title=str(merged["title"]),
                bpmn=tuple(merged["bpmn"]),
                dmn=tuple(merged.get("dmn", ())),
                organisation_kinds=frozenset(merged["organisation_kinds"]),
                starter_roles=frozenset(merged["starter_roles"]),
                started_by_messages=tuple(merged.get("started_by_messages", ())),
                lanes=MappingProxyType({lane: frozenset(roles) for lane, roles in merged["lanes"].items()}),
                ampel=Ampel(ampel["field"], ampel.get("confirmed_by")) if ampel else None,
                sichtbarkeit=parse_visibility(merged.get("sichtbarkeit", {})),
                grundlage=parse_basis(merged.get("grundlage", {})),
                schwaerzung=parse_redaction(merged.get("schwaerzung", {})),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problem = f"manifest.json: not of the validated shape ({type(exc).__name__}: {exc})"
            raise DefinitionInvalid([problem]) from None

    def lane_roles(self, lane: str) -> frozenset[str]:
        return self.lanes.get(lane, frozenset())


def ampel_problems(value: object) -> list[str]:
    """The shape of the optional `ampel` entry: `{"field": "<form field>", "confirmed_by": "<task id>"}`."""
    if (
        not isinstance(value, Mapping)
        or not isinstance(value.get("field"), str)
        or not value["field"].strip()
        or set(value) - {"field", "confirmed_by"}
        or not isinstance(value.get("confirmed_by", ""), str)
    ):
        return ["manifest.json: 'ampel' must be an object with a 'field' name and optionally a 'confirmed_by' task id"]
    return []


def shipped_defaults(key: object, version: object) -> Mapping[str, Any]:
    """The entries of `bpmn/manifest_defaults.json` for one version ({} for a version without any)."""
    return _defaults().get(f"{key}/{version}", {})


@cache
def _defaults() -> Mapping[str, Mapping[str, Any]]:
    """`"<key>/<version>"` → manifest entries that version predates (read once per process)."""
    data: dict[str, dict[str, Any]] = json.loads(MANIFEST_DEFAULTS.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}
