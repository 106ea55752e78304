"""The engine's public API: everything `web/` (the Flask app and the CLI) may use of the engine,
besides the plain value modules `engine.actor`, `engine.clock`, `engine.errors` and `engine.labels`.

An import-linter contract forbids `web` every other engine module, so the edge cannot reach past
`CaseEngine` into a transaction, a table or the SpiffWorkflow port: whatever it needs is named here.
"""

from __future__ import annotations

from engine.accounts.browser_sessions import ABSOLUTE as SESSION_ABSOLUTE
from engine.accounts.contacts import CONTACT_FIELDS
from engine.accounts.facade import SessionUser
from engine.accounts.registry import ORGANISATION_KINDS, ROLES_BY_KIND
from engine.accounts.sign_in import AccountLocked, SignedInUser, SignInFailed
from engine.accounts.sso import REASONS as SSO_REFUSALS
from engine.accounts.sso import SsoRefused
from engine.accounts.tokens import DEFAULT_DAYS as TOKEN_DAYS
from engine.accounts.tokens import MAX_DAYS as TOKEN_MAX_DAYS
from engine.auditing.events import EventType
from engine.backup.create import BackupReport, create_backup
from engine.backup.restore import RestoreReport, read_backup, restore_backup
from engine.bootstrap import (
    CHECKPOINT_LOG,
    DatabaseUnavailable,
    build_engine,
    check_keys,
    initialise,
    require_current_schema,
    verify_with_public_key,
)
from engine.break_glass.access import MAX_HOURS as BREAK_GLASS_MAX_HOURS
from engine.break_glass.access import Grant as BreakGlassGrant
from engine.break_glass.review import Entry as BreakGlassEntry
from engine.case_engine import CaseEngine
from engine.cases.akte import INSPECTION, PURPOSES, Akte
from engine.cases.list_query import DEFAULT_LIMIT, MAX_LIMIT, STATUSES, URGENCIES, ListScope
from engine.cases.redaction import REDACTED
from engine.cases.results import CaseProgress, OpenStep, Page, TaskStatus
from engine.cases.subject_access import AUSKUNFT_ROLE, Auskunft
from engine.cases.subject_access import KINDS as AUSKUNFT_KINDS
from engine.cases.transfer import Preview as TransferPreview
from engine.cases.transmission import TransmissionCheck
from engine.cases.version_migration import Outcome as MigrationOutcome
from engine.deadlines.fristen import due_text, parse_frist, parse_instant
from engine.deadlines.scheduler import DeadlineScheduler
from engine.demo import seed_demo
from engine.directory.plan import Ablaufplan
from engine.forms import form_to_api
from engine.forms.builtin import child_address_form, child_form, transfer_form
from engine.forms.definition import DEFINITION_TEXTS, ENGLISH, FIELD_TEXTS, OPTION_TEXTS
from engine.indicators.facade import COORDINATION_ROLE, Indicators
from engine.indicators.figures import Tally
from engine.indicators.suppression import SMALL as SUPPRESSED_SMALL
from engine.indicators.suppression import Breakdown, Cell
from engine.permissions import BREAK_GLASS_REVIEW_ROLES, BREAK_GLASS_ROLES, CASEWORK_ROLES, POOL_ROLES
from engine.processes.bundles import Bundle, bundle_from_zip, load_bundle_dir
from engine.processes.preview import preview_deploy
from engine.processes.validation.bundle import validate_bundle
from engine.quality.aggregates import Area as QualityArea
from engine.quality.aggregates import Period as QualityPeriod
from engine.quality.aggregates import PeriodResults as QualityPeriodResults
from engine.quality.criteria import CRITERIA as QUALITY_CRITERIA
from engine.quality.criteria import comment_field
from engine.retention.policy import RetentionPolicy, load_policy
from engine.statistics.facade import FIRST_YEAR as STATISTICS_FIRST_YEAR
from engine.statistics.facade import STATISTICS_ROLE
from engine.volume.generate import MAX_CASES, VolumeReport, generate_volume

__all__ = [
    "BREAK_GLASS_MAX_HOURS",
    "BREAK_GLASS_REVIEW_ROLES",
    "BREAK_GLASS_ROLES",
    "CASEWORK_ROLES",
    "POOL_ROLES",
    "CHECKPOINT_LOG",
    "CONTACT_FIELDS",
    "DEFINITION_TEXTS",
    "ENGLISH",
    "FIELD_TEXTS",
    "OPTION_TEXTS",
    "COORDINATION_ROLE",
    "DEFAULT_LIMIT",
    "INSPECTION",
    "MAX_CASES",
    "MAX_LIMIT",
    "ORGANISATION_KINDS",
    "PURPOSES",
    "QUALITY_CRITERIA",
    "REDACTED",
    "ROLES_BY_KIND",
    "SESSION_ABSOLUTE",
    "SSO_REFUSALS",
    "STATISTICS_FIRST_YEAR",
    "STATISTICS_ROLE",
    "STATUSES",
    "SUPPRESSED_SMALL",
    "TOKEN_DAYS",
    "TOKEN_MAX_DAYS",
    "URGENCIES",
    "Ablaufplan",
    "AccountLocked",
    "Akte",
    "AUSKUNFT_KINDS",
    "AUSKUNFT_ROLE",
    "Auskunft",
    "BackupReport",
    "BreakGlassEntry",
    "BreakGlassGrant",
    "Breakdown",
    "Bundle",
    "CaseEngine",
    "CaseProgress",
    "Cell",
    "DatabaseUnavailable",
    "DeadlineScheduler",
    "EventType",
    "Indicators",
    "ListScope",
    "MigrationOutcome",
    "OpenStep",
    "Page",
    "QualityArea",
    "QualityPeriod",
    "QualityPeriodResults",
    "RestoreReport",
    "RetentionPolicy",
    "SignInFailed",
    "SessionUser",
    "SignedInUser",
    "SsoRefused",
    "Tally",
    "TaskStatus",
    "TransferPreview",
    "TransmissionCheck",
    "VolumeReport",
    "build_engine",
    "bundle_from_zip",
    "check_keys",
    "child_address_form",
    "child_form",
    "comment_field",
    "transfer_form",
    "create_backup",
    "due_text",
    "form_to_api",
    "generate_volume",
    "initialise",
    "load_bundle_dir",
    "load_policy",
    "parse_frist",
    "parse_instant",
    "preview_deploy",
    "read_backup",
    "require_current_schema",
    "restore_backup",
    "seed_demo",
    "validate_bundle",
    "verify_with_public_key",
]
