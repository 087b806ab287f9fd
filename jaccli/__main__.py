"""`python -m jaccli` runs jac."""

from jaccli.cli import run

run()
