"""Graded tests of Mini-Projects/Software Engineering/3 - Documentation and Version Control.ipynb.

The git walkthrough itself runs in the notebook; these criteria check the functions the learner
writes: a documented function, a README generator and a merge-conflict reader.
"""

import inspect
import re

import pytest


@pytest.mark.rubric(
    "Standardises values to mean 0 and standard deviation 1, with ddof",
    hint="mean = sum / n; variance = sum of squared deviations / (n - ddof); "
    "raise ValueError when the variance is 0.",
)
def test_standardise(exercise):
    standardise = exercise["standardise"]
    assert standardise([1.0, 2.0, 3.0], ddof=1) == pytest.approx([-1.0, 0.0, 1.0])
    population = standardise([1.0, 2.0, 3.0])
    assert population == pytest.approx([-1.2247449, 0.0, 1.2247449]), (
        f"with ddof=0 the variance divides by n; got {population}")
    with pytest.raises(ValueError):
        standardise([4.0, 4.0, 4.0])


def _section(docstring, title):
    """The lines of a NumPy-style section (title, dashes underline) up to the next section."""
    match = re.search(rf"^{title}\n-{{3,}}\n(?P<body>.*?)(?=^\w[\w ]*\n-{{3,}}|\Z)", docstring,
                      flags=re.M | re.S)
    return match["body"] if match else None


@pytest.mark.rubric(
    "Documents standardise with a NumPy-style docstring (summary, Parameters, Returns)",
    hint="A summary line, then 'Parameters' underlined with dashes listing `values : ...` and "
    "`ddof : ...`, then 'Returns' underlined with dashes.",
)
def test_standardise_docstring(exercise):
    standardise = exercise["standardise"]
    standardise([1.0, 2.0])  # the documented function must exist and work
    docstring = inspect.getdoc(standardise) or ""
    assert docstring.strip(), "standardise has no docstring"
    assert docstring.splitlines()[0].strip(), "start with a one-line summary"
    parameters = _section(docstring, "Parameters")
    assert parameters is not None, "no 'Parameters' section underlined with dashes"
    for name in ("values", "ddof"):
        assert re.search(rf"^{name}\b", parameters, flags=re.M), \
            f"'Parameters' does not describe `{name}` (a line starting `{name} : ...`)"
    assert _section(docstring, "Returns") is not None, "no 'Returns' section"


@pytest.mark.rubric(
    "Writes a README with title, description, Installation, Usage, tests and License",
    hint=("Follow the section order the TODO lists, each heading on its own line, code in fenced "
          "blocks, and a blank line between parts."),
)
def test_readme_text(exercise):
    readme = exercise["readme_text"]("demo", "Does a thing.", "pip install demo",
                                     "import demo", test_command="pytest -q",
                                     license_name="Apache-2.0")
    headings = re.findall(r"^#+ .*$", readme, flags=re.M)
    expected = ["# demo", "## Installation", "## Usage", "## Running the tests", "## License"]
    assert headings == expected, f"expected headings {expected}, got {headings}"
    assert "Does a thing." in readme.split("## Installation")[0], "description after the title"
    assert "```bash\npip install demo\n```" in readme, "install command in a ```bash block"
    assert "```python\nimport demo\n```" in readme, "usage example in a ```python block"
    assert "```bash\npytest -q\n```" in readme, "test command in a ```bash block"
    assert readme.rstrip().endswith("Apache-2.0"), "the license closes the README"


CONFLICT = """header
<<<<<<< HEAD
rate = 0.2
depth = 5
=======
rate = 0.05
depth = 8
>>>>>>> experiment
footer
"""


@pytest.mark.rubric(
    "Reads both sides of a merge conflict; no conflict is a ValueError",
    hint=("Walk the lines and switch what you collect at each of the three conflict markers: ours "
          "after the first, theirs after the middle one, stop at the last."),
)
def test_conflict_sides(exercise):
    conflict_sides = exercise["conflict_sides"]
    ours, theirs = conflict_sides(CONFLICT)
    assert list(ours) == ["rate = 0.2", "depth = 5"], f"ours: {ours}"
    assert list(theirs) == ["rate = 0.05", "depth = 8"], f"theirs: {theirs}"
    with pytest.raises(ValueError):
        conflict_sides("no markers here\n")
