"""The named limits on input size and the refusal they raise, without SymPy.

Every layer checks these before it computes; the sizes of the numbers jac computes are estimated
in `jaccli.sizes`.
"""

from __future__ import annotations

from dataclasses import dataclass

from jaccli.errors import LimitError


@dataclass(frozen=True)
class Limit:
    name: str
    value: int
    what: str


INPUT_CHARS = Limit("input_chars", 1_000_000, "characters in one argument, standard input or point")
NAME_CHARS = Limit("name_chars", 100, "characters in one name")
FUNCTION_TOKENS = Limit("function_tokens", 2_000, "numbers, names and operators in one function")
NESTING_DEPTH = Limit("nesting_depth", 100, "brackets, calls and operators inside each other")
LITERAL_DIGITS = Limit("literal_digits", 1_000, "digits in one number literal")
LITERAL_EXPONENT = Limit("literal_exponent", 1_000, "the exponent of a literal like 1e300")
NUMBER_DIGITS = Limit("number_digits", 2_000, "digits in any number jac computes")
FUNCTIONS = Limit("functions", 100_000, "functions in one command, vector components counted")
VECTOR_SIZE = Limit("vector_size", 100_000, "components of one vector variable")
MATRIX_SIZE = Limit("matrix_size", 1_000_000, "entries of one matrix variable")
VARIABLES = Limit("variables", 1_000_000, "variables, vector and matrix entries counted")
MATRIX_ENTRIES = Limit(
    "matrix_entries", 1_000_000, "entries in one dense result (--sparse lists only the nonzero ones)"
)
DET_SIZE = Limit("det_size", 6, "rows of the square matrix of det() or inv(), expanded symbolically")
NONZERO_ENTRIES = Limit("nonzero_entries", 1_000_000, "structurally nonzero entries in one result")
DERIVATIVE_ORDER = Limit("derivative_order", 100, "the order of a derivative")
DESCENT_STEPS = Limit("descent_steps", 1_000_000, "steps of gradient descent")
# Reading: every input is read in bounded pieces, so that no file (not even /dev/zero) can fill the memory.
POINT_VALUES = Limit("point_values", 25_000_000, "values in one --points input, held as 8-byte floats")
PROBLEM_FILE_BYTES = Limit("problem_file_bytes", 2_000_000, "bytes in the problem file of jac check --file")
PROBLEMS = Limit("problems", 10_000, "problems in one problem file")
ANSWER_FILE_BYTES = Limit("answer_file_bytes", 20_000_000, "bytes in the answers of jac check --answers")
ANSWERS = Limit("answers", 100_000, "answers in one jac check --answers input")
# The whole computation: its address space (jaccli.guard), so that running out is a refusal, not a crash.
MEMORY = Limit("memory", 2_048, "megabytes of memory for one command's computation")

ALL_LIMITS = (
    INPUT_CHARS,
    NAME_CHARS,
    FUNCTION_TOKENS,
    NESTING_DEPTH,
    LITERAL_DIGITS,
    LITERAL_EXPONENT,
    NUMBER_DIGITS,
    FUNCTIONS,
    VECTOR_SIZE,
    MATRIX_SIZE,
    VARIABLES,
    MATRIX_ENTRIES,
    NONZERO_ENTRIES,
    DET_SIZE,
    DERIVATIVE_ORDER,
    DESCENT_STEPS,
    POINT_VALUES,
    PROBLEM_FILE_BYTES,
    PROBLEMS,
    ANSWER_FILE_BYTES,
    ANSWERS,
    MEMORY,
)


def refuse(limit: Limit, found: str) -> LimitError:
    """The error for input over a limit; the message says what was found and names the limit."""
    return LimitError(limit.name, f"{found}: over the limit {limit.name} ({limit.what}: at most {limit.value:,})")


def check_count(limit: Limit, count: int, found: str) -> None:
    if count > limit.value:
        raise refuse(limit, found)
