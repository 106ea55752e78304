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

Owns: `people` (invented names), `scenarios` (the paths the templates take), `patterns` (template
texts with slots), `templates`, `world` (the generated organisations and users), `writer`,
`generate` (the entry point). Imports engine capabilities; never `web`.
"""
