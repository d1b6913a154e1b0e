"""Exercises generated from solutions, graded tests proven two-sided, and a grade command.

- :mod:`.markers`: ``### BEGIN SOLUTION`` / ``### END SOLUTION`` (after a ``# TODO: ...`` line)
  and ``### BEGIN EXERCISE ONLY`` / ``### END EXERCISE ONLY`` in solution notebooks and scripts.
- :mod:`.layout`: where solutions, exercises and graded tests live, and how they map.
- :mod:`.generate`: ``solutions/`` → ``Mini-Projects/`` and ``Case-Studies/``, and the drift check.
- :mod:`.loader`: what graded tests see of a notebook: its cells tagged ``graded``, executed into
  a fresh module, and the scripts beside it, imported as modules.
- :mod:`.plugin`: the pytest side (``exercise`` fixture, ``rubric`` marker, time limits).
- :mod:`.runner`: one graded-test run in a subprocess; :mod:`.results`: what it reports.
- :mod:`.grade`, :mod:`.validate`: the learner's rubric and the maintainer's two-sided proof.
- :mod:`.inline`: ``check("key")``, the cell under a graded TODO that runs its graded tests.

Command line: ``python -m mlcourse.grading generate [--check]``, ``validate``, ``grade PATH``.

This package re-exports nothing but :func:`check` (which imports its module only when called):
the pytest plugin imports the submodules inside every grading run, which must stay quick to start.
"""


def check(*keys: str, **options) -> None:
    """In an exercise notebook: run the graded tests named ``test_<key>...``; print MET or NOT
    MET per criterion, as ``make grade`` does. See :func:`mlcourse.grading.inline.check`."""
    from .inline import check as run_check

    run_check(*keys, **options)
