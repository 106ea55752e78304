"""A real OpenID provider for the single sign-on tests: `oidc-provider` (npm) run by Node.

Why this exists: the sign-in must be tested against a provider that really issues, signs and checks
(PKCE, codes used once, RP-initiated logout), not against a mock of what we believe one does. The
provider script and its locked dependencies live in tests/oidc_provider/; the npm install is cached
outside the repository (`~/.cache/schutzpfad/oidc-provider/<hash of package.json and the lock>`), so
only the first run of a machine downloads anything.

Plain Python, no pytest import (like pg_cluster): the test module decides to skip locally or fail in
CI when Node is missing (`node_unavailable_reason`). `.ci/system-deps` installs Node and npm as root.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import select
import shutil
import subprocess
import tempfile
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "oidc_provider"
#: oidc-provider 8.x supports Node 18 LTS and later (it warns on older runtimes).
MIN_NODE = (18, 12)
START_TIMEOUT = 30


def node_unavailable_reason() -> str | None:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        return "Node.js and npm are needed for the OpenID provider of the SSO tests (apt-get install nodejs npm)"
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    found = tuple(int(part) for part in re.findall(r"\d+", version)[:2])
    if found < MIN_NODE:
        return f"Node.js {version} is too old for oidc-provider (needs {'.'.join(map(str, MIN_NODE))} or later)"
    return None


def _cache_root() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "schutzpfad" / "oidc-provider"


def installed_provider() -> Path:
    """The folder with node_modules for this package-lock (installed with `npm ci` once per lock)."""
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((SOURCE / name).read_bytes())
    target = _cache_root() / digest.hexdigest()[:16]
    if not (target / "node_modules" / ".schutzpfad-installed").exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="install-", dir=target.parent))
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(SOURCE / name, staging / name)
        subprocess.run(
            ["npm", "ci", "--omit=dev", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=staging,
            check=True,
            timeout=300,
        )
        (staging / "node_modules" / ".schutzpfad-installed").touch()
        shutil.rmtree(target, ignore_errors=True)
        try:
            staging.rename(target)
        except OSError:  # another test run installed the same lock meanwhile: use theirs
            shutil.rmtree(staging, ignore_errors=True)
    return target


def provider_script() -> Path:
    """The provider script, copied next to its node_modules (ES modules resolve packages from their own
    folder) under a name of its content, so runs of different checkouts never overwrite each other's."""
    script = (SOURCE / "provider.mjs").read_bytes()
    copy = installed_provider() / f"provider-{hashlib.sha256(script).hexdigest()[:16]}.mjs"
    if not copy.exists():
        partial = copy.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(script)
        partial.rename(copy)
    return copy


class OidcProvider:
    """`start()` runs the provider on a free loopback port; `issuer` is its address; `stop()` ends it."""

    def __init__(self, clients: list[dict[str, object]]) -> None:
        self.clients = clients
        self.issuer = ""
        self._process: subprocess.Popen[str] | None = None

    def start(self) -> OidcProvider:
        script = provider_script()
        env = {**os.environ, "OIDC_CLIENTS": json.dumps(self.clients), "NODE_ENV": "test"}
        self._process = subprocess.Popen(
            ["node", str(script)],
            cwd=script.parent,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self._process.stdout is not None
        ready, _, _ = select.select([self._process.stdout], [], [], START_TIMEOUT)
        line = self._process.stdout.readline() if ready else ""
        if not line.startswith("listening "):
            self.stop()
            raise RuntimeError(f"the OpenID provider did not start: {line!r}")
        self.issuer = line.split(" ", 1)[1].strip()
        return self

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()  # the provider ends when its stdin closes (also if we die)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
