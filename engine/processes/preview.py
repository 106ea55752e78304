"""What deploying an uploaded bundle would do, before anything is deployed: the administrator's report.

An upload is read (`bundle_from_zip`), validated like any deployment (`validate_bundle`), and then
compared with the versions already deployed: the same key and version with other bytes, or a version
older than the newest, would be refused or confuse, so the report says so before the confirmation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import DefinitionInvalid
from engine.processes.bundles import Bundle, bundle_from_zip
from engine.processes.validation.bundle import validate_bundle


@dataclass(frozen=True)
class DeployPreview:
    """The report on one upload: the bundle (None if it could not even be read), every problem, and
    whether exactly these bytes are deployed already."""

    bundle: Bundle | None
    problems: list[str]
    already_deployed: bool = False

    @property
    def deployable(self) -> bool:
        return self.bundle is not None and not self.problems and not self.already_deployed


def preview_deploy(data: bytes, deployed: Iterable[Mapping[str, Any]]) -> DeployPreview:
    """The report on the ZIP `data`, given the deployed versions (`key`, `version`, `sha256` each)."""
    try:
        bundle = bundle_from_zip(data)
    except DefinitionInvalid as exc:
        return DeployPreview(None, exc.problems)
    problems = validate_bundle(bundle)
    if problems:
        return DeployPreview(bundle, problems)
    return _against_deployed(bundle, [d for d in deployed if d["key"] == bundle.key])


def _against_deployed(bundle: Bundle, versions: list[Mapping[str, Any]]) -> DeployPreview:
    same = next((v for v in versions if v["version"] == bundle.version), None)
    if same is not None:
        if same["sha256"] == bundle.sha256:
            return DeployPreview(bundle, [], already_deployed=True)
        return DeployPreview(
            bundle,
            [
                f"{bundle.key} Version {bundle.version} ist schon mit anderem Inhalt bereitgestellt "
                f"(sha256 {same['sha256'][:12]}…). Bereitgestellte Versionen bleiben unverändert: "
                "Erhöhen Sie die Versionsnummer im manifest.json."
            ],
        )
    newest = max((v["version"] for v in versions), default=None)
    if newest is not None and bundle.version < newest:
        return DeployPreview(
            bundle, [f"{bundle.key} Version {bundle.version} ist älter als die bereitgestellte Version {newest}."]
        )
    return DeployPreview(bundle, [])
