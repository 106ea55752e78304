"""Accounts: organisations, users and their memberships, API tokens, sign-in with the second factor,
form drafts kept over an expired session, and the administrators' lists.

Owns the `organisations`, `users`, `memberships`, `api_tokens`, `login_throttles` and `form_drafts`
tables. Must not import `engine.cases` or `engine.processes`: who a person is does not depend on
what cases exist.
"""
