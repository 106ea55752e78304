"""SQLAlchemy 2 mapping of the engine's tables (the audit library's tables live in `audit.tables`).

Index tables (open tasks, links, waits, history) hold references, task names, due dates and the
pseudonym only. Everything sensitive — the child's data, the instance state with every form value,
filed messages — is stored sealed (AES-256-GCM under the case's data key, engine/sealed.py).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from audit.tables import UTCDateTime  # one type for every timestamp: naive UTC stored, aware UTC read

# Defined apart (size) and re-exported: code names every table `models.X`.
from engine.persistence.account_tables import ApiToken as ApiToken
from engine.persistence.account_tables import BrowserSession as BrowserSession
from engine.persistence.account_tables import FormDraft as FormDraft
from engine.persistence.account_tables import Invitation as Invitation
from engine.persistence.account_tables import LoginThrottle as LoginThrottle
from engine.persistence.base import Base as Base
from engine.persistence.break_glass_tables import BreakGlassAccess as BreakGlassAccess
from engine.persistence.child_index_tables import CaseMatch as CaseMatch
from engine.persistence.child_index_tables import ChildIndex as ChildIndex
from engine.persistence.child_index_tables import IndexKey as IndexKey
from engine.persistence.statistics_tables import StatisticsLock as StatisticsLock


class Network(Base):
    __tablename__ = "networks"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Organisation(Base):
    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    network_key: Mapped[str] = mapped_column(ForeignKey("networks.key"), index=True)
    jugendamt_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    #: its § 99 category as a reporter ("Meldende Stelle"): prefills the Jugendamt's Eingang
    meldende_stelle: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # How to reach it (directory contact fields, Verwaltung): `bereitschaft` is a Jugendamt's
    # 24-hour number, shown on an acute report's step page (R22).
    telefon: Mapped[str | None] = mapped_column(String(40))
    bereitschaft: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    anschrift: Mapped[str | None] = mapped_column(String(300))


class Municipality(Base):
    """Directory entry: a municipality is served by a Jugendamt between two dates."""

    __tablename__ = "municipalities"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    jugendamt_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    #: JSON list of other spellings people type ("Emmerich" for "Emmerich am Rhein").
    aliases: Mapped[str] = mapped_column(Text, default="[]")
    __table_args__ = (UniqueConstraint("name", "valid_from"),)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    #: the direct line a Jugendamt calls back after a Meldung (in the Meldebogen)
    telefon: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    mfa_required: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The confirmed TOTP secret, sealed under the `system` scope (engine/authentication.py).
    mfa_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: A secret shown for enrolment but not yet confirmed with a code (sealed likewise).
    mfa_pending_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    mfa_enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The TOTP time step of the last accepted code: a code is accepted once (no replay).
    mfa_last_step: Mapped[int | None] = mapped_column(Integer)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: For reminders and escalations only: mails name the case reference and task title, never content.
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Membership(Base):
    __tablename__ = "memberships"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    #: A role opening case content, granted by an administrator: without effect until confirmed
    #: (engine/accounts/role_grants.py); who asked for it and when, for both sides to see.
    pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    requested_by: Mapped[str | None] = mapped_column(String(64))
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", "role"),)


class ProcessDefinition(Base):
    """A deployed, immutable process version: key + version + SHA-256 of the bundle."""

    __tablename__ = "process_definitions"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    manifest: Mapped[str] = mapped_column(Text)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deployed_by: Mapped[str] = mapped_column(String(64))
    __table_args__ = (UniqueConstraint("key", "version"),)


class ProcessFile(Base):
    """The bundle's files, so every node of a multi-node installation reads the same bytes."""

    __tablename__ = "process_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"), index=True)
    path: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    __table_args__ = (UniqueConstraint("definition_id", "path"),)


class ReferenceCounter(Base):
    """Last issued number of `KS-<year>-<6 digits>` per year."""

    __tablename__ = "reference_counters"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    jugendamt_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    pseudonym: Mapped[str] = mapped_column(String(16), unique=True)
    #: The child's identifying data, sealed under the case's data key (engine/sealed.py).
    child_data: Mapped[bytes] = mapped_column(LargeBinary)
    opened_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Who took the case over (a Jugendamt's intake: "Fall übernehmen").
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Optimistic lock: every write of the case's state increments it.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # What the views show of the instance, written by every save (engine/cases/state.py), so no view
    # decrypts and deserialises an instance. False only for rows from before migration 0006, until
    # `init` fills them (it holds the keys; the migration does not).
    views_written: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The triage Ampel (rot / gelb / gruen) of a process whose manifest declares one.
    dringlichkeit: Mapped[str | None] = mapped_column(String(8))
    #: Started with a Sofortmeldung (the Meldung said `dringlichkeit_hinweis: akut`): urgent before triage.
    akut: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The first open step of the process (key and German title); None when none is open.
    current_task_key: Mapped[str | None] = mapped_column(String(100))
    current_task_title: Mapped[str | None] = mapped_column(String(300))
    #: Its child is in the blind index (engine/cases/child_index.py); False for cases from before
    #: migration 0010 until `init` indexes them.
    indexed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Written by the volume generator (`schutzpfad demo generate`), which refuses a database with
    #: any case where this is False: synthetic volume never mixes with real children's data.
    generated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Closed with findings (engine/retention/findings.py); None: closed before 0013 → the longer period.
    befund: Mapped[bool | None] = mapped_column(Boolean)
    #: The Löschsperre (R25), sealed {grund, seit, von}: while it is set, retention never shreds the case.
    hold: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: The lists' order, written with every save (engine/cases/list_order.py): the urgency rank and
    #: the earliest open step's due time, so a list page is an index read. Until the case's first
    #: save: unranked (3) and no due time (9999-12-31, `keyset.NEVER`).
    list_rank: Mapped[int] = mapped_column(Integer, server_default="3")
    list_due: Mapped[datetime] = mapped_column(UTCDateTime(), server_default="9999-12-31 00:00:00.000000")
    __table_args__ = (Index("ix_cases_org_status", "organisation_id", "status"),)


#: An organisation's cases in the order of the case list (engine/cases/list_order.py).
Index(
    "ix_cases_list_order",
    Case.organisation_id,
    Case.list_rank,
    Case.list_due,
    Case.opened_at.desc(),
    Case.id.desc(),
)


class Instance(Base):
    """The SpiffWorkflow instance of a case, serialized without its spec."""

    __tablename__ = "instances"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    #: Sealed: task data holds every form value of the case.
    state: Mapped[bytes] = mapped_column(LargeBinary)
    tree_size: Mapped[int] = mapped_column(Integer)


class OpenTask(Base):
    """Inbox projection: one row per open user task, rewritten in the same unit of work as the step."""

    __tablename__ = "open_tasks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    case_reference: Mapped[str] = mapped_column(String(20))
    pseudonym: Mapped[str] = mapped_column(String(16))
    task_key: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    lane: Mapped[str] = mapped_column(String(64))
    #: Roles that may work the task (from the manifest's lanes, or fixed for an escalation task).
    lane_roles: Mapped[str] = mapped_column(String(200), default="")
    #: `bpmn` for a task of the process; `frist_klaeren` for an escalation the engine opened itself.
    kind: Mapped[str] = mapped_column(String(20), default="bpmn")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    network_key: Mapped[str] = mapped_column(String(64))
    #: Set for lanes served by the network's pool (insofa): who may take the task is decided by role
    #: and network, not by the case's organisation.
    pool_role: Mapped[str | None] = mapped_column(String(32))
    offered_to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: Sealed values the task's form is prefilled with (fields with `prefill`), written when the task
    #: opens, so the task view needs no instance; None when the form prefills nothing.
    prefill: Mapped[bytes | None] = mapped_column(LargeBinary)
    __table_args__ = (
        Index("ix_open_tasks_org_lane_due", "organisation_id", "lane", "due_at"),
        Index("ix_open_tasks_network_lane", "network_key", "lane"),
    )


class OpenTaskBar(Base):
    """Mehraugenprinzip: users who may not complete an open task (they did its paired task)."""

    __tablename__ = "open_task_bars"
    task_id: Mapped[str] = mapped_column(ForeignKey("open_tasks.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)


class TaskHistory(Base):
    __tablename__ = "task_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    task_key: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    lane: Mapped[str] = mapped_column(String(64))
    #: None for what arrived from another case (a filed message): the history is one ordered list.
    completed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: What the step documented (its form values), sealed under the case's key; None for a filed
    #: message (its payload is in case_messages).
    values: Mapped[bytes | None] = mapped_column(LargeBinary())
    #: When the step opened (None for a filed message and for steps from before migration 0022):
    #: the indicators' durations per step (engine/indicators).
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The coded facts the network's indicators count, as JSON (engine/indicators/codes.py): option
    #: values of closed lists only, never free text or a person; None when the step has none.
    kennzahlen: Mapped[str | None] = mapped_column(String(200))


class CaseLink(Base):
    __tablename__ = "case_links"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    linked_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    relation: Mapped[str] = mapped_column(String(32))
    __table_args__ = (UniqueConstraint("case_id", "linked_case_id", "relation"),)


class CaseWait(Base):
    """Which message a case waits for: the index that routes a Rückmeldung to its case."""

    __tablename__ = "case_waits"
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    message: Mapped[str] = mapped_column(String(100), primary_key=True)


class CaseMessage(Base):
    """A message filed to a case that does not wait for it (e.g. the written Meldebogen after a
    telephone Sofortmeldung): it appears in the receiving case's history."""

    __tablename__ = "case_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    from_case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    name: Mapped[str] = mapped_column(String(100))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FristOverride(Base):
    """A network's override of one Frist. Rows are never updated: the newest row per network and key
    is in force, older ones are the profile's history (`fristen.changed` records who and why)."""

    __tablename__ = "fristen_overrides"
    id: Mapped[int] = mapped_column(primary_key=True)
    network_key: Mapped[str] = mapped_column(ForeignKey("networks.key"))
    key: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_by: Mapped[str] = mapped_column(String(64))
    __table_args__ = (Index("ix_fristen_overrides_network_key", "network_key", "key", "id"),)


class Deadline(Base):
    """A deadline as data: armed in the step that opened its task or timer, fired exactly once.

    `state`: pending → reminded → fired (user tasks and waits: reminder at 75 %, escalation at
    the due instant), pending → fired (BPMN timers), or closed when the task completed or the case
    ended first. `next_at` is the instant of the next firing; the scheduler's index.
    """

    __tablename__ = "deadlines"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    task_uuid: Mapped[str] = mapped_column(String(36), index=True)
    task_key: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))  # task | timer
    frist_key: Mapped[str | None] = mapped_column(String(64))
    frist_value: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(10))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    __table_args__ = (Index("ix_deadlines_state_next", "state", "next_at"),)


class Notification(Base):
    """Outbox of reminder and escalation mails: written with the firing, sent after the commit, so a
    failing mail server delays a mail but never a deadline."""

    __tablename__ = "notifications"
    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
