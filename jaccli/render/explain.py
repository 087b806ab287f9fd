"""--explain: a short plain-language account of a result, in the words of the lecture.

Which of the four shape cases it is and the shapes involved, that row i is the gradient of f_i,
why the matrix is diagonal when each f_i depends only on theta_i, its closed form, and at a point
what the derivative or the gradient says (for a gradient, why -grad f is the way downhill). Built
from the Result alone, so every format tells the same story.

With matrices: why the gradient by W is shaped like W, how a matrix function is laid out, and the
matrix chain rule behind a closed form, step by step (`structure.chain_rule`, read from the typed
syntax tree by jaccli.matrix_calculus.story): for a layer which factor is the element-wise
nonlinearity's diag(σ'(·)) and which the linear map W; for a loss by W, why the gradient is an
outer product of the error and the input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from jaccli.numeric import Evaluator
from jaccli.problem import Kind
from jaccli.render import facts
from jaccli.result import Evaluation, Result
from jaccli.structure import Structure

if TYPE_CHECKING:
    from jaccli.matrix_calculus.story import Step


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
    weights = facts.weight_gradient(result)
    if weights is not None:
        w, shape = weights.name, weights.shape_text
        return [
            f"Case: a scalar function of the {shape} matrix {w}, f: {facts.domain(result)} -> R "
            "(the gradient case, by a matrix).",
            f"In numerator layout the gradient ∇f is the 1x{n} row of the partial derivatives ∂f/∂{w}_i_j, "
            f"{w}'s entries row by row. jac shows the same entries shaped like {w}, {shape}, entry (i, j) = "
            f"∂f/∂{w}_i_j, as PyTorch ({w}.grad) and JAX do: one entry per weight, so that a step of gradient "
            f"descent, {w} ← {w} - η ∂f/∂{w}, keeps {w}'s shape.",
        ]
    if result.function_shape is not None and not case.scalar_variable:
        p, q = result.function_shape
        indices = "four" if facts.domain(result).startswith("R^(") else "three"
        return [
            f"Case: a matrix function, f: {facts.domain(result)} -> R^({p}x{q}) (the Jacobian case): its {m} "
            f"entries f_1_1 … f_{p}_{q}, row by row, are the functions, and the n = {n} variables θ = ({theta}) "
            "the columns.",
            f"The derivative of a matrix by a vector or a matrix has {indices} indices; jac lays it out flat as "
            f"the {m}x{n} Jacobian J[i][j] = ∂f_i/∂θ_j (numerator layout): row i is the gradient of entry i of f.",
        ]
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
    lines = [
        f"Case: a vector function of a vector, f: {facts.domain(result)} -> R^{m} (the Jacobian case), "
        f"with m = {m} functions and n = {n} variables θ = ({theta}).",
        f"J is m x n = {m}x{n} with J[i][j] = ∂f_i/∂θ_j (numerator layout): row i is the gradient of f_i, "
        "column j says how every f_i responds to θ_j.",
    ]
    if facts.domain(result).startswith("R^("):
        lines.append(
            "The derivative of a vector by a matrix has three indices; jac lays the matrix's entries out as the "
            "columns, row-major."
        )
    return lines


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
    closed = facts.closed_form(result)
    if closed and structure.chain_rule:
        lines += _chain_rule(structure, name, closed)
    elif closed:
        lines.append(f"In vector notation, as the matrix-calculus tables write it: {name} = {closed}.")
    return lines


def _wrapped(text: str) -> str:
    """A name as it is, anything longer in parentheses: ∂f/∂x, ∂f/∂(W@x)."""
    return text if text.isidentifier() else f"({text})"


def _entry(text: str, index: str) -> str:
    """Entry `index` of a vector or matrix: x_j, (tanh(V@x))_j."""
    return f"{_wrapped(text)}_{index}"


def _chain_rule(structure: Structure, name: str, closed: str) -> list[str]:
    """The matrix chain rule behind the closed form, step by step (see jaccli.matrix_calculus.story)."""
    steps = structure.chain_rule
    if steps[0].kind in ("elementwise", "linear"):
        lines = ["The matrix chain rule, from the outside in: one Jacobian per step, multiplied in that order."]
        for step in steps:
            lines.append(_forward(step))
        return [*lines, f"So {name} = {closed}."]
    lines = ["The matrix chain rule, backward from f, as backpropagation runs it:"]
    error = next((step for step in steps if step.kind == "error"), None)
    for step in steps:
        lines.append(_backward(step, error))
    return [*lines, f"So {name} = {closed}."]


def _forward(step: Step) -> str:
    outer, inner, factor = step.outer, step.inner, step.factor
    if step.kind == "linear":
        return (
            f"- {outer} is linear in {inner}, the linear map {inner} ↦ {outer}: its Jacobian by {inner} "
            f"is the matrix {factor} itself."
        )
    depends = f"entry i depends only on entry i of {inner}"
    if step.function is None:
        return f"- {outer} is element-wise in {inner} ({depends}): its Jacobian by {inner} is diagonal, {factor}."
    return (
        f"- {outer} applies {step.function} to each entry of {step.argument}, so {depends}: its Jacobian by "
        f"{inner} is the diagonal matrix {factor}. This is the factor of the element-wise nonlinearity, "
        f"diag(σ'(·)) with σ = {step.function}: its derivative at each entry, on the diagonal."
    )


def _backward(step: Step, error: Step | None) -> str:
    """A step of the reverse chain rule; `error` is the step that defines δ, if there is one."""
    inner, factor = step.inner, step.factor
    rows, columns = step.shape or (1, 1)
    if step.kind == "error":
        what = "a number" if rows == columns == 1 else f"a column of {rows}, like {inner}"
        return (
            f"- δ = ∂f/∂{_wrapped(inner)} = {factor}: {what}, how f changes with each entry of {inner}; "
            f"backpropagation calls it the error at {inner}."
        )
    times_error = "" if error is None else " times δ"
    if step.kind == "outer" and step.left is None:
        x = step.right or ""
        times = "" if error is None else "δ_i·"
        return (
            f"- {inner} enters f only through {step.outer}, whose entry i is Σ_j {inner}_i_j·{_entry(x, 'j')}: "
            f"{inner}_i_j acts on entry i alone, weighted by {_entry(x, 'j')}. So ∂f/∂{inner}_i_j = "
            f"{times}{_entry(x, 'j')}, and all of them together are the outer product "
            f"{'' if error is None else 'δ*'}{step.right_transposed} of "
            f"{'' if error is None else 'the column δ and '}the row "
            f"{step.right_transposed}: a {rows}x{columns} matrix, the shape of {inner}, one entry per weight."
        )
    if step.kind == "outer":
        left, right = step.left or "", step.right or ""
        return (
            f"- {inner} enters f only through {step.outer} = Σ_i Σ_j {_entry(left, 'i')}·{inner}_i_j·"
            f"{_entry(right, 'j')}, so its derivative by {inner}_i_j is {_entry(left, 'i')}·{_entry(right, 'j')}: "
            f"the outer product {_wrapped(left)}*{step.right_transposed}{times_error}, a {rows}x{columns} matrix, "
            f"the shape of {inner}."
        )
    left = step.left or ""
    if error is None:
        sent = left
    elif error.shape == (1, 1):
        sent = f"δ*{_wrapped(left)}"
    else:
        sent = f"δ^T@{_wrapped(left)}, the error sent back through {left}"
    return (
        f"- {inner} enters f only through {step.outer}, linear in {inner}: ∂f/∂{inner} = {sent}, a row in "
        "numerator layout (backpropagation's column is its transpose)."
    )


def _diagonal_blocks(result: Result) -> list[str]:
    """The vector variables whose columns form a diagonal block under every vector row group, if all do
    (none without a vector row group: the row of a gradient has no diagonal)."""
    if not any(rows.vector for rows in result.row_groups):
        return []
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
    gradient = facts.gradient_value_text(result, evaluation.gradient)
    descent = facts.gradient_value_text(result, facts.descent_direction(result, evaluation))
    weights = facts.weight_gradient(result)
    name = "∇f" if weights is None else facts.matrix_name(result)
    theta = "θ" if weights is None else weights.name
    return [
        f"At {point}, {name} = {gradient} points where f increases fastest, at the rate |{name}| = "
        f"{facts.approximately(result, norm)} per unit step.",
        f"So -{name} = {descent} is the way downhill: a small step ε along it changes f by about "
        f"-ε|{name}|², less than for any other direction of the same length.",
        f"Gradient descent repeats that step, {theta} ← {theta} - η{name}, with a learning rate η, to lower a loss.",
    ]


def explanation(result: Result, evaluations: Sequence[Evaluation] | None = None) -> list[str]:
    """The account as lines of text; `evaluations` defaults to all the points of the result."""
    lines = _case(result) + _structure(result)
    for evaluation in result.evaluations if evaluations is None else evaluations:
        lines += _at_point(result, evaluation)
    return lines
