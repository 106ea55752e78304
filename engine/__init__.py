"""Schutzpfad's case engine: domain rules, the SpiffWorkflow run loop, persistence. Never imports Flask."""
