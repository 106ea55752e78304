"""`python -m bench [--quick] [--only NAME ...] [--doc PATH]` — run the registered benchmarks.

A full run prints every result and writes it into docs/performance.md (its own section plus the
`## Machine` section); `--quick` is a smoke run that only prints.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from bench import audit, case_file, deadlines, durability, expression_limits, scale, step
from bench.report import DOC, Result, machine, machine_section, replace_section

#: The registry: name → benchmark. Each returns a Result whose section replaces its own in the doc.
BENCHMARKS: dict[str, Callable[..., Result]] = {
    "step": step.run,
    "audit": audit.run,
    "deadlines": deadlines.run,
    "case_file": case_file.run,
    "scale": scale.run,
    "durability": durability.run,
    "expression_limits": expression_limits.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions; prints, writes nothing")
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument("--doc", type=Path, default=DOC, help="the markdown file to update (default: %(default)s)")
    args = parser.parse_args(argv)

    names = args.only or list(BENCHMARKS)
    results = []
    for name in names:
        print(f"running benchmark '{name}'{' (quick)' if args.quick else ''} …", file=sys.stderr, flush=True)
        result = BENCHMARKS[name](quick=args.quick)
        results.append(result)
        print(f"\n{result.heading}\n\n{result.body}", flush=True)
    if args.quick:
        print("quick run: docs not updated", file=sys.stderr)
        return 0
    replace_section(args.doc, "## Machine", machine_section(machine()))
    for result in results:
        replace_section(args.doc, result.heading, result.body)
    print(f"updated {args.doc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
