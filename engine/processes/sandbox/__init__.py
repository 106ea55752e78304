"""Limits for the Python of process bundles: checked at deploy, enforced again while a step runs.

SpiffWorkflow evaluates conditions, scripts and timer expressions with plain `eval`/`exec`
(spiffworkflow-notes.md §3), so an expression like `3 ** 31000000` holds the GIL for seconds and
freezes every other request. The allow-list (`engine.processes.validation.scripts`) keeps the
interpreter out of reach; this package bounds the *work*:

- `limits`: the numbers, in one place (docs/bundles.md "Grenzen").
- `static`: what deploy refuses by looking at the code (sizes of constants and names, loop nesting,
  constant subexpressions folded through the same guards the runtime uses).
- `guards`: the per-step budget and the checks that run *before* an expensive operation.
- `rewrite`: compiles a snippet so that those checks cannot be skipped — values from form data
  included — and is what the script engine runs (`engine.processes.spiff.runtime`).
"""
