"""The checker: everything after the front end (model/), grouped by what each part is for.

    core/       the shared ground: Budget, the one Verdict type, Outcome and exit codes, the
                concrete semantics (initial states, successor) every engine and replay use
    symmetry/   symmetric index sets: canonical forms, checked automorphisms, BMC's focus
    explicit/   the explicit-state engine: BFS reference, numpy backend, liveness
    smt/        the SMT engines (BMC, k-induction, PDR, lemma mining); the only z3 importer
    run/        the one way to run a check (runner.py): engines, auto, portfolio, workers, Dask
    traces/     Trace, replay, ITF read and write, a trace's context
    export/     printers: results, traces (text, race, Mermaid, DOT, markdown), files, progress
    gate/       the CI gate: cases, verdict cache, --changed-since, reports

Start reading at checker/run/runner.py `run_instance`; docs/architecture.md has the picture.
No engine imports another and there are no import cycles (tests/test_layering.py).
"""
