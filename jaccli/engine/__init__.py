"""The engines that hold jac's expressions, and the one place that chooses between them.

An engine builds expressions (symbols, numbers, sums, products, powers and the functions jac knows
by their jac names) and shows any expression back as a node: its kind and its parts. Everything
else is written once, over that small interface: the builder from the syntax tree
(`jaccli.build`), derivatives by reverse accumulation (`jaccli.derive`), values at a point
(`jaccli.numeric`), printing (`jaccli.printer`) and the compiled functions of many points.

Two engines implement it: SymEngine (a C++ core, fast at every size) and SymPy (pure Python).
jac computes with SymEngine wherever it is installed, so that an entry gets the same symbolic
form and the same value whatever else is in the problem; SymPy computes when SymEngine is missing
or when JAC_ENGINE=sympy asks for it (the tests run both and compare them). The few things only
SymPy does (LaTeX, proofs of equality in `jac check`, exact eigenvalues) convert a result with
`to_sympy`, whichever engine computed it.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jaccli.engine.base import Engine

NAMES = ("symengine", "sympy")


@cache
def engine(name: str) -> Engine:
    """The engine of that name (imported on first use)."""
    if name == "symengine":
        from jaccli.engine.symengine_engine import SymEngineEngine

        return SymEngineEngine()
    if name == "sympy":
        from jaccli.engine.sympy_engine import SymPyEngine

        return SymPyEngine()
    raise ValueError(f"unknown engine {name!r} (engines: {', '.join(NAMES)})")


def choose() -> Engine:
    """The engine that computes: SymEngine unless JAC_ENGINE names another or SymEngine is missing.

    This is the only place an engine is chosen. Size does not enter into it: one engine at every
    size is what makes the same entry print and evaluate the same alone and inside a large problem.
    """
    wanted = os.environ.get("JAC_ENGINE", "").strip().lower()
    if wanted:
        return engine(wanted)
    try:
        return engine("symengine")
    except ImportError:  # pragma: no cover - SymEngine is a dependency; without it SymPy still computes
        return engine("sympy")
