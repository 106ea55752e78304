"""Process definitions: bundles (`bundles`), deploy-time validation (`validation`), the catalog of
deployed, immutable versions (`catalog`), the guided stepper's order (`stepper`) and the
SpiffWorkflow port (`spiff`, the only package that imports SpiffWorkflow).

Owns the `process_definitions` and `process_files` tables. Must not import `engine.cases`: a
definition knows nothing of the cases that run it.
"""
