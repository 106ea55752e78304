"""Deadlines: Fristen arithmetic (`fristen`), the network profiles (`profiles`), arming and closing
deadlines after a step (`arming`), firing them exactly once (`firing`), the scheduler that wakes the
process (`scheduler`) and the reminder mails (`notifications`).

Owns the `deadlines`, `fristen_overrides` and `notification_outbox` tables. `fristen` is pure
(standard library and the `holidays` data only).
"""
