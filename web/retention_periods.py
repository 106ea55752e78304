"""The installation's retention periods as the web reads them: the subject-access document (R38) names
when each case's data will be deleted, by the same periods the retention run applies."""

from __future__ import annotations

from flask import current_app

from engine.api import RetentionPolicy, load_policy


def retention_policy() -> RetentionPolicy:
    return load_policy(current_app.extensions["schutzpfad.settings"].retention_file)
