"""Matrix calculus on the typed syntax tree: closed forms such as `diag(x)`, `W`, `x^T@(A + A^T)`.

The input's syntax tree is typed with the declared shapes (`tree`) into a small algebra of
vector and matrix expressions (`nodes`, `algebra`), differentiated by the chain rule in that
algebra (`derive`), printed in the notation of the matrix-calculus literature (`notation`), and
evaluated with NumPy to check every closed form against the computed entries (`numbers`, `check`).
`jaccli.closed_forms` puts these together for a result.
"""
