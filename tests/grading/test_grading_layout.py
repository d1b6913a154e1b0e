"""The naming rule between exercises and graded tests, and finding a notebook's exercise."""

from pathlib import Path, PurePosixPath

import pytest

from mlcourse.grading.layout import (
    CourseLayout,
    UnknownExerciseError,
    locate_exercise,
    parse_exercise_name,
    slug,
)


@pytest.mark.parametrize(
    ("exercise", "expected"),
    [
        (
            "Mini-Projects/IMDB Sentiment Analysis - XGBoost (Batch Transform).ipynb",
            "imdb_sentiment_analysis_xgboost_batch_transform",
        ),
        (
            "Case-Studies/Plagiarism Detection/2_Plagiarism_Feature_Engineering.ipynb",
            "plagiarism_detection_2_plagiarism_feature_engineering",
        ),
        ("Mini-Projects/Café Réseau.ipynb", "cafe_reseau"),
    ],
)
def test_slug_of_an_exercise(exercise, expected):
    assert slug(PurePosixPath(exercise)) == expected


def test_graded_test_module_follows_the_naming_rule(fixture_course, fixture_exercise):
    module = fixture_course.graded_test_module(fixture_exercise)
    assert module == fixture_course.root / "tests/graded/test_review_scoring_word_counts.py"
    assert module.is_file()
    assert fixture_course.exercise_for_test_module(module) == fixture_exercise


def test_test_module_of_no_exercise_is_an_orphan(fixture_course):
    with pytest.raises(UnknownExerciseError, match="test_nothing.py matches no solution"):
        fixture_course.exercise_for_test_module(Path("tests/graded/test_nothing.py"))


def test_solution_files_skip_checkpoints_caches_and_run_output(course_copy):
    solutions = course_copy.solutions / "Case-Studies/Review Scoring"
    (solutions / ".ipynb_checkpoints").mkdir()
    (solutions / ".ipynb_checkpoints/Word Counts-checkpoint.ipynb").write_text("{}")
    (solutions / "source/__pycache__").mkdir()
    (solutions / "source/__pycache__/train.cpython-311.pyc").write_bytes(b"")
    (solutions / "work/reviews").mkdir(parents=True)  # what a run of the notebook leaves
    (solutions / "work/reviews/train.csv").write_text("1,0\n")
    assert [str(path) for path in course_copy.solution_files()] == [
        "Case-Studies/Review Scoring/Word Counts.ipynb",
        "Case-Studies/Review Scoring/source/train.py",
    ]
    assert course_copy.solution_notebooks() == [
        PurePosixPath("Case-Studies/Review Scoring/Word Counts.ipynb")
    ]


def test_empty_course_has_no_exercises(tmp_path):
    layout = CourseLayout(tmp_path)
    assert layout.solution_files() == []
    assert layout.graded_test_modules() == []


@pytest.mark.parametrize("prefix", ["", "solutions/"])
def test_locate_exercise_from_the_exercise_or_its_solution(
    fixture_course, fixture_exercise, prefix
):
    layout, exercise = locate_exercise(fixture_course.root / f"{prefix}{fixture_exercise}")
    assert exercise == fixture_exercise
    assert layout.root == fixture_course.root.resolve()


def test_locate_exercise_outside_the_exercise_folders_suggests_as(tmp_path):
    with pytest.raises(UnknownExerciseError, match="--as"):
        locate_exercise(tmp_path / "copy.ipynb")


@pytest.mark.parametrize("name", ["Mini-Projects/X.ipynb", "solutions/Mini-Projects/X.ipynb"])
def test_parse_exercise_name_accepts_both_trees(name):
    assert parse_exercise_name(name) == PurePosixPath("Mini-Projects/X.ipynb")


def test_parse_exercise_name_rejects_other_folders():
    with pytest.raises(UnknownExerciseError, match="Mini-Projects/ or Case-Studies/"):
        parse_exercise_name("Tutorials/X.ipynb")
