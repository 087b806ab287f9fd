"""jac's own functions as SymPy classes, for the SymPy engine and for conversions to SymPy.

Their values, derivatives and special values are jac's conventions, written once for both engines
(`jaccli.functions`, `jaccli.derive`, `jaccli.numeric`); here they only need a name, LaTeX, and a
rewrite into SymPy's elementary functions for SymPy's own algorithms (simplify in `jac check`).
"""

from __future__ import annotations

from typing import Any

import sympy as sp


class sigmoid(sp.Function):  # noqa: N801 - the name users type and read
    """The logistic function 1/(1 + exp(-x))."""

    nargs = 1

    def _eval_rewrite_as_exp(self, arg: sp.Expr, **kwargs: object) -> sp.Expr:
        return 1 / (1 + sp.exp(-arg))

    def _latex(self, printer: Any, exp: str | None = None) -> str:
        # LaTeX's printer passes the exponent of a power (sigmoid(x)**2) to the base's own method.
        body = rf"\sigma\left({printer._print(self.args[0])}\right)"
        return body if exp is None else rf"{body}^{{{exp}}}"


class softplus(sp.Function):  # noqa: N801
    """log(1 + exp(x)), the smooth relu."""

    nargs = 1

    def _eval_rewrite_as_exp(self, arg: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.log(1 + sp.exp(arg))


class cbrt(sp.Function):  # noqa: N801
    """The real cube root: cbrt(-8) = -2 (SymPy's own cbrt is the principal, complex root)."""

    nargs = 1

    def _eval_rewrite_as_Pow(self, arg: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.sign(arg) * sp.Abs(arg) ** sp.Rational(1, 3)


class heaviside(sp.Function):  # noqa: N801
    """The unit step, 1/2 at 0."""

    nargs = 1

    def _eval_rewrite_as_Heaviside(self, arg: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.Heaviside(arg, sp.S.Half)


def elementary(expr: sp.Expr) -> sp.Expr:
    """The same function written without jac's own classes, for SymPy's algorithms."""
    return (
        expr.replace(lambda e: isinstance(e, (sigmoid, softplus)), lambda e: e.rewrite(sp.exp))
        .replace(lambda e: isinstance(e, cbrt), lambda e: e.rewrite(sp.Pow))
        .replace(lambda e: isinstance(e, heaviside), lambda e: e.rewrite(sp.Heaviside))
    )
