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

Command line: ``python -m mlcourse.grading generate [--check]``, ``validate``, ``grade PATH``.

This package deliberately re-exports nothing: the pytest plugin imports its submodules inside
every grading run, which must stay quick to start.
"""
