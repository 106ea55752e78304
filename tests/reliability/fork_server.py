"""Starts `schutzpfad serve` often and fast, for the SIGKILL trials.

Why: a cold `schutzpfad serve` spends ~2.5 s importing (WeasyPrint alone ~1 s) before it listens;
1,000 kills per database would be spent mostly on imports. This process imports the CLI once and
forks a child per start; the child runs the very `serve` command (`web.cli.main(["serve", …])`:
settings from the environment, schema and key checks, the app and the Fristen scheduler under
waitress) and is what the trials SIGKILL. No thread runs here before the fork, so the child starts
clean; each child opens its own database connections.

Protocol, one line each way (stdin/stdout): `start <port>` -> `<pid>`; `reap <pid>` -> the child's
exit code as `os.waitstatus_to_exitcode` gives it (-9: killed by SIGKILL). EOF ends the server.
Run as `python -m tests.reliability.fork_server` from the repository root.
"""

from __future__ import annotations

import os
import sys

import holidays
import waitress  # noqa: F401 - imported here so the children need not

import web.api.views  # noqa: F401 - pulls in WeasyPrint, the slowest import
from web.cli import main as cli

#: the Fristen's holiday calendar imports its country module lazily (~0.4 s on the first step)
holidays.country_holidays("DE", subdiv="NW", years=2026)


def _serve(port: str) -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)  # stdout is the protocol's pipe: the child must not write to it
    try:
        cli(["serve", "--host", "127.0.0.1", "--port", port], standalone_mode=False)
    finally:
        os._exit(1)


def main() -> None:
    for line in sys.stdin:
        command, argument = line.split()
        if command == "start":
            pid = os.fork()
            if pid == 0:
                _serve(argument)
            print(pid, flush=True)
        elif command == "reap":
            _, status = os.waitpid(int(argument), 0)
            print(os.waitstatus_to_exitcode(status), flush=True)
        else:
            raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
