"""Solution markers become stubs; malformed markers are errors naming file, cell and line."""

import pytest

from mlcourse.grading.markers import (
    DEFAULT_MARKDOWN_TODO,
    Location,
    MarkerError,
    SourceKind,
    to_exercise,
)

CELL = Location("solutions/Mini-Projects/X.ipynb", cell=4)
CODE = SourceKind.CODE
MARKDOWN = SourceKind.MARKDOWN


def exercise_code(text: str) -> str:
    return to_exercise(text, CODE, CELL).text


def test_solution_region_becomes_a_stub_at_its_indentation():
    solution = (
        "def f(x):\n"
        "    # TODO: double x\n"
        "    ### BEGIN SOLUTION\n"
        "    y = 2 * x\n"
        "    return y\n"
        "    ### END SOLUTION\n"
        "\n"
        "print(f)"
    )
    assert exercise_code(solution) == (
        "def f(x):\n"
        "    # TODO: double x\n"
        '    raise NotImplementedError("TODO: double x")\n'
        "\n"
        "print(f)"
    )


def test_stub_raises_the_todo_text_even_with_quotes_and_backslashes():
    todo = "parse \"a\\b\" with the 're' module"
    namespace: dict = {}
    exec(
        exercise_code(
            f"def f():\n    # TODO: {todo}\n    ### BEGIN SOLUTION\n    ### END SOLUTION"
        ),
        namespace,
    )
    with pytest.raises(NotImplementedError) as raised:
        namespace["f"]()
    assert str(raised.value) == f"TODO: {todo}"


def test_continuation_comments_join_the_todo_message():
    result = to_exercise(
        "# TODO: first part,\n#       second part\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n",
        CODE,
        CELL,
    )
    assert result.text.endswith('raise NotImplementedError("TODO: first part, second part")\n')
    assert [todo.message for todo in result.todos] == ["TODO: first part, second part"]
    assert result.todos[0].line == 3


def test_text_without_markers_is_unchanged_line_endings_included():
    text = "a = 1\r\n# TODO: nothing to replace\r\nb = 2"
    assert to_exercise(text, CODE, CELL) == to_exercise(text, CODE, CELL)
    assert exercise_code(text) == text


def test_crlf_line_endings_survive_the_stub():
    text = "# TODO: x\r\n### BEGIN SOLUTION\r\nx = 1\r\n### END SOLUTION\r\ny = 2\r\n"
    assert exercise_code(text) == '# TODO: x\r\nraise NotImplementedError("TODO: x")\r\ny = 2\r\n'


def test_markdown_answer_becomes_an_answer_stub_with_its_todo():
    text = "**TODO:** explain the trade-off.\n\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"
    assert to_exercise(text, MARKDOWN, CELL).text == (
        "**TODO:** explain the trade-off.\n\n**Answer:** _TODO: explain the trade-off._"
    )


def test_markdown_answer_without_todo_line_gets_the_default_prompt():
    text = "### BEGIN SOLUTION\nBecause.\n### END SOLUTION"
    assert to_exercise(text, MARKDOWN, CELL).text == f"**Answer:** _TODO: {DEFAULT_MARKDOWN_TODO}_"


def test_exercise_only_code_is_uncommented_after_the_stub():
    text = (
        "def f():\n"
        "    # TODO: fix the bug\n"
        "    ### BEGIN SOLUTION\n"
        "    return 1\n"
        "    ### END SOLUTION\n"
        "    ### BEGIN EXERCISE ONLY\n"
        "    # return 1 / 0  # buggy\n"
        "    #\n"
        "    ### END EXERCISE ONLY"
    )
    assert exercise_code(text) == (
        "def f():\n"
        "    # TODO: fix the bug\n"
        '    raise NotImplementedError("TODO: fix the bug")\n'
        "    return 1 / 0  # buggy\n"
        "    "
    )


def test_exercise_only_markdown_is_kept_as_written():
    text = "Intro\n### BEGIN EXERCISE ONLY\n*Hint:* # is not a comment here\n### END EXERCISE ONLY"
    assert to_exercise(text, MARKDOWN, CELL).text == "Intro\n*Hint:* # is not a comment here"


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("# TODO: x\n### BEGIN SOLUTION\nx = 1", 2, "never closed"),
        ("x = 1\n### END SOLUTION", 2, "without a matching BEGIN"),
        (
            "# TODO: a\n### BEGIN SOLUTION\n# TODO: b\n### BEGIN SOLUTION\n### END SOLUTION\n"
            "### END SOLUTION",
            4,
            "must not nest",
        ),
        ("### BEGIN EXERCISE ONLY\n# x\n### END SOLUTION", 3, "open region is EXERCISE ONLY"),
        ("x = 1\n### BEGIN SOLUTION\n### END SOLUTION", 2, "must follow a '# TODO: ...'"),
        ("### BEGIN EXERCISE ONLY\nx = 1\n### END EXERCISE ONLY", 2, "must be commented out"),
        ("# TODO: x\n## BEGIN SOLUTION\nx = 1", 2, "malformed marker"),
        ("### begin solution", 1, "malformed marker"),
        ("### END EXERCISE", 1, "malformed marker"),
    ],
)
def test_malformed_markers_name_file_cell_and_line(text, line, problem):
    with pytest.raises(MarkerError) as raised:
        to_exercise(text, CODE, CELL)
    message = str(raised.value)
    assert message.startswith(f"solutions/Mini-Projects/X.ipynb, cell index 4, line {line}: ")
    assert problem in message
    assert (raised.value.location, raised.value.line) == (CELL, line)


def test_script_errors_name_the_file_without_a_cell():
    with pytest.raises(MarkerError, match=r"^solutions/Case-Studies/S/source/train\.py, line 1: "):
        to_exercise(
            "### END SOLUTION\n", CODE, Location("solutions/Case-Studies/S/source/train.py")
        )


def test_ordinary_comments_mentioning_solutions_are_not_markers():
    text = "# End of the solution approach\n# Begin with the exercise data\n"
    assert exercise_code(text) == text
