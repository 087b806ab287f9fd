"""The functions of jac's language and their conventions, written once for every engine.

`apply` turns a function name as the user writes it into the engine's expression: `ln` is `log`,
`log(x, b)` is log(x)/log(b), `log2`/`log10` divide by log(2)/log(10), `sqrt` is the power 1/2,
`relu(x)` is max(0, x). It also gives the exact special values: sigmoid(0) = 1/2, softplus(0) =
log(2), the real cube root of a perfect cube, and the piecewise functions of a constant (sign,
heaviside with heaviside(0) = 1/2, abs, floor, ceiling, max, min), decided at high precision by
`jaccli.numeric` so that a kink is recognised even where the constant is written in another form
(abs(3 - log2(8)) is 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from jaccli.engine.base import CALL, NUMBER, Engine

# name -> (fewest arguments, most arguments or None for any number): applied element by element.
ELEMENTWISE: dict[str, tuple[int, int | None]] = {
    **{
        name: (1, 1)
        for name in [
            "sin",
            "cos",
            "tan",
            "sec",
            "csc",
            "cot",
            "asin",
            "acos",
            "atan",
            "sinh",
            "cosh",
            "tanh",
            "asinh",
            "acosh",
            "atanh",
            "exp",
            "ln",
            "log2",
            "log10",
            "sqrt",
            "cbrt",
            "abs",
            "sign",
            "floor",
            "ceiling",
            "heaviside",
            "sigmoid",
            "relu",
            "softplus",
        ]
    },
    "log": (1, 2),
    "atan2": (2, 2),
    "min": (1, None),
    "max": (1, None),
}
# name -> number of arguments: functions of whole vectors and matrices (jaccli.arrays).
ARRAY_FUNCTIONS: dict[str, int] = {
    "sum": 1,
    "dot": 2,
    "transpose": 1,
    "trace": 1,
    "det": 1,
    "inv": 1,
    "diag": 1,
    "outer": 2,
    "norm": 1,
}
_PIECEWISE = frozenset({"sign", "heaviside", "abs", "floor", "ceiling", "max", "min"})


class Functions:
    """Function application with jac's conventions, on one engine."""

    def __init__(self, engine: Engine) -> None:
        from jaccli.numeric import Evaluator

        self.engine = engine
        self.evaluator = Evaluator(engine)

    def apply(self, name: str, args: Sequence[Any]) -> Any:
        engine = self.engine
        if name == "ln" or (name == "log" and len(args) == 1):
            return self.primitive("log", args)
        if name == "log":
            return engine.divide(self.primitive("log", args[:1]), self.primitive("log", args[1:]))
        if name in ("log2", "log10"):
            base = engine.number(2 if name == "log2" else 10)
            return engine.divide(self.primitive("log", args), self.primitive("log", [base]))
        if name == "sqrt":
            return engine.pow(args[0], engine.number(1, 2))
        if name == "relu":
            return self.primitive("max", [engine.zero, args[0]])
        return self.primitive(name, args)

    def primitive(self, name: str, args: Sequence[Any]) -> Any:
        """The engine's function, with the exact special values of jac's conventions."""
        if name in ("max", "min"):
            args = self._extremum_arguments(name, args)
            if len(args) == 1:
                return args[0]
        special = self._special(name, args)
        return special if special is not None else self.engine.primitive(name, args)

    def _extremum_arguments(self, name: str, args: Sequence[Any]) -> list[Any]:
        """The arguments of max or min, flattened (max(a, max(b, c)) is max(a, b, c)), without repeats,
        and without what an argument absorbs: min(a, max(a, b)) is a, max(a, min(a, b)) is a. Written
        out, these are the same functions with no tie to break: min(x, max(x, y)) is x, and its
        derivative 1 everywhere, where the rule of ties (heaviside(0) = 1/2) would give 3/4 at x = y."""
        other = "min" if name == "max" else "max"
        node = self.engine.node
        flat: list[Any] = []
        for arg in args:
            kind, inner, inner_args = node(arg)
            for item in inner_args if kind == CALL and inner == name else (arg,):
                if item not in flat:
                    flat.append(item)
        kept = []
        for arg in flat:
            kind, inner, inner_args = node(arg)
            if kind == CALL and inner == other and any(a in flat for a in inner_args):
                continue  # min(a, max(a, b)): max(a, b) >= a never decides the min
            kept.append(arg)
        return kept

    def _special(self, name: str, args: Sequence[Any]) -> Any | None:
        engine = self.engine
        if name in _PIECEWISE and all(engine.is_constant(a) for a in args):
            return self._decided(name, args)
        if name in ("sigmoid", "softplus") and args[0] == engine.zero:
            return engine.number(1, 2) if name == "sigmoid" else engine.primitive("log", [engine.number(2)])
        if name == "cbrt":
            kind, p, q = engine.node(args[0])
            if kind == NUMBER:
                root = _rational_cube_root(Fraction(p, q))
                if root is not None:
                    return engine.number(root.numerator, root.denominator)
        return None

    def _decided(self, name: str, args: Sequence[Any]) -> Any | None:
        """A piecewise function of constants, decided by their values; None where one is undefined."""
        engine = self.engine
        found = [self.evaluator.value(a) for a in args]
        values = [v for v in found if v is not None]
        if len(values) < len(found):
            return None
        if name in ("max", "min"):
            chosen = max(range(len(args)), key=lambda k: values[k] if name == "max" else -values[k])
            return args[chosen]
        (value,) = values
        if name == "abs":
            return args[0] if value >= 0 else engine.negate(args[0])
        if name == "sign":
            return engine.number(0 if value == 0 else 1 if value > 0 else -1)
        if name == "heaviside":
            return engine.number(1, 2) if value == 0 else engine.number(1 if value > 0 else 0)
        result = self.evaluator._floor(value) if name == "floor" else -self.evaluator._floor(-value)
        return engine.number(int(result))


def _rational_cube_root(value: Fraction) -> Fraction | None:
    sign = -1 if value < 0 else 1
    roots = []
    for part in (abs(value.numerator), value.denominator):
        root = round(part ** (1 / 3)) if part.bit_length() < 1000 else None
        if root is None:
            return None
        for candidate in (root - 1, root, root + 1):
            if candidate >= 0 and candidate**3 == part:
                roots.append(candidate)
                break
        else:
            return None
    return sign * Fraction(roots[0], roots[1])
