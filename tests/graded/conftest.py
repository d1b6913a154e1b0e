"""Graded tests: each module tests one exercise notebook; each test is a rubric criterion.

The ``exercise`` fixture, the ``rubric`` marker and the per-test time limit come from
:mod:`mlcourse.grading.plugin`; pytest finds them by their names in this module.
"""

from mlcourse.grading.plugin import *  # noqa: F403
