"""Every kind of audit event the engine records, as one enum instead of free strings.

The values are what the trail stores in its `type` header (`auth.login`, `case.created`, …): they are
part of signed, hash-chained history, so a member's value never changes once events carry it. A new
kind of event is a new member here, with its German label in `engine.labels.EVENT_LABELS`.
"""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    ACCESS_DENIED = "access.denied"
    AUDIT_EXPORTED = "audit.exported"
    AUDIT_READ = "audit.read"
    AUTH_LOCKED = "auth.locked"
    AUTH_LOGIN = "auth.login"
    AUTH_LOGIN_FAILED = "auth.login_failed"
    AUTH_LOGOUT = "auth.logout"
    AUTH_MFA_ENROLLED = "auth.mfa_enrolled"
    AUTH_MFA_RESET = "auth.mfa_reset"
    AUTH_SSO_LINKED = "auth.sso_linked"
    AUTH_SSO_UNLINKED = "auth.sso_unlinked"
    BACKUP_CREATED = "backup.created"
    BACKUP_RESTORED = "backup.restored"
    CASE_BREAK_GLASS = "case.break_glass"
    CASE_BREAK_GLASS_REVIEWED = "case.break_glass_reviewed"
    CASE_CREATED = "case.created"
    CASE_DETAILS_COMPLETED = "case.details_completed"
    CASE_EXPORTED = "case.exported"
    CASE_HOLD_RELEASED = "case.hold_released"
    CASE_HOLD_SET = "case.hold_set"
    CASE_MATCH_DECIDED = "case.match_decided"
    CASE_MIGRATED = "case.migrated"
    CASE_READ = "case.read"
    CASE_SEARCH = "case.search"
    CASE_SHREDDED = "case.shredded"
    CASE_TAKEN_OVER = "case.taken_over"
    CASE_TRANSFERRED = "case.transferred"
    CASE_TRANSFER_RECEIVED = "case.transfer_received"
    DEADLINE_ESCALATED = "deadline.escalated"
    DEADLINE_FIRED = "deadline.fired"
    DEADLINE_REMINDER = "deadline.reminder"
    FRISTEN_CHANGED = "fristen.changed"
    KEY_ROTATED = "key.rotated"
    MESSAGE_RECEIVED = "message.received"
    MESSAGE_SENT = "message.sent"
    ORGANISATION_CONTACT_CHANGED = "organisation.contact_changed"
    ORGANISATION_CREATED = "organisation.created"
    QUALITY_RELEASED = "quality.released"
    QUALITY_RELEASE_WITHDRAWN = "quality.release_withdrawn"
    QUALITY_REVIEWED = "quality.reviewed"
    QUALITY_SAMPLE_DRAWN = "quality.sample_drawn"
    PERSON_AUSKUNFT = "person.auskunft"
    PROCESS_DEPLOYED = "process.deployed"
    RETENTION_RUN = "retention.run"
    ROLE_CONFIRMED = "role.confirmed"
    ROLE_REJECTED = "role.rejected"
    ROLE_REQUESTED = "role.requested"
    SESSION_ENDED = "session.ended"
    SESSION_STARTED = "session.started"
    STATISTICS_LOCKED = "statistics.locked"
    STATISTICS_READ = "statistics.read"
    STATISTICS_UNLOCKED = "statistics.unlocked"
    TASK_COMPLETED = "task.completed"
    TASK_REJECTED = "task.rejected"
    TOKEN_ISSUED = "token.issued"  # noqa: S105 - an event name, not a secret
    TOKEN_REVOKED = "token.revoked"  # noqa: S105 - an event name, not a secret
    USER_ACTIVATED = "user.activated"
    USER_CREATED = "user.created"
    USER_DEACTIVATED = "user.deactivated"
    USER_INVITATION_ACCEPTED = "user.invitation_accepted"
    USER_INVITED = "user.invited"
    USER_PASSWORD_SET = "user.password_set"  # noqa: S105 - an event name, not a secret
    VOLUME_GENERATED = "volume.generated"
