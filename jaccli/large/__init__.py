"""Large systems on SymEngine: derivatives of big function lists without SymPy's slow paths.

`attempt` looks at the checked syntax tree first, with neither SymPy nor SymEngine imported. A small
problem (fewer than `LARGE_ENTRIES` entries in the result and fewer than `LARGE_TOKENS` tokens
of input) or one that needs what only SymPy does (jac's own functions such as sigmoid, piecewise
functions, vector variables, LaTeX) returns None and goes to the SymPy path, which keeps exact
values and SymPy's forms. A large one is built in SymEngine straight from the tree, differentiated
there, printed from SymEngine and evaluated in floating point, and SymPy is never imported: for a
neural layer with n = 100, SymPy only building the parsed input takes longer than this whole path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from jaccli import bounds
from jaccli.large.build import CONSTANTS, DeclineError, read_trees, variable_names

if TYPE_CHECKING:
    from jaccli.large.result import LargeResult

LARGE_ENTRIES = 100
LARGE_TOKENS = 2_000
KINDS = ("gradient", "jacobian", "hessian", "derivative")


def _declared(vars_text: str | None) -> list[str] | None:
    if vars_text is None:
        return None
    names = [part.strip() for part in vars_text.split(",")]
    if any(":" in n for n in names) or len(set(names)) != len(names):
        raise DeclineError("vector variables")
    return names


def _columns(kind: str, variables: list[str], wrt: Sequence[str] | None, var: str | None) -> list[str]:
    if kind == "derivative":
        if var is None and len(variables) != 1:
            raise DeclineError("diff needs --var")
        chosen = [var] if var is not None else variables
    else:
        chosen = list(wrt) if wrt else variables
    known = set(variables)
    if len(set(chosen)) != len(chosen) or any(c not in known for c in chosen):
        raise DeclineError("--wrt or --var names")  # the SymPy path says which
    return chosen


def attempt(
    kind: str,
    texts: Sequence[str],
    *,
    vars_text: str | None = None,
    wrt: Sequence[str] | None = None,
    at: Sequence[str] | None = None,
    var: str | None = None,
    order: int = 1,
) -> LargeResult | None:
    """The result computed on SymEngine, or None when the SymPy path should compute it."""
    assert kind in KINDS
    try:
        tree = read_trees(texts)
        declared = _declared(vars_text)
        variables = variable_names(tree, declared)
        if declared is not None and tree.names - set(declared) - set(CONSTANTS):
            return None  # an undeclared name: the SymPy path reports it
        columns = _columns(kind, variables, wrt, var)
        m = len(tree.entries)
        if kind in ("gradient", "hessian") and m != 1:
            return None
        if not 1 <= order <= bounds.DERIVATIVE_ORDER.value:
            return None
        rows, width = (
            (m, 1) if kind == "derivative" else (len(columns), len(columns)) if kind == "hessian" else (m, len(columns))
        )
        if rows * width < LARGE_ENTRIES and tree.tokens < LARGE_TOKENS:
            return None
        if declared is not None and len(declared) > bounds.VARIABLES.value:
            return None  # the SymPy path refuses --vars in its own words
        # the same limits, in the same words, as the SymPy path (jaccli.parse, jaccli.core)
        bounds.check_count(bounds.FUNCTIONS, m, f"{m:,} functions")
        bounds.check_count(bounds.VARIABLES, len(variables), f"{len(variables):,} variables")
        bounds.check_count(bounds.MATRIX_ENTRIES, rows * width, f"a {rows}x{width} result ({rows * width:,} entries)")
        try:
            import symengine as se
        except ImportError:  # pragma: no cover - symengine is a dependency; without it SymPy still works
            return None
        from jaccli.large.build import Builder
        from jaccli.large.result import compute, point

        symbols = {name: se.Symbol(name) for name in variables}
        builder = Builder(se, symbols)
        functions = [builder.build(entry, source) for entry, source in tree.entries]
        points = [point(se, text, variables, symbols) for text in at or ()]
    except DeclineError:
        return None
    return compute(se, kind, functions, variables, columns, symbols, points, order)
