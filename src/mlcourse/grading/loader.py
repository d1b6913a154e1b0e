"""Reach a learner's graded code without running the whole notebook.

Exercise notebooks talk to SageMaker, so graded tests never execute them end to end. Instead:

- the code cells tagged ``graded`` (the functions under test and the imports they need) are
  executed, in notebook order, into one fresh module namespace: :class:`GradedNotebook`;
- scripts beside the notebook (e.g. ``source/train.py``) are imported as fresh modules with
  :meth:`GradedNotebook.script`.

Loading never fails because of the learner's code: a cell that does not compile, raises or runs
past its time limit is recorded, the remaining cells still run, and the failure surfaces in the
tests that need a name the cell should have defined. Untagged cells, outputs, extra cells and
cell order are irrelevant to loading, except that later cells overwrite earlier definitions.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
import json
import linecache
import re
import signal
import sys
import threading
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .layout import GRADED_TAG

# IPython syntax in a cell ("%matplotlib inline", "!pip install x") is not Python; such lines are
# neutralised, but only when the cell does not compile as it is.
_IPYTHON_LINE = re.compile(r"^(?P<indent>\s*)[%!]")
_module_numbers = itertools.count()


class GradingTimeout(BaseException):
    """Graded code ran past its time limit (an infinite loop, most likely).

    A BaseException, like KeyboardInterrupt, so that a learner's ``except Exception`` inside the
    loop cannot swallow it.
    """


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise GradingTimeout in the block when it runs longer than ``seconds``.

    Uses SIGALRM, so it interrupts pure-Python loops; it is a no-op where signals are not
    available (Windows, non-main threads). The grader also bounds the whole run from outside, for
    code stuck in C.
    """
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not seconds or seconds <= 0 or not usable:
        yield
        return

    def on_alarm(signum: int, frame: types.FrameType | None) -> None:
        raise GradingTimeout(f"timed out after {seconds:g} s (an endless loop?)")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class GradedNameError(NameError):
    """A name the graded tests need is not defined by the notebook's graded cells."""


@dataclass(frozen=True)
class CellFailure:
    """A graded cell that stopped early, and why."""

    index: int
    source: str
    error: BaseException

    def summary(self) -> str:
        first_line = (str(self.error).splitlines() or [""])[0]
        return f"graded cell index {self.index} failed: {type(self.error).__name__}: {first_line}"

    def mentions(self, name: str) -> bool:
        return re.search(rf"\b{re.escape(name)}\b", self.source) is not None


class GradedNotebook:
    """The namespace built from a notebook's graded cells; what graded tests receive.

    ``exercise["clean_review"]`` returns a name the graded cells defined;
    ``exercise.script("source/train.py")`` imports a script next to the notebook.
    """

    def __init__(
        self,
        path: Path,
        module: types.ModuleType,
        failures: list[CellFailure],
        graded_cells: int,
    ) -> None:
        self.path = path
        self.module = module
        self.failures = failures
        self.graded_cells = graded_cells

    @property
    def directory(self) -> Path:
        return self.path.parent

    def __contains__(self, name: str) -> bool:
        return name in self.module.__dict__

    def __getitem__(self, name: str) -> Any:
        """Return a name defined by the graded cells, or explain why it is missing.

        If a graded cell that mentions ``name`` failed, its error is raised again (so a stub
        outside a function still fails with its NotImplementedError, and a syntax error with
        SyntaxError); otherwise the name was renamed or its cell deleted or untagged.
        """
        if name in self.module.__dict__:
            return self.module.__dict__[name]
        for failure in self.failures:
            if failure.mentions(name):
                raise failure.error
        raise GradedNameError(self._missing_name_message(name))

    def script(self, relative_path: str) -> types.ModuleType:
        """Import ``relative_path`` (relative to the notebook's folder) as a fresh module.

        The script's folder is put on sys.path while it is imported, as SageMaker does for a
        training script, so it can import its sibling modules.
        """
        path = self.directory / relative_path
        if not path.is_file():
            raise FileNotFoundError(f"{relative_path} not found next to {self.path.name}")
        name = f"graded_script_{path.stem}_{next(_module_numbers)}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            with _prepended_sys_path(path.parent):
                spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
        return module

    def notes(self) -> list[str]:
        """Problems found while loading, for the grade report."""
        if not self.graded_cells:
            return [f"{self.path.name} has no code cells tagged '{GRADED_TAG}'"]
        return [failure.summary() for failure in self.failures]

    def _missing_name_message(self, name: str) -> str:
        if not self.graded_cells:
            return (
                f"'{name}' is not defined: {self.path.name} has no code cells tagged "
                f"'{GRADED_TAG}' (were the tags removed?)"
            )
        return (
            f"'{name}' is not defined by the cells tagged '{GRADED_TAG}'; was it renamed, or "
            f"was its cell deleted or untagged?"
        )


def load_graded_notebook(
    path: Path, cell_timeout: float | None = None, cells: list[tuple[int, str]] | None = None
) -> GradedNotebook:
    """Execute the graded cells of the notebook at ``path`` into a fresh module.

    ``cells`` replaces the graded cells read from the file: an in-notebook check passes the
    cells as the learner's kernel currently defines them, which may not be saved yet.
    """
    module = _fresh_module(f"graded_notebook_{next(_module_numbers)}", path)
    graded_cells = graded_cell_sources(path) if cells is None else cells
    failures = [
        failure
        for index, source in graded_cells
        if (failure := _run_cell(source, index, path, module, cell_timeout)) is not None
    ]
    return GradedNotebook(path, module, failures, len(graded_cells))


def graded_cell_sources(path: Path) -> list[tuple[int, str]]:
    """The index and source of each code cell tagged ``graded``, in notebook order.

    Plain JSON is enough to read them, and a grading run starts a second faster without
    nbformat (its schema validation imports slowly).
    """
    notebook = json.loads(path.read_text(encoding="utf-8"))
    graded = []
    for index, cell in enumerate(notebook.get("cells", [])):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") == "code" and GRADED_TAG in tags:
            source = cell.get("source", "")
            # nbformat stores a multi-line source as a list of lines.
            graded.append((index, source if isinstance(source, str) else "".join(source)))
    return graded


def _fresh_module(name: str, path: Path) -> types.ModuleType:
    """A module registered in sys.modules, so dataclasses and pickling in cells work."""
    module = types.ModuleType(name, f"Graded cells of {path.name}")
    module.__file__ = str(path)
    sys.modules[name] = module
    return module


def _run_cell(
    source: str, index: int, path: Path, module: types.ModuleType, timeout: float | None
) -> CellFailure | None:
    filename = f"<{path.name}, cell index {index}>"
    # Registering the source lets tracebacks show the learner's lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    try:
        code = _compile_cell(source, filename)
        with time_limit(timeout):
            exec(code, module.__dict__)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # the learner's code may raise anything, even SystemExit
        return CellFailure(index, source, error)
    return None


def _compile_cell(source: str, filename: str) -> types.CodeType:
    try:
        return compile(source, filename, "exec")
    except SyntaxError as original:
        without_ipython = "\n".join(
            _IPYTHON_LINE.sub(r"\g<indent>pass  # IPython syntax, skipped: ", line)
            for line in source.splitlines()
        )
        try:
            return compile(without_ipython, filename, "exec")
        except SyntaxError:
            raise original from None


@contextlib.contextmanager
def _prepended_sys_path(directory: Path) -> Iterator[None]:
    sys.path.insert(0, str(directory))
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(str(directory))
