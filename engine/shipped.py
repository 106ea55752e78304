"""Where the shipped data lives: process bundles, the Jugendamt directory, the default Fristen profile
and the engine's own forms — all under `bpmn/` beside the packages. One place knows the path, so the
modules that read shipped data never guess it from their own location."""

from __future__ import annotations

from pathlib import Path

BPMN_ROOT = Path(__file__).resolve().parent.parent / "bpmn"
