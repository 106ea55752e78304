"""Backup and restore of an installation (`schutzpfad backup DIR`, `schutzpfad restore DIR`).

A backup folder holds the database (SQLite's online backup API, or `pg_dump` for PostgreSQL), the
audit checkpoint log and the shred ledger, with a manifest of checksums. The key material goes to
a **separate** folder: whoever holds both can read every case, so they are stored apart. A restore
brings back database and checkpoint log as they were, then shreds again every case the instance's
shred ledger names — a case shredded after the backup stays shredded.
"""
