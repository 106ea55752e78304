"""`make rules`: apply each enforced rule's recorded mutation and run that rule's tests.

The working tree is never touched: the runner copies the checkout's files (tracked and untracked, not
ignored: what `git ls-files` lists) into a temporary folder once, and mutates, tests and restores
only there; the folder goes away at the end, also on Ctrl-C. The copy is imported instead of the
checkout because its folder comes first on PYTHONPATH (the editable install's finder only answers
what the path did not). Byte-code is not written, so a restored file is never served stale.

A mutation is *killed* when pytest reports failed tests (exit 1); it *survives* when they pass
(exit 0). Anything else (a mutation that no longer applies, a collection error) is an error of the
register, not a verdict. Before mutating, all listed tests run once unmutated: a register whose
tests already fail proves nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from tests.rules.mutations import MUTATIONS, Mutation

ROOT = Path(__file__).resolve().parents[2]
#: SQLite only, no browser: the rules are the engine's, the databases are proven elsewhere.
PYTEST = ("-q", "-x", "-p", "no:cacheprovider", "-p", "no:randomly", "-m", "not postgres and not browser")


def copy_checkout(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for raw in filter(None, listed):
        name = raw.decode()
        source = ROOT / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree, not yet committed
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            destination.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, destination)


def run_tests(copy: Path, node_ids: Iterable[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", *PYTEST, *node_ids],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )


def verdict(copy: Path, mutation: Mutation, *, verbose: bool = False) -> str:
    """'killed', 'survived' or 'error: …' for one mutation applied to the copy, then restored;
    `verbose` prints how the tests failed (to see that they fail for the rule's reason)."""
    originals: dict[Path, str] = {}
    try:
        for edit in mutation.edits:
            target = copy / edit.target
            text = target.read_text(encoding="utf-8")
            originals.setdefault(target, text)
            if text.count(edit.old) != 1:
                return f"error: the text to mutate occurs {text.count(edit.old)} times in {edit.target}"
            target.write_text(text.replace(edit.old, edit.new), encoding="utf-8")
        result = run_tests(copy, mutation.tests)
        if verbose:
            print(_tail(result))
    finally:
        for target, text in originals.items():
            target.write_text(text, encoding="utf-8")
    if result.returncode == 1:
        return "killed"
    if result.returncode == 0:
        return "survived"
    return f"error: pytest exited {result.returncode}\n{_tail(result)}"


def _tail(result: subprocess.CompletedProcess[str], lines: int = 30) -> str:
    return "\n".join((result.stdout + result.stderr).splitlines()[-lines:])


def run(rules: Sequence[str], *, verbose: bool = False) -> int:
    chosen = [m for m in MUTATIONS if not rules or m.rule in rules]
    if not chosen:
        print(f"no mutation recorded for {', '.join(rules)}")
        return 2
    with tempfile.TemporaryDirectory(prefix="schutzpfad-rules-") as folder:
        copy = Path(folder)
        copy_checkout(copy)
        baseline = run_tests(copy, sorted({t for m in chosen for t in m.tests}))
        if baseline.returncode != 0:
            print("The rules' tests fail without any mutation; nothing to judge.")
            print(_tail(baseline))
            return 2
        outcome: dict[str, list[str]] = {}
        for mutation in chosen:
            result = verdict(copy, mutation, verbose=verbose)
            print(f"  {mutation.rule} {mutation.name}: {result}", flush=True)
            outcome.setdefault(mutation.rule, []).append(result)
    killed = [rule for rule, results in outcome.items() if all(r == "killed" for r in results)]
    errors = [rule for rule, results in outcome.items() if any(r.startswith("error") for r in results)]
    for rule in outcome:
        word = "killed" if rule in killed else "error" if rule in errors else "survived"
        print(f"{rule} {word}")
    print(f"{len(killed)} of {len(outcome)} enforced rules killed, {len(outcome) - len(killed)} not")
    return 0 if len(killed) == len(outcome) else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make rules", description=__doc__.splitlines()[0])
    parser.add_argument("rules", nargs="*", help="only these rule ids (e.g. R07 R15)")
    parser.add_argument("-v", "--verbose", action="store_true", help="show how each mutation's tests fail")
    arguments = parser.parse_args(argv)
    return run(arguments.rules, verbose=arguments.verbose)
