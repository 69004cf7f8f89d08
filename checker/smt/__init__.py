"""The SMT back end: the only package that imports z3 (tests/test_layering.py).

Engines built on it: bmc.py, kind.py and pdr.py, over the shared unrolling in base.py and unroll.py.
"""

from __future__ import annotations

import z3

Z3_VERSION: str = z3.get_version_string()


class EngineDisagreement(Exception):
    """An internal error: an SMT result failed its independent check (a counterexample that does
    not replay, or a certificate that is not inductive). Never turned into a verdict."""
