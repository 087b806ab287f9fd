"""The Python API: derivatives, gradients, Jacobians and Hessians as `Result` objects.

    >>> import jaccli
    >>> r = jaccli.gradient("x**2+y**2", at="5,-5")
    >>> r.value
    [[10, -10]]

The command line is built on these functions: `r.as_dict()` is the object `jac grad --json`
prints. Errors raise `jaccli.JacError` (a ValueError) with the command line's message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from jaccli.errors import PointError
from jaccli.pipeline import Context, compute, evaluate, read_point
from jaccli.problem import Kind, Variable, make_problem
from jaccli.result import Result

Point = str | Mapping[str, Any] | Sequence[Any]
Vars = str | Sequence[str | Variable]


def derivative(
    functions: str | Sequence[str],
    *,
    var: str | None = None,
    order: int = 1,
    vars: Vars | None = None,
    at: Point | None = None,
) -> Result:
    """d^k f/dx^k of one function or of each function of a list (a column)."""
    return solve(Kind.DERIVATIVE, _texts(functions), vars=vars, var=var, order=order, points=_points(at))


def gradient(
    function: str,
    *,
    vars: Vars | None = None,
    wrt: str | Sequence[str] | None = None,
    at: Point | None = None,
    sparse: bool = False,
) -> Result:
    """The gradient of one scalar function, a row (numerator layout)."""
    return solve(Kind.GRADIENT, [function], vars=vars, wrt=wrt, points=_points(at), sparse=sparse)


def jacobian(
    functions: str | Sequence[str],
    *,
    vars: Vars | None = None,
    wrt: str | Sequence[str] | None = None,
    at: Point | None = None,
    sparse: bool = False,
) -> Result:
    """The Jacobian J[i][j] = df_i/dtheta_j of a vector function: "f1, f2" or a list of strings."""
    return solve(Kind.JACOBIAN, _texts(functions), vars=vars, wrt=wrt, points=_points(at), sparse=sparse)


def hessian(
    function: str,
    *,
    vars: Vars | None = None,
    wrt: str | Sequence[str] | None = None,
    at: Point | None = None,
    sparse: bool = False,
) -> Result:
    """The Hessian of one scalar function; at a point also its eigenvalues and the critical-point test."""
    return solve(Kind.HESSIAN, [function], vars=vars, wrt=wrt, points=_points(at), sparse=sparse)


def solve(
    kind: Kind,
    texts: Sequence[str],
    *,
    vars: Vars | None = None,
    wrt: str | Sequence[str] | None = None,
    var: str | None = None,
    order: int = 1,
    points: Sequence[str] = (),
    sparse: bool = False,
    context: Context | None = None,
) -> Result:
    """Any kind of result at any number of points (each written as for --at): what the commands call."""
    problem = make_problem(kind, texts, variables=_variables(vars), wrt=wrt, var=var, order=order)
    context = context or Context()
    values = [read_point(context, problem, text) for text in points]  # bad points fail before any work
    result = compute(problem, context, sparse=sparse)
    if not values:
        return result
    result = evaluate(result, values, context)
    if kind is Kind.HESSIAN:
        from jaccli.optimisation import classify

        result = classify(result, context)
    return result


def _texts(functions: str | Sequence[str]) -> list[str]:
    return [functions] if isinstance(functions, str) else list(functions)


def _variables(vars: Vars | None) -> str | tuple[Variable, ...] | None:
    if vars is None or isinstance(vars, str):
        return vars
    if all(isinstance(v, Variable) for v in vars):
        return tuple(v for v in vars if isinstance(v, Variable))
    return ",".join(str(v) for v in vars)


def _points(at: Point | None) -> list[str]:
    """One point written as on the command line: a string, a mapping or a sequence of values."""
    if at is None:
        return []
    if isinstance(at, str):
        return [at]
    if isinstance(at, Mapping):
        return [",".join(f"{name}={_written(value)}" for name, value in at.items())]
    if isinstance(at, Sequence):
        return [",".join(_written(v) for v in at)]
    raise PointError(
        f"at: a point is a string, a mapping of names to values or a sequence of values, got {type(at).__name__}"
    )


def _written(value: Any) -> str:
    """A value as --at text: numbers exactly (a float by its shortest decimal), lists in brackets."""
    if isinstance(value, bool):
        raise PointError(f"at: {value!r} is not a number")
    if isinstance(value, (int, str)):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, Sequence):
        return "[" + ",".join(_written(v) for v in value) + "]"
    tolist = getattr(value, "tolist", None)  # a NumPy array or scalar
    if tolist is not None:
        return _written(tolist())
    raise PointError(f"at: {value!r} is not a number")
