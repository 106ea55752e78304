"""Where the shipped data lives: process bundles, the Jugendamt directory, the default Fristen profile
and the engine's own forms — the folder `bpmn/` of the repository, packaged as the resource
`engine/bpmn` (a link to it in the checkout, a folder in the installed wheel). One place knows the path,
so the modules that read shipped data never guess it from their own location or the working directory.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

#: pip installs a wheel unpacked, so the resource is a real folder (bundles are read as folders).
BPMN_ROOT = Path(str(resources.files("engine").joinpath("bpmn")))
