"""The functions an expression may call, as SymPy objects, with their derivative conventions.

sigmoid, softplus and cbrt are SymPy functions of their own so that results read the way the
deep-learning literature writes them (sigmoid' = sigmoid*(1 - sigmoid)) and print back to text
that jac parses. Piecewise-constant functions (sign, floor, ceiling, heaviside) have derivative 0
wherever it exists: jac never produces Dirac deltas.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp
from sympy.core.function import ArgumentIndexError


def _special(cls: Any, arg: sp.Expr) -> sp.Expr | None:
    return cls.special_value(arg)


class _RealFunction(sp.Function):
    """A function of jac's own: real for a real argument, evaluated numerically through `rewrite_as`,
    with its exact special values given by `special_value`."""

    rewrite_as: type = sp.exp  # the SymPy form numeric evaluation goes through

    @staticmethod
    def special_value(arg: sp.Expr) -> sp.Expr | None:
        return None

    # SymPy asks a function class's `eval` classmethod for exact values at special arguments.
    eval = classmethod(_special)

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return self.rewrite(self.rewrite_as)._eval_evalf(prec)


class sigmoid(_RealFunction):  # noqa: N801 - the name users type and read
    """The logistic function 1/(1 + exp(-x))."""

    @staticmethod
    def special_value(arg: sp.Expr) -> sp.Expr | None:
        return sp.Rational(1, 2) if arg.is_zero else None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, arg: sp.Expr, **kwargs: object) -> sp.Expr:
        return 1 / (1 + sp.exp(-arg))

    def _latex(self, printer: sp.printing.latex.LatexPrinter, exp: str | None = None) -> str:
        # LaTeX's printer passes the exponent of a power (sigmoid(x)**2) to the base's own method.
        body = rf"\sigma\left({printer._print(self.args[0])}\right)"
        return body if exp is None else rf"{body}^{{{exp}}}"


class softplus(_RealFunction):  # noqa: N801
    """log(1 + exp(x)), the smooth relu; its derivative is sigmoid."""

    @staticmethod
    def special_value(arg: sp.Expr) -> sp.Expr | None:
        return sp.log(2) if arg.is_zero else None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, arg: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.log(1 + sp.exp(arg))


class cbrt(_RealFunction):  # noqa: N801
    """The real cube root: cbrt(-8) = -2 (SymPy's own cbrt is the principal, complex root)."""

    rewrite_as = sp.Pow

    @staticmethod
    def special_value(arg: sp.Expr) -> sp.Expr | None:
        if arg.is_Rational:
            root = sp.real_root(arg, 3)
            if root.is_Rational:
                return root
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        if argindex != 1:
            raise ArgumentIndexError(self, argindex)
        return 1 / (3 * self**2)

    def _eval_rewrite_as_Pow(self, arg: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.sign(arg) * sp.Abs(arg) ** sp.Rational(1, 3)


class sign(sp.sign):  # noqa: N801
    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.S.Zero


class floor(sp.floor):  # noqa: N801
    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.S.Zero


class ceiling(sp.ceiling):  # noqa: N801
    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.S.Zero


class heaviside(_RealFunction):  # noqa: N801
    """The unit step, 1/2 at 0 (SymPy's convention); relu'(x) = heaviside(x)."""

    rewrite_as = sp.Heaviside

    @staticmethod
    def special_value(arg: sp.Expr) -> sp.Expr | None:
        if arg.is_extended_negative:
            return sp.S.Zero
        if arg.is_extended_positive:
            return sp.S.One
        if arg.is_zero:
            return sp.S.Half
        return None

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.S.Zero

    def _eval_rewrite_as_Heaviside(self, arg: sp.Expr, **kwargs: object) -> sp.Expr:
        return sp.Heaviside(arg, sp.S.Half)


def _log(args: Sequence[sp.Expr]) -> sp.Expr:
    if len(args) == 2:
        return sp.log(args[0]) / sp.log(args[1])
    return sp.log(args[0])


def _one(fn: Callable[[sp.Expr], sp.Expr]) -> Callable[[Sequence[sp.Expr]], sp.Expr]:
    return lambda args: fn(args[0])


Builder = Callable[[Sequence[sp.Expr]], sp.Expr]

# name -> (fewest arguments, most arguments or None for any number, builder)
FUNCTIONS: dict[str, tuple[int, int | None, Builder]] = {
    "sin": (1, 1, _one(sp.sin)),
    "cos": (1, 1, _one(sp.cos)),
    "tan": (1, 1, _one(sp.tan)),
    "sec": (1, 1, _one(sp.sec)),
    "csc": (1, 1, _one(sp.csc)),
    "cot": (1, 1, _one(sp.cot)),
    "asin": (1, 1, _one(sp.asin)),
    "acos": (1, 1, _one(sp.acos)),
    "atan": (1, 1, _one(sp.atan)),
    "atan2": (2, 2, lambda args: sp.atan2(args[0], args[1])),
    "sinh": (1, 1, _one(sp.sinh)),
    "cosh": (1, 1, _one(sp.cosh)),
    "tanh": (1, 1, _one(sp.tanh)),
    "asinh": (1, 1, _one(sp.asinh)),
    "acosh": (1, 1, _one(sp.acosh)),
    "atanh": (1, 1, _one(sp.atanh)),
    "exp": (1, 1, _one(sp.exp)),
    "log": (1, 2, _log),
    "ln": (1, 1, _log),
    "log2": (1, 1, lambda args: sp.log(args[0]) / sp.log(2)),
    "log10": (1, 1, lambda args: sp.log(args[0]) / sp.log(10)),
    "sqrt": (1, 1, _one(sp.sqrt)),
    "cbrt": (1, 1, _one(cbrt)),
    "abs": (1, 1, _one(sp.Abs)),
    "sign": (1, 1, _one(sign)),
    "min": (1, None, lambda args: sp.Min(*args)),
    "max": (1, None, lambda args: sp.Max(*args)),
    "floor": (1, 1, _one(floor)),
    "ceiling": (1, 1, _one(ceiling)),
    "heaviside": (1, 1, _one(heaviside)),
    "sigmoid": (1, 1, _one(sigmoid)),
    "relu": (1, 1, lambda args: sp.Max(0, args[0])),
    "softplus": (1, 1, _one(softplus)),
}


def without_distributions(expr: sp.Expr) -> sp.Expr:
    """Drop what SymPy's own Max/Min/Abs derivatives bring in: Dirac deltas become 0, steps ours."""
    if expr.has(sp.DiracDelta):
        expr = expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.S.Zero)
    if expr.has(sp.Heaviside):
        expr = expr.replace(lambda e: type(e) is sp.Heaviside, lambda e: heaviside(e.args[0]))
    if expr.has(sp.sign):
        expr = expr.replace(lambda e: type(e) is sp.sign, lambda e: sign(e.args[0]))
    return expr


def elementary(expr: sp.Expr) -> sp.Expr:
    """The same function written without jac's own classes, for numeric back ends."""
    return (
        expr.replace(lambda e: isinstance(e, (sigmoid, softplus)), lambda e: e.rewrite(sp.exp))
        .replace(lambda e: isinstance(e, cbrt), lambda e: e.rewrite(sp.Pow))
        .replace(lambda e: isinstance(e, heaviside), lambda e: e.rewrite(sp.Heaviside))
    )
