"""SymPy expressions back to jac's own expression language, so that every printed entry parses back."""

from __future__ import annotations

from functools import lru_cache

import sympy as sp
from sympy.printing.str import StrPrinter


class JacPrinter(StrPrinter):
    """SymPy's str form, with jac's names for the functions whose SymPy names differ."""

    def _print_Exp1(self, expr: sp.Expr) -> str:
        return "e"

    def _print_Abs(self, expr: sp.Expr) -> str:
        return f"abs({self._print(expr.args[0])})"

    def _print_Max(self, expr: sp.Expr) -> str:
        return f"max({', '.join(self._print(a) for a in expr.args)})"

    def _print_Min(self, expr: sp.Expr) -> str:
        return f"min({', '.join(self._print(a) for a in expr.args)})"

    def _print_Heaviside(self, expr: sp.Expr) -> str:
        return f"heaviside({self._print(expr.args[0])})"

    def _print_sign(self, expr: sp.Expr) -> str:
        return f"sign({self._print(expr.args[0])})"

    # The vector notation of closed forms (jaccli.closed_forms): sum(x), dot(w, x).
    def _print_VectorSum(self, expr: sp.Expr) -> str:
        return f"sum({self._print(expr.args[0])})"

    def _print_VectorDot(self, expr: sp.Expr) -> str:
        return f"dot({', '.join(self._print(a) for a in expr.args)})"


_PRINTER = JacPrinter()


@lru_cache(maxsize=4096)
def to_text(expr: sp.Basic) -> str:
    """The expression in jac's syntax (remembered: a large result repeats the same entries, 0 above all)."""
    return _PRINTER.doprint(expr)


def to_latex(expr: sp.Expr) -> str:
    return sp.latex(expr)
