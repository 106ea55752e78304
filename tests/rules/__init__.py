"""The rules register's proof (issue 12 item 3): every enforced rule of docs/rules.md has a recorded
mutation here that removes its enforcement, and `make rules` (python -m tests.rules) shows that the
rule's tests then fail. The registry is `tests/rules/mutations.py`, the runner `tests/rules/runner.py`."""
