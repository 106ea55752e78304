"""Helpers shared by the test suite that are not tests themselves (e.g. the throw-away PostgreSQL cluster)."""
