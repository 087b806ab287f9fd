"""Bounded reading, compact storage and whole files, in process: what the limits and the guarded
streams promise, checked on the functions that keep the promise."""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import stat
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import jaccli
from jaccli import bounds, descent, files, guard, points, problems, verdict
from jaccli.cli import app, completion
from jaccli.errors import JacError, LimitError
from jaccli.points import read_points
from jaccli.problem import parse_vars
from jaccli.render import descent as render_descent

runner = CliRunner()


def invoke(*args: str, input: str | bytes | None = None):
    return runner.invoke(app, list(args), input=input, prog_name="jac")


class Endless(io.TextIOBase):
    """/dev/zero as text: every read returns as much as asked for; counts what was read."""

    def __init__(self, char: str = "0") -> None:
        self.char = char
        self.read_chars = 0

    def readable(self) -> bool:
        return True

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        assert size is not None and size > 0, "an unbounded readline would never return"
        self.read_chars += size
        return self.char * size


# --- --points -------------------------------------------------------------------------------------


def test_a_line_without_end_is_refused_after_reading_the_limit():
    variables = parse_vars("x,y")
    stream = Endless()
    with pytest.raises(LimitError) as caught:
        read_points(stream, variables, "--points -")
    assert caught.value.limit == "input_chars"
    assert "line 1: more than 1,000,000 characters" in str(caught.value)
    assert stream.read_chars <= 2 * (bounds.INPUT_CHARS.value + 1)


def test_a_line_of_exactly_the_limit_is_read():
    variables = parse_vars("x")
    line = "1" + " " * (bounds.INPUT_CHARS.value - 1) + "\n"
    points = read_points(io.StringIO(line + "2\n"), variables, "--points -")
    assert points.tolist() == [[1.0], [2.0]]


def test_more_values_than_the_limit_are_refused(monkeypatch):
    monkeypatch.setattr(bounds, "POINT_VALUES", bounds.Limit("point_values", 10, "values"))
    variables = parse_vars("x,y")
    assert read_points(io.StringIO("1,2\n" * 5), variables, "-").shape == (5, 2)
    with pytest.raises(LimitError, match="12 values by line 6: over the limit point_values"):
        read_points(io.StringIO("1,2\n" * 6), variables, "-")


def test_long_lines_are_read_in_blocks_of_bounded_size():
    lines = (f"{i}," + "0" * 999_990 + "\n" for i in range(100))  # a hundred lines of a million characters
    batches = list(points._batches(lines, rows=65_536))
    assert sum(len(b) for b in batches) == 100
    assert max(sum(map(len, b)) for b in batches) <= points.READ_CHARS + 1_000_000


def test_a_points_file_over_the_limit_is_one_line(tmp_path):
    source = tmp_path / "points.txt"
    source.write_text("1," * 600_000 + "1\n")
    result = invoke("grad", "x*y", "--points", str(source))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"jac: --points {source} line 1: more than 1,000,000 characters: over the limit input_chars "
        "(characters in one argument, standard input or point: at most 1,000,000)\n"
    )


def test_bytes_that_are_not_utf8_in_a_points_file_are_named_with_their_line(tmp_path):
    source = tmp_path / "points.txt"
    source.write_bytes(b"1,2\n1,\xff\n")
    result = invoke("grad", "x*y", "--points", str(source))
    assert result.exit_code == 2
    assert "line 2: point value for y" in result.stderr and "invalid UTF-8 (the byte 0xFF)" in result.stderr


# --- jac check --file -----------------------------------------------------------------------------

PROBLEM = '[[problem]]\nname = "p"\nkind = "grad"\nfunction = "x^2"\nanswer = "2x"\n'


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        (PROBLEM, 2),  # the [[problem]] header
        ('name = "[[[[{{{{"\n', 0),
        ("name = '[[[['  # [[[[[[\n", 0),
        ('name = """\n[[[[\n"""\n', 0),
        ("name = '''\n{{{{\n'''\n", 0),
        ('name = "a\\"[["\n', 0),
        ("at = [[1, [2]], [3]]\n", 3),
        ("at = {a = {b = [1]}}\n", 3),
    ],
)
def test_toml_depth_skips_strings_and_comments(text, depth):
    assert problems.toml_depth(text)[0] == depth


def test_deep_toml_is_refused_before_the_reader_recurses():
    text = PROBLEM + "at = " + "[" * 900 + "]" * 900 + "\n"
    with pytest.raises(LimitError, match=r"<stdin> line 6: arrays or inline tables nested 900 deep"):
        problems.load_problems(text, "<stdin>")
    inline = PROBLEM + "at = " + "{a = " * 900 + "1" + "}" * 900 + "\n"
    with pytest.raises(LimitError, match="nested 900 deep: over the limit nesting_depth"):
        problems.load_problems(inline, "<stdin>")


def test_nesting_up_to_the_limit_reaches_the_reader():
    depth = bounds.NESTING_DEPTH.value
    text = PROBLEM + "at = " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"
    with pytest.raises(verdict.ProblemFileError, match="'at' must be a point"):
        problems.load_problems(text, "hw.toml")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("tol = 1" + "0" * 400, "'tol' must be a finite number of at least 0"),
        ("tol = 1e400", "'tol' must be a finite number of at least 0"),
        ("tol = -1", "'tol' must be a finite number of at least 0"),
        ("order = " + "9" * 5000, "not valid TOML: a whole number of more than 4,300 digits"),
    ],
)
def test_odd_numbers_in_a_problem_file_are_refused_in_one_line(extra, message):
    with pytest.raises(verdict.ProblemFileError, match=message):
        problems.load_problems(PROBLEM + extra + "\n", "hw.toml")


def test_a_tol_of_many_digits_that_fits_a_float_is_accepted():
    (problem,) = problems.load_problems(PROBLEM + "tol = 0." + "0" * 399 + "1\n", "hw.toml")
    assert problem.tol == 0.0 or problem.tol < 1e-300


def test_the_number_of_problems_is_limited(monkeypatch):
    monkeypatch.setattr(bounds, "PROBLEMS", bounds.Limit("problems", 3, "problems in one problem file"))
    assert len(problems.load_problems(PROBLEM * 3, "hw.toml")) == 3
    with pytest.raises(LimitError, match=r"hw\.toml: 4 problems: over the limit problems"):
        problems.load_problems(PROBLEM * 4, "hw.toml")


def test_a_problem_file_over_the_size_limit_is_refused_unread(tmp_path):
    big = tmp_path / "hw.toml"
    big.write_text(PROBLEM + "#" * bounds.PROBLEM_FILE_BYTES.value)
    result = invoke("check", "--file", str(big))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "more than 2,000,000 bytes: over the limit problem_file_bytes" in result.stderr
    result = invoke("check", "--file", "-", input=b"#" * (bounds.PROBLEM_FILE_BYTES.value + 1))
    assert result.exit_code == 2 and "over the limit problem_file_bytes" in result.stderr


def test_a_folder_as_problem_file_is_one_line(tmp_path):
    result = invoke("check", "--file", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith("jac: --file: cannot read") and result.stderr.count("\n") == 1


MARKUP = (
    '[[problem]]\nname = "[/]"\nkind = "grad"\nfunction = "x^2"\nanswer = "2x"\n\n'
    '[[problem]]\nname = "[link=http://e.x]c[/link]"\nkind = "grad"\nfunction = "x^2"\nanswer = "3x"\n\n'
    '[[problem]]\nname = "two\\nlines"\nkind = "grad"\nfunction = "x^2"\nanswer = "2x"\n'
)


@pytest.mark.parametrize("fmt", ["table", "plain"])
def test_problem_names_are_printed_literally_on_one_line(fmt):
    result = invoke("check", "--file", "-", "--format", fmt, "--no-color", input=MARKUP)
    assert result.exit_code == 1, result.stderr
    assert "[/]" in result.stdout
    assert "[link=http://e.x]c[/link]" in result.stdout
    assert "\x1b]8;" not in result.stdout  # no hyperlink escape
    assert "two\\nlines" in result.stdout


# --- descend --------------------------------------------------------------------------------------


def _run(steps: int, keep: int | None = None, on_step=None) -> descent.Descent:
    gradient = jaccli.gradient("(x - 1)**2 + (y + 2)**2 + x*y/10")
    return descent.descend(gradient, [5.0, -5.0], rate=0.01, steps=steps, tol=0.0, keep=keep, on_step=on_step)


def test_a_lean_path_keeps_only_the_ends_and_every_value():
    full = _run(1_000)
    lean = _run(1_000, keep=render_descent.KEEP_POINTS)
    assert len(lean.path) == len(full.path) == 1_001
    assert list(lean.path.values) == [s.value for s in full.path]
    assert lean.path[:21] == full.path[:21]
    assert lean.path[-21:] == full.path[-21:]
    with pytest.raises(LookupError):
        lean.path[500]
    plain_full, plain_lean = io.StringIO(), io.StringIO()
    render_descent.render_descent(full, "plain", plain_full)
    render_descent.render_descent(lean, "plain", plain_lean)
    assert plain_lean.getvalue() == plain_full.getvalue()


@pytest.mark.parametrize("steps", [0, 5, render_descent.JSON_BATCH + 7])
def test_streamed_json_is_the_json_of_the_whole_run(steps):
    out = io.StringIO()
    text = jaccli.gradient("(x - 1)**2 + (y + 2)**2 + x*y/10").function_texts[0]
    stream = render_descent.JsonStream(out, text, ["x", "y"], 0.01, steps, 0.0)
    streamed = _run(steps, keep=render_descent.KEEP_POINTS, on_step=stream.step)
    stream.finish(streamed)
    whole = io.StringIO()
    render_descent.render_descent(_run(steps), "json", whole)
    assert out.getvalue() == whole.getvalue()
    assert len(json.loads(out.getvalue())["path"]) == steps + 1


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--rate", "1/10**400", "--rate '1/10**400' is too small to compute with: it is 0 in floating point"),
        ("--rate", "10**400", "--rate '10**400' is too large to compute with"),
        ("--tol", "10**400", "--tol '10**400' is too large to compute with"),
        ("--tol", "1/10**400", "--tol '1/10**400' is too small to compute with"),
    ],
)
def test_descent_settings_beyond_floating_point_say_so(option, value, message):
    result = invoke("descend", "x**2", "--at", "1", option, value)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"jac: {message}")
    assert "got 0" not in result.stderr and result.stderr.count("\n") == 1


def test_a_start_beyond_floating_point_is_named_not_inf():
    result = invoke("descend", "x**2+y**2", "--at", "1,-10**400")
    assert result.exit_code == 2
    assert result.stderr == (
        "jac: the start point's y = -1.0e+400 is too large for floating point, in which descent computes "
        "(at most about 1.8e308)\n"
    )


# --- messages of the parser -----------------------------------------------------------------------


@pytest.mark.parametrize("size", ["\u00b9", "\u0663", "\uff13", "3\u0663"])
def test_vector_sizes_are_ascii_digits(size):
    result = invoke("grad", "sum(x)", "--vars", f"x:{size}")
    assert result.exit_code == 2
    assert "a vector size is a whole number from 1" in result.stderr and "in ASCII digits" in result.stderr


def test_a_name_in_a_point_value_does_not_claim_there_are_no_variables():
    result = invoke("grad", "x*y", "--points", "-", input="0x10,1\n")
    assert result.exit_code == 2
    assert "declared variables: none" not in result.stderr
    assert "unknown name 'x10' (a value is a number: names other than pi and e are not allowed)" in result.stderr


# --- files ------------------------------------------------------------------------------------------


def test_a_failed_replacement_leaves_the_old_file_and_nothing_else(tmp_path):
    target = tmp_path / "picture.png"
    target.write_bytes(b"old")
    target.chmod(0o640)
    with pytest.raises(OSError), files.replacing(target) as stream:
        stream.write(b"half of the new")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]
    with files.replacing(target) as stream:
        stream.write(b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert list(tmp_path.iterdir()) == [target]


def test_a_replaced_link_stays_a_link(tmp_path):
    real = tmp_path / "real.png"
    real.write_bytes(b"old")
    link = tmp_path / "link.png"
    link.symlink_to(real)
    with files.replacing(link) as stream:
        stream.write(b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_a_new_file_gets_the_usual_permissions(tmp_path):
    mask = os.umask(0o027)
    try:
        with files.replacing(tmp_path / "new.png") as stream:
            stream.write(b"x")
    finally:
        os.umask(mask)
    assert stat.S_IMODE((tmp_path / "new.png").stat().st_mode) == 0o640


def test_a_picture_that_cannot_be_written_leaves_the_old_one(tmp_path):
    from jaccli.render import picture

    class FullDisk:
        def savefig(self, stream, format):
            assert format == "png"
            stream.write(b"\x89PNG half")
            raise OSError(errno.ENOSPC, "No space left on device")

    target = tmp_path / "out.png"
    target.write_bytes(b"the old picture")
    with pytest.raises(JacError, match=r"--plot: cannot write '.*out\.png': No space left on device"):
        picture.save(FullDisk(), target)
    assert target.read_bytes() == b"the old picture"
    assert list(tmp_path.iterdir()) == [target]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "--plot needs a file name: it must end in .png, .svg, .pdf"),
        (".", "--plot '.' is a folder, not a file name"),
        ("out/", "is a folder, not a file name"),
        ("out.jpg", "the file name must end in .png, .svg, .pdf"),
        ("no/such/folder/out.png", "cannot write 'no/such/folder/out.png': there is no folder"),
    ],
)
def test_plot_names_are_checked_before_any_work(name, message, tmp_path, monkeypatch):
    from jaccli.render import picture

    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    with pytest.raises(JacError, match=message.replace(".", r"\.").replace("(", r"\(")):
        picture.check_target(name)


def test_a_hidden_png_is_a_png(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("grad", "x*y", "--at", "1,2", "--plot", ".png")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / ".png").read_bytes().startswith(b"\x89PNG")
    assert [p.name for p in tmp_path.iterdir()] == [".png"]


def test_a_plot_far_out_is_drawn_or_refused_in_one_line(tmp_path):
    target = tmp_path / "far.png"
    result = invoke("grad", "x**2+y**2", "--at", "1e300,1e300", "--plot", str(target))
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes().startswith(b"\x89PNG")
    result = invoke("grad", "x*y", "--at", "1e308,1e308", "--plot", str(tmp_path / "farther.png"))
    assert result.exit_code == 2
    assert (
        result.stderr
        == "jac: --plot: the point is too far out to draw: the window around it is beyond floating point\n"
    )


def test_matplotlib_folders_under_a_home_that_is_a_file_are_not_writable(tmp_path, monkeypatch):
    from jaccli.render import picture

    (tmp_path / "home").write_text("")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("MPLCONFIGDIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    assert picture._writable_folders() is False
    monkeypatch.setenv("HOME", str(tmp_path / "missing"))
    assert picture._writable_folders() is False
    assert not (tmp_path / "missing").exists()  # jac makes no home folder
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "config"))
    assert picture._writable_folders() is True


# --- --install-completion -----------------------------------------------------------------------


def test_install_completion_writes_each_file_once(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".bashrc").write_text("# mine\n")
    for _ in range(2):
        shell, path = completion.install(shell="bash")
    assert (shell, path) == ("bash", tmp_path / ".bash_completions" / "jac.sh")
    assert "_JAC_COMPLETE=complete_bash" in path.read_text()
    rc = (tmp_path / ".bashrc").read_text()
    assert rc.startswith("# mine\n") and rc.count(f"source '{path}'") == 1
    completion.install(shell="zsh")
    completion.install(shell="fish")
    assert (tmp_path / ".zfunc" / "_jac").is_file()
    assert (tmp_path / ".config" / "fish" / "completions" / "jac.fish").is_file()
    assert "fpath+=~/.zfunc" in (tmp_path / ".zshrc").read_text()


def test_install_completion_on_a_full_disk_keeps_bashrc(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".bashrc").write_text("# mine\n")
    real = files.replacing

    @contextlib.contextmanager
    def full_disk(target):
        with real(target) as stream:

            class Half:
                def write(self, data: bytes) -> None:
                    stream.write(data[: len(data) // 2])
                    raise OSError(errno.ENOSPC, "No space left on device")

            yield Half()

    monkeypatch.setattr(files, "replacing", full_disk)
    with pytest.raises(SystemExit) as caught:
        completion.install(shell="bash")
    assert caught.value.code == 2
    assert (tmp_path / ".bashrc").read_text() == "# mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".bashrc"]
    assert capsys.readouterr().err == (
        f"jac: --install-completion: cannot write '{tmp_path / '.bashrc'}': No space left on device\n"
    )


# --- guarded streams --------------------------------------------------------------------------------


def test_symbols_fall_back_to_ascii():
    import codecs

    codecs.register_error("jac-ascii", guard._ascii_fallback)  # as the console script does at start-up
    text = "|∇f| ≈ 14.1421, ∂f/∂θ_1, −∇f, 3×3 … ⋮ ┏━┳━┓ │ ╇ ▁▃█ α·β ²"
    assert text.encode("ascii", "jac-ascii") == (
        b"|grad f| ~ 14.1421, df/dtheta_1, -grad f, 3x3 ... : +-+-+ | + _,# alpha*beta ^2"
    )
    assert "x²".encode("latin-1", "jac-ascii") == "x²".encode("latin-1")  # what the encoding has stays


def test_a_sink_keeps_the_first_error_and_never_raises():
    read, write = os.pipe()
    os.close(read)
    sink = guard._Sink(write, tty=False)
    assert sink.write(b"lost") == 4 and sink.write(b"too") == 3
    assert sink.attempted and sink.error is not None and sink.error.errno == errno.EPIPE
    os.close(write)
    closed = guard._Sink(1, tty=False, closed=True)
    assert not closed.attempted
    closed.write(b"x")
    assert closed.attempted and closed.error is not None and "closed" in str(closed.error)


def test_in_process_a_tiny_timeout_is_a_timeout_not_a_traceback():
    result = invoke("grad", "x", "--timeout", "1e-9")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "jac: timed out after 1e-09 s (use --timeout to allow more)\n"


# --- roots of a rational number with a huge index -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x*8**(1/1000000000000)", "8**(1/1000000000000)"),  # looking for 2**(10**12) as a factor built it
        ("x*(2/3)**(1/10**15)", "2**(1/1000000000000000)*3**(999999999999999/1000000000000000)/3"),
        ("x*200**(1/2)", "10*sqrt(2)"),  # perfect powers are still taken out
    ],
)
def test_a_root_with_a_huge_index_is_built_without_building_its_candidate_factors(text, expected):
    code = f"import jaccli; print(jaccli.derivative({text!r}).symbolic[0][0])"

    def cap() -> None:  # a regression must fail here, not take the machine's memory
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, preexec_fn=cap, check=False
    )
    assert (done.returncode, done.stdout.strip()) == (0, expected), done.stderr[-500:]
