"""The in-notebook check: ``check("vocabulary")`` under a graded TODO.

It runs the graded tests of this exercise whose names start with ``test_<key>`` (here
``test_vocabulary_keeps_most_frequent_words`` and ``test_vocabulary_breaks_ties_alphabetically``)
and prints one rubric line per criterion, exactly as ``make grade`` would::

    [NOT MET] Keeps the most frequent words in the vocabulary, numbered from 0 — NotImplemen…
    NOT MET: 0/2 criteria of this part met

The tests run in a pytest subprocess (:mod:`.runner`), so a learner's endless loop or crash
cannot hang or kill the kernel. They see the learner's *current* code: the graded cells as last
saved, with every function and class the kernel has since redefined replaced by the kernel's
version (JupyterLab saves only every two minutes). Scripts (``source/train.py``) are read from
disk. Nothing here needs localcloud or AWS: it works wherever the repository and pytest are.
"""

from __future__ import annotations

import ast
import json
import linecache
import os
from collections.abc import Sequence
from pathlib import Path

from .grade import criterion_line
from .layout import CourseError, locate_exercise
from .loader import graded_cell_sources
from .markers import CHECK_PREFIX, selects_test
from .results import DEFAULT_TIMEOUT_SECONDS
from .runner import run_graded_tests

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class CheckError(CourseError, LookupError):
    """A check that cannot run: unknown notebook, or no graded test matches its keys."""


def check(*keys: str, notebook: str | os.PathLike | None = None,
          timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
    """Run the graded tests named ``test_<key>...`` for one of ``keys``; print MET / NOT MET.

    ``notebook`` is found from the running kernel when not given (Jupyter's session, VS Code,
    or the notebook in the current folder holding this cell).
    """
    path = Path(notebook) if notebook else _running_notebook(keys)
    layout, exercise = locate_exercise(path)
    test_module = layout.graded_test_module(exercise)
    if not test_module.is_file():
        raise CheckError(f"{exercise} has no graded tests (looked for {test_module})")
    tests = select_tests(_test_names(test_module), keys, test_module)
    cells, redefined = current_graded_cells(path, _kernel_namespace())
    run = run_graded_tests(test_module, path, timeout=timeout, tests=tests, graded_cells=cells)
    print("\n".join(check_report(run, redefined)))


def select_tests(names: Sequence[str], keys: Sequence[str], test_module: Path) -> list[str]:
    """The test names starting with ``test_<key>`` for one of ``keys``, in module order."""
    if not keys:
        raise CheckError("say what to check, e.g. check(\"vocabulary\")")
    selected = [name for name in names if selects_test(keys, name)]
    if not selected:
        raise CheckError(f"no graded test in {test_module.name} matches {', '.join(keys)}; "
                         f"its tests are: {', '.join(names)}")
    return selected


def check_report(run, redefined: Sequence[str] = ()) -> list[str]:
    """The rubric lines of a check run, then a one-line summary."""
    lines = [criterion_line(result) for result in run.results]
    if not run.all_met:
        lines.extend(f"Note: {note}" for note in run.notes)
    verdict = "MET" if run.all_met else "NOT MET"
    summary = f"{verdict}: {run.met}/{len(run.results)} criteria of this part met"
    if redefined:
        summary += f" (checked your current {', '.join(redefined)}, not the last saved version)"
    return [*lines, summary]


def current_graded_cells(path: Path, namespace: dict | None) -> tuple[list[tuple[int, str]],
                                                                      list[str]]:
    """The notebook's graded cells with the kernel's newer definitions spliced in.

    Returns the cells and the names whose kernel definition differs from the saved one.
    """
    cells = graded_cell_sources(path)
    if not namespace:
        return cells, []
    current, redefined = [], []
    for index, source in cells:
        source, names = _splice_kernel_definitions(source, namespace)
        current.append((index, source))
        redefined.extend(names)
    return current, redefined


def _splice_kernel_definitions(source: str, namespace: dict) -> tuple[str, list[str]]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source, []  # IPython syntax or a learner's typo: the saved cell as it is
    lines = source.splitlines(keepends=True)
    redefined = []
    for node in reversed(tree.body):  # from the bottom, so earlier line numbers stay valid
        if not isinstance(node, _DEFINITIONS):
            continue
        kernel_text = kernel_definition(namespace.get(node.name), node)
        start = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
        saved_text = "".join(lines[start - 1:node.end_lineno])
        if kernel_text is not None and kernel_text.rstrip() != saved_text.rstrip():
            ending = "\n" if node.end_lineno < len(lines) else ""
            lines[start - 1:node.end_lineno] = [kernel_text.rstrip("\n") + ending]
            redefined.append(node.name)
    return "".join(lines), list(reversed(redefined))


def kernel_definition(value: object, saved: ast.AST) -> str | None:
    """The source of ``value`` as last run in a notebook cell, if it is a function or class
    defined there with the same name and kind as ``saved``; None otherwise."""
    filename = _cell_file_of(value)
    if filename is None or Path(filename).is_file():
        return None  # not defined in a cell: imported, or built in
    cell_source = "".join(linecache.getlines(filename))
    try:
        tree = ast.parse(cell_source)
    except SyntaxError:
        return None
    lines = cell_source.splitlines(keepends=True)
    for node in tree.body:
        if type(node) is type(saved) and node.name == saved.name:
            start = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
            return "".join(lines[start - 1:node.end_lineno])
    return None


def _cell_file_of(value: object) -> str | None:
    """The file a function's or class's code was compiled from (a class: via its methods)."""
    if isinstance(value, type):
        members = list(vars(value).values())
        functions = [getattr(member, "__func__", getattr(member, "fget", member))
                     for member in members]
        codes = [function.__code__ for function in functions if hasattr(function, "__code__")]
        return codes[0].co_filename if codes else None
    code = getattr(getattr(value, "__wrapped__", value), "__code__", None)
    return code.co_filename if code is not None else None


def _test_names(test_module: Path) -> list[str]:
    """The module's test functions, read without importing it (the kernel stays clean)."""
    tree = ast.parse(test_module.read_text(encoding="utf-8"))
    return [node.name for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node.name.startswith("test")]


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _kernel_namespace() -> dict | None:
    shell = _ipython()
    return shell.user_ns if shell is not None else None


def _running_notebook(keys: Sequence[str]) -> Path:
    """The notebook this kernel runs: Jupyter says it, or the current folder has only one
    notebook with this check cell."""
    shell = _ipython()
    session = os.environ.get("JPY_SESSION_NAME", "")  # Jupyter Server 2 sets it
    vscode = shell.user_ns.get("__vsc_ipynb_file__", "") if shell is not None else ""
    for candidate in (session, vscode):
        if candidate.endswith(".ipynb") and Path(candidate).is_file():
            return Path(candidate)
    cell_id = _running_cell_id(shell)
    call = f"check({', '.join(json.dumps(key) for key in keys)})"
    # A solution holds the marker the check cell is generated from.
    texts = (call, f"{CHECK_PREFIX} {' '.join(keys)}")
    matches = [path for path in sorted(Path.cwd().glob("*.ipynb"))
               if _holds_cell(path, cell_id, texts)]
    if len(matches) == 1:
        return matches[0]
    raise CheckError(
        "cannot tell which notebook this is; name it: "
        f"{call[:-1]}, notebook=\"<this notebook>.ipynb\")")


def _running_cell_id(shell) -> str | None:
    """JupyterLab sends the id of the cell it runs with the request."""
    try:
        return shell.kernel.get_parent()["metadata"].get("cellId")
    except (AttributeError, KeyError, TypeError):
        return None


def _holds_cell(path: Path, cell_id: str | None, texts: Sequence[str]) -> bool:
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return False
    if cell_id:
        return any(cell.get("id") == cell_id for cell in cells)
    sources = ["".join(cell.get("source", "")) for cell in cells]
    return any(text in source for source in sources for text in texts)
