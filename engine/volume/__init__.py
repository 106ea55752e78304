"""Synthetic volume: `schutzpfad demo generate --cases N` fills a database with N invented cases in
realistic states, for benchmarks at the scale of a Land and for training instances.

Why cloning: a case opened and worked through the engine costs tens of milliseconds; a million
cases would take a day. So a few *template* cases are run once per process and path through the
real engine, in a scratch database of their own (`templates`), and then cloned in bulk
(`writer`): every row they left, with fresh references, task ids, children, organisations, users and
times, every sealed value re-sealed under the clone's own data key, the audit events re-appended to
the chain (`audit.AuditVault.bulk`). A generated open case is therefore a real instance at a real
step: the engine and the UI continue it like any other.

Generated cases carry `cases.generated`; the generator refuses a database that holds a real case.

Owns: `scenarios` and `steps` (the paths the templates take, with their values), `scratch` (the
world they run in) and `templates`/`capture` (running and reading them), `patterns` (template texts
with slots), `people` (invented names), `world` (the generated organisations and people), `planner`
(which case, where, who, when), `rows` and `writer` (the bulk writing), `generate` (the entry point).
Imports engine capabilities and `audit.AuditVault.bulk`; never `web`.
"""
