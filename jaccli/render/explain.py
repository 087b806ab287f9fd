"""--explain: a short plain-language account of a result, in the words of the lecture.

Which of the four shape cases it is and the shapes involved, that row i is the gradient of f_i,
why the matrix is diagonal when each f_i depends only on theta_i, its closed form, and at a point
what the derivative or the gradient says (for a gradient, why -grad f is the way downhill). Built
from the Result alone, so every format tells the same story.
"""

from __future__ import annotations

from collections.abc import Sequence

from jaccli.numeric import Evaluator
from jaccli.problem import Kind
from jaccli.render import facts
from jaccli.result import Evaluation, Result


def _columns(result: Result) -> str:
    """theta as the user declared it: `x, y` or `w_1 … w_200, b`."""
    parts = []
    for group in result.column_groups:
        if group.vector and group.size > 1:
            parts.append(f"{result.variables[group.start]} … {result.variables[group.stop - 1]}")
        else:
            parts.extend(result.variables[group.start : group.stop])
    return ", ".join(parts or result.variables)


def _case(result: Result) -> list[str]:
    m, n = result.shape
    name = facts.matrix_name(result)
    theta = _columns(result)
    if result.kind is Kind.HESSIAN:
        return [
            f"Second derivatives of a scalar function f: R^{n} -> R of θ = ({theta}).",
            f"The Hessian is the Jacobian of the gradient: ∇f has {n} entries, each a function of the same "
            f"{n} variables, so H is {n}x{n} with H[i][j] = ∂²f/∂θ_i∂θ_j; row i is the gradient of ∂f/∂θ_i.",
        ]
    case = result.case
    if case.scalar_function and case.scalar_variable:
        variable = result.variables[0]
        return [
            "Case: a scalar function of a scalar variable, f: R -> R (the derivative case, 1x1).",
            f"{name} is the slope of f: how fast f changes as {variable} changes, the others held fixed.",
        ]
    if case.scalar_function:
        return [
            f"Case: a scalar function of a vector θ = ({theta}) of n = {n} components, f: R^{n} -> R "
            f"(the gradient case).",
            f"The gradient ∇f is a row of the n partial derivatives ∂f/∂θ_j: 1x{n} in numerator layout.",
        ]
    if case.scalar_variable:
        return [
            f"Case: a vector function of m = {m} components of one scalar variable {result.variables[0]}, "
            f"f: R -> R^{m}.",
            f"The derivative is the {m}x1 column of the derivatives f_i'({result.variables[0]}), one row per function.",
        ]
    return [
        f"Case: a vector function of a vector, f: R^{n} -> R^{m} (the Jacobian case), "
        f"with m = {m} functions and n = {n} variables θ = ({theta}).",
        f"J is m x n = {m}x{n} with J[i][j] = ∂f_i/∂θ_j (numerator layout): row i is the gradient of f_i, "
        "column j says how every f_i responds to θ_j.",
    ]


def _structure(result: Result) -> list[str]:
    m, n = result.shape
    structure = result.structure
    name = facts.matrix_name(result)
    zeros = structure.size - structure.nonzeros
    lines: list[str] = []
    if structure.kind == "zero":
        lines.append(f"Every entry is 0: f does not depend on any of ({_columns(result)}).")
    elif m == n > 1 and structure.diagonal:
        each = "∂f/∂θ_i depends only on θ_i" if result.kind is Kind.HESSIAN else "each f_i depends only on θ_i"
        lines.append(
            f"{name} is diagonal because {each} among the variables: every entry off the diagonal is "
            "structurally zero. That is the mark of an element-wise operation, where f_i uses only the "
            "i-th components."
        )
        if structure.kind == "identity":
            lines.append(
                f"Each diagonal entry is 1, so {name} = I: a small change in θ_i changes f_i by the same amount."
            )
        elif structure.kind == "scaled_identity":
            lines.append(f"Every diagonal entry is the same, so {name} is a multiple of the identity I.")
    elif structure.kind == "block_diagonal":
        lines.append(
            f"{name} is block diagonal by variable group ({', '.join(structure.blocks)}): each group of "
            "functions depends only on its own variable, so the blocks between groups are structurally zero."
        )
    elif structure.kind in ("lower_triangular", "upper_triangular"):
        side = "θ_1 … θ_i" if structure.kind == "lower_triangular" else "θ_i … θ_n"
        lines.append(f"{name} is {structure.kind.replace('_', ' ')}: f_i depends only on {side}.")
    diagonal_blocks = _diagonal_blocks(result)
    if diagonal_blocks and not (m == n > 1 and structure.diagonal):
        which = (
            f"The columns of {diagonal_blocks[0]} form a diagonal block"
            if len(diagonal_blocks) == 1
            else f"Each block of columns ({', '.join(diagonal_blocks)}) is diagonal"
        )
        lines.append(f"{which}: f_i depends only on the i-th components, as in an element-wise operation.")
    if zeros and structure.kind != "zero" and not (m == n > 1 and structure.diagonal):
        where = "∂f/∂θ_i" if result.kind is Kind.HESSIAN else "f_i"
        lines.append(
            f"{zeros} of the {structure.size} entries are structurally zero: "
            f"there {where} does not contain θ_j, so its derivative by θ_j is 0 everywhere."
        )
    if structure.closed_form:
        lines.append(f"In vector notation, as the matrix-calculus tables write it: {name} = {structure.closed_form}.")
    return lines


def _diagonal_blocks(result: Result) -> list[str]:
    """The vector variables whose columns form a diagonal block under every vector row group, if all do."""
    names = []
    for columns in result.column_groups:
        if not columns.vector:
            continue
        for rows in result.row_groups:
            if not rows.vector:
                continue
            if rows.size != columns.size:
                return []
            if any(
                columns.start <= j < columns.stop and j - columns.start != i - rows.start
                for i in range(rows.start, rows.stop)
                for j in result.entries[i]
            ):
                return []
        names.append(columns.name)
    return names


def _at_point(result: Result, evaluation: Evaluation) -> list[str]:
    point = facts.point_text(result, evaluation)
    m, n = result.shape
    if result.kind is Kind.HESSIAN or m != 1 or not result.case.scalar_function:
        return []
    if n == 1:
        value = evaluation.exact_at(0, 0)
        variable = result.variables[0]
        number = evaluation.number_at(0, 0)
        if value is None or number is None:
            return [f"At {point} the derivative is undefined."]
        text = result.text(value)
        if number == 0:
            return [f"At {point} the slope is 0: a critical point, f is flat to first order."]
        way = "decrease" if number > 0 else "increase"
        return [
            f"At {point} the slope is {text}: near there f changes about {text} times as fast as {variable}; "
            f"to lower f, {way} {variable} (move against the sign of the slope)."
        ]
    norm = evaluation.norm
    if norm is None:
        return [f"At {point} some partial derivatives are undefined, so there is no gradient to follow."]
    if Evaluator(result.engine).value(norm) == 0:
        return [
            f"At {point} ∇f = 0: a critical point (a minimum, a maximum or a saddle); "
            "no direction goes downhill to first order."
        ]
    gradient = facts.vector_text(result, evaluation.gradient)
    descent = facts.vector_text(result, facts.descent_direction(result, evaluation))
    return [
        f"At {point}, ∇f = {gradient} points where f increases fastest, at the rate |∇f| = "
        f"{facts.approximately(result, norm)} per unit step.",
        f"So -∇f = {descent} is the way downhill: a small step ε along it changes f by about "
        "-ε|∇f|², less than for any other direction of the same length.",
        "Gradient descent repeats that step, θ ← θ - η∇f, with a learning rate η, to lower a loss.",
    ]


def explanation(result: Result, evaluations: Sequence[Evaluation] | None = None) -> list[str]:
    """The account as lines of text; `evaluations` defaults to all the points of the result."""
    lines = _case(result) + _structure(result)
    for evaluation in result.evaluations if evaluations is None else evaluations:
        lines += _at_point(result, evaluation)
    return lines
