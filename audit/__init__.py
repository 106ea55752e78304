"""Leaf library for the encrypted, hash-chained, signed audit trail (architecture.md, "Audit trail").

It depends on cryptography, the standard library and SQLAlchemy Core only, and never imports
`engine` or `web` (the import-linter contracts in pyproject.toml keep it so). The trail itself is
built by the audit-trail issue; until then this package only reserves its place in the layers.
"""
