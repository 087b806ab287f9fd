"""The `jac` command line: options in, one call to core, one call to render.

Nothing heavy is imported here: SymPy and rich load inside the commands, so `jac --help`,
`jac --version` and shell completion stay fast. Each command group is a module that registers
its commands on the one typer app.
"""

# The order of registration is the order of the commands in --help (that of the contract's list).
# isort: off
from jaccli.cli import differentiate as _differentiate  # noqa: F401  (registers its commands)
from jaccli.cli import check as _check  # noqa: F401  (registers its command)
from jaccli.cli import descend as _descend  # noqa: F401  (registers its command)
from jaccli.cli import usage as _usage  # noqa: F401  (registers `jac help`)

# isort: on
from jaccli.cli.app import app, run

__all__ = ["app", "run"]
