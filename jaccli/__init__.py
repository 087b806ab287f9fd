"""jac, the command-line Jacobian calculator."""

__version__ = "0.1.0"
