"""Schutzpfad's case engine. Never imports Flask.

Packages by capability — `cases`, `processes` (with the SpiffWorkflow port), `deadlines`, `accounts`,
`auditing`, `directory`, `forms`, `persistence` — each with a docstring saying what it owns and what it
must not import; the pure rules `actor`, `clock`, `errors`, `permissions`, `labels`; the composition
(`case_engine`, `bootstrap`) and the one transaction runner (`transactions`). `web/` uses `engine.api`
only (docs/architecture.md draws the arrows).
"""
