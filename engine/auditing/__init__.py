"""The engine's side of the audit trail: recording events in the caller's transaction
(`recording`), and the auditor's and operator's reads, verification, exports and shredding
(`review`).

Talks to the `audit` library through its public API only (never `audit._*`). Must not import
`engine.cases`: the trail records cases, it does not run them.
"""
