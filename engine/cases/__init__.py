"""Cases: opening, completing steps, taking over, the case state and its projection, messages between
cases, and the read models of cases and tasks.

Owns the `cases`, `instances`, `open_tasks`, `task_history`, `case_messages`, `case_links` and
`message_waits` tables. Sees the process engine only through `engine.processes.spiff` (the
SpiffWorkflow port) and `engine.processes.catalog`.
"""
