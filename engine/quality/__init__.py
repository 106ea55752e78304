"""LKSG § 8 quality review: random samples of closed cases, their pseudonymised reading and review."""
