"""The contour picture through the installed command: the file, its size, and its red and blue arrows."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import JAC, run_jac
from matplotlib import image

import jaccli
from jaccli.cli.optimise import known_minimum
from jaccli.pipeline import Context
from jaccli.render.picture import PATH_DOTS, TITLE_CHARACTERS, _window, title_lines
from jaccli.suggest import PLOT_INSTALL


def colours(path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks of the red, blue and grey-or-black pixels of a PNG (RGB in 0..255)."""
    pixels = image.imread(str(path))[..., :3] * 255
    r, g, b = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    red = (r > 180) & (g < 90) & (b < 90)
    blue = (b > 180) & (r < 90) & (g < 90)
    neutral = (np.max(pixels, axis=-1) - np.min(pixels, axis=-1)) < 25
    return red, blue, neutral


def near(mask: np.ndarray, reach: int = 3) -> np.ndarray:
    """The mask grown by `reach` pixels in every direction."""
    grown = mask.copy()
    padded = np.pad(mask, reach)
    height, width = mask.shape
    for dr in range(-reach, reach + 1):
        for dc in range(-reach, reach + 1):
            grown |= padded[reach + dr : reach + dr + height, reach + dc : reach + dc + width]
    return grown


def centre(mask: np.ndarray) -> tuple[float, float]:
    rows, cols = np.nonzero(mask)
    return float(rows.mean()), float(cols.mean())


def test_gradient_picture_has_a_red_gradient_and_a_blue_descent_arrow(tmp_path):
    target = tmp_path / "gradient.png"
    done = run_jac("grad", "x**2+y**2", "--at", "5,-5", "--plot", str(target), "--format", "plain")
    assert done.returncode == 0, done.stderr
    assert "descent direction -∇f = (-10, 10)" in done.stdout
    height, width = image.imread(str(target)).shape[:2]
    assert width >= 400 and height >= 300
    red, blue, neutral = colours(target)
    assert red.sum() > 200 and blue.sum() > 200
    # grad f = (10, -10) points right and down the page (rows grow downwards); -grad f left and up
    red_row, red_col = centre(red)
    blue_row, blue_col = centre(blue)
    assert red_col > blue_col and red_row > blue_row
    # the rings are grey: every coloured pixel is part of an arrow or its antialiased edge
    stray = ~neutral & ~near(red | blue)
    assert stray.sum() == 0, f"{stray.sum()} pixels of a colour other than the arrows'"


def test_descent_picture_shows_the_arrows_at_the_start(tmp_path):
    target = tmp_path / "descent.png"
    done = run_jac("descend", "x**2+3*y**2", "--at", "5,-5", "--steps", "30", "--plot", str(target), "--json")
    assert done.returncode == 0, done.stderr
    red, blue, neutral = colours(target)
    assert red.sum() > 100 and blue.sum() > 100
    assert (~neutral & ~near(red | blue)).sum() == 0, "the path is black, so red and blue keep their meaning"
    # at the start (5,-5), grad f = (10,-30): the red arrow points right and down, the blue one left and up
    red_row, red_col = centre(red)
    blue_row, blue_col = centre(blue)
    assert red_col > blue_col and red_row > blue_row


def test_without_matplotlib_plot_is_exit_2_and_says_how_to_install(tmp_path):
    fake = tmp_path / "site" / "matplotlib"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named matplotlib')\n")
    target = tmp_path / "out.png"
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    assert JAC is not None
    for args in (
        ["grad", "x**2+y**2", "--at", "5,-5", "--plot", str(target)],
        ["descend", "x**2+y**2", "--at", "5,-5", "--plot", str(target)],
    ):
        done = subprocess.run([JAC, *args], capture_output=True, text=True, env=env, check=False, timeout=60)
        assert done.returncode == 2
        assert done.stdout == ""
        assert done.stderr.count("\n") == 1
        assert f"install it with: {PLOT_INSTALL}" in done.stderr
        assert not target.exists()
    # the same environment still computes without --plot: only the picture needs matplotlib
    done = subprocess.run([JAC, "grad", "x*y", "--json"], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("grad", "x*y*z", "--at", "1,2,3"), "two variables; f has 3 (x, y, z)"),
        (("descend", "x**2", "--at", "1"), "two variables; f has 1 (x)"),
        (("grad", "x*y", "--at", "1,2", "--at", "3,4"), "exactly one --at"),
        (("grad", "x*y"), "exactly one --at"),
        (("grad", "x*y", "--at", "1,2", "--wrt", "x"), "leave out --wrt"),
    ],
)
def test_plot_needs_two_variables_and_one_point(tmp_path, args, fragment):
    target = tmp_path / "out.png"
    done = run_jac(*args, "--plot", str(target))
    assert done.returncode == 2
    assert done.stdout == ""
    assert fragment in done.stderr
    assert not target.exists()


def test_plot_refuses_an_unknown_file_type_and_an_unwritable_place(tmp_path):
    done = run_jac("grad", "x*y", "--at", "1,2", "--plot", str(tmp_path / "out.jpg"))
    assert done.returncode == 2 and "must end in .png" in done.stderr
    done = run_jac("grad", "x*y", "--at", "1,2", "--plot", str(tmp_path / "no" / "such" / "dir.png"))
    assert done.returncode == 2 and done.stdout == ""
    assert "cannot write" in done.stderr and done.stderr.count("\n") == 1


def test_the_readme_shows_the_committed_picture_of_the_seed_example():
    root = Path(__file__).resolve().parent.parent
    readme = (root / "README.md").read_text()
    assert 'jac grad "x**2+y**2" --at 5,-5 --plot docs/gradient.png' in readme
    assert "](docs/gradient.png)" in readme
    red, blue, _ = colours(root / "docs" / "gradient.png")
    red_row, red_col = centre(red)
    blue_row, blue_col = centre(blue)
    assert red.sum() > 200 and blue.sum() > 200
    assert red_col > blue_col and red_row > blue_row


def test_at_a_critical_point_the_picture_has_no_arrows(tmp_path):
    # grad (x^2 - y^2) = (2x, -2y) = 0 at the origin: nothing to point along
    target = tmp_path / "saddle.png"
    done = run_jac("grad", "x**2-y**2", "--at", "0,0", "--plot", str(target))
    assert done.returncode == 0, done.stderr
    red, blue, neutral = colours(target)
    assert red.sum() == 0 and blue.sum() == 0
    assert neutral.all()


def test_the_install_hint_is_the_one_the_readme_and_the_help_give():
    # from a clone, `pip install 'jaccli[plot]'` fails: the hint is the quick start's own command
    assert ".venv/bin/pip install '.[plot]'" in PLOT_INSTALL
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert ".venv/bin/pip install '.[plot]'" in readme.split("## The four shape cases")[0]
    help_text = " ".join(run_jac("grad", "--help").stdout.split())
    assert PLOT_INSTALL in help_text


def svg_texts(path: Path) -> list[str]:
    """The texts of an SVG picture written by matplotlib (it draws each text as a path after a comment)."""
    import re

    return re.findall(r"<!-- (.*?) -->", path.read_text(), re.S)


@pytest.mark.e2e
def test_grad_picture_labels_its_rings_and_draws_the_ring_through_the_point_darker(tmp_path):
    target = tmp_path / "gradient.svg"
    done = run_jac("grad", "x**2+y**2", "--at", "5,-5", "--plot", str(target), "--json")
    assert done.returncode == 0
    assert done.stderr == f"jac: wrote {target}\n"
    texts = svg_texts(target)
    assert "50" in texts  # f(5,-5) = 50: the ring through the point carries its value
    assert sum(t.replace(".", "", 1).isdigit() for t in texts) >= 6  # other rings are labelled too
    svg = target.read_text()
    assert "stroke: #262626; stroke-width: 1.8" in svg  # the darker ring
    assert "minimum" in texts  # x^2+y^2 has its minimum at the origin, inside the window


@pytest.mark.e2e
def test_long_descent_is_thinned_framed_and_titled_in_lines_that_fit(tmp_path):
    target = tmp_path / "descent.svg"
    function = "(1-x)**2 + 100*(y-x**2)**2"
    done = run_jac("descend", function, "--at", "-1.5,2", "--rate", "0.001", "--steps", "2000", "--plot", str(target))
    assert done.returncode == 0
    assert done.stderr == f"jac: wrote {target}\n"
    texts = svg_texts(target)
    # matplotlib writes each line of a text on its own: the title is two lines, the second not clipped
    first = next(k for k, t in enumerate(texts) if t.startswith("gradient descent on f ="))
    assert texts[first : first + 2] == [
        "gradient descent on f = 100*(y - x**2)**2 + (1 - x)**2, rate 0.001: 2000 steps,",
        "step limit reached",
    ]
    assert all(len(text) <= TITLE_CHARACTERS for text in texts)
    assert f"descent path, a dot every {-(-2001 // PATH_DOTS)} steps (x: end)" in texts


def test_the_window_frames_every_step_of_a_path():
    path = [(5.0 * 0.99**k, -5.0 + 0.02 * k) for k in range(2001)] + [(40.0, 3.0)]
    cx, cy, half = _window(path)
    assert all(abs(x - cx) <= half and abs(y - cy) <= half for x, y in path)


def test_a_minimum_is_known_for_quadratics_with_a_positive_definite_hessian_only():
    def minimum(text: str) -> tuple[float, float] | None:
        result = jaccli.gradient(text, vars="x,y")
        return known_minimum(result, Context(result.engine))

    assert minimum("x**2 + 3*y**2 - 2*x") == (1.0, 0.0)
    assert minimum("x**2 + x*y + y**2 - 3*y") == (-1.0, 2.0)  # 2x + y = 0, x + 2y = 3
    assert minimum("x**2 - y**2") is None  # a saddle
    assert minimum("x**4 + y**2") is None  # not quadratic: not known without a search
    assert minimum("sin(x) + y**2") is None


def test_titles_break_between_words():
    long = "gradient descent on f = " + " + ".join(f"x**{k}*y" for k in range(30)) + ", rate 0.1: 5 steps, diverged"
    lines = title_lines(long).splitlines()
    assert len(lines) > 1 and all(len(line) <= TITLE_CHARACTERS for line in lines)
    assert " ".join(lines) == long
