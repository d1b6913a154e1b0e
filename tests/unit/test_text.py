"""Tests for mlcourse.text: cleaning, stemming, vocabularies, bag-of-words and the cache."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse

import mlcourse.text.lite
from mlcourse.text import (
    STOP_WORDS,
    bow_encode,
    bow_encode_batch,
    bow_encoding,
    build_vocabulary,
    preprocess_reviews,
    review_to_words,
    simple_words,
    strip_html,
    to_csv_row,
)
from mlcourse.text import preprocess as preprocess_module

# --- cleaning -------------------------------------------------------------------------------


def test_strip_html_keeps_words_on_both_sides_apart():
    assert strip_html("one<br />two<br/><i>three</i>").split() == ["one", "two", "three"]


def test_simple_words_lowercases_and_drops_html_and_punctuation():
    review = "A GREAT film!<br /><br />Really... 10/10 -- loved_it (twice)."
    expected = ["a", "great", "film", "really", "10", "10", "loved", "it", "twice"]
    assert simple_words(review) == expected


@pytest.mark.parametrize("review", ["", "   ", "<br /><br />", "!!! ... ?!", "🙂🎬"])
def test_text_without_words_gives_no_words(review):
    assert simple_words(review) == []
    assert review_to_words(review) == []


def test_non_english_letters_stay_whole_words():
    assert simple_words("Ce film était génial. Фильм отличный! 映画") == [
        "ce", "film", "était", "génial", "фильм", "отличный", "映画",
    ]


def test_review_to_words_removes_stop_words_and_stems():
    words = review_to_words("This movie was not <br />wonderfully ACTED, the actors were amazing!")
    assert words == ["movi", "wonder", "act", "actor", "amaz"]
    assert not {"this", "was", "not", "the", "were"} & set(words)


def test_review_to_words_handles_non_english_text():
    # Porter rules are English, but foreign words pass through whole rather than being split.
    assert review_to_words("Ce film était magnifique") == ["ce", "film", "était", "magnifiqu"]
    assert review_to_words("Фильм отличный") == ["фильм", "отличный"]


def test_stop_words_are_offline_and_english():
    assert {"the", "and", "not"} <= STOP_WORDS
    assert "movie" not in STOP_WORDS


# --- vocabulary and bag of words ------------------------------------------------------------


def test_build_vocabulary_keeps_the_most_frequent_words_ties_alphabetical():
    word_lists = [["b", "a", "c", "c"], ["c", "b", "d"], ["e"]]
    assert build_vocabulary(word_lists, 3) == {"c": 0, "b": 1, "a": 2}
    assert build_vocabulary(word_lists, 10) == {"c": 0, "b": 1, "a": 2, "d": 3, "e": 4}
    assert build_vocabulary(word_lists, 0) == {}
    assert build_vocabulary([], 5) == {}


def test_build_vocabulary_can_reserve_leading_indices():
    assert build_vocabulary([["x", "y", "x"]], 2, first_index=2) == {"x": 2, "y": 3}


def test_build_vocabulary_rejects_a_negative_size():
    with pytest.raises(ValueError, match="size"):
        build_vocabulary([["a"]], -1)


def test_bow_encoding_counts_vocabulary_words_and_ignores_the_rest():
    vocabulary = {"good": 0, "bad": 1, "plot": 2}
    assert bow_encoding(["good", "plot", "good", "unknown"], vocabulary) == [2, 0, 1]
    assert bow_encoding([], vocabulary) == [0, 0, 0]
    assert bow_encoding(["good"], {}) == []


def test_bow_encode_batch_rows_match_single_encodings():
    vocabulary = {"good": 0, "bad": 1, "plot": 2}
    word_lists = [["good", "good", "plot"], [], ["bad", "other"], ["plot"]]

    matrix = bow_encode_batch(word_lists, vocabulary)

    assert scipy.sparse.issparse(matrix)
    assert matrix.shape == (4, 3)
    expected = np.array([bow_encode(words, vocabulary) for words in word_lists])
    np.testing.assert_array_equal(matrix.toarray(), expected)
    dense = bow_encode_batch(word_lists, vocabulary, dense=True)
    assert isinstance(dense, np.ndarray)
    np.testing.assert_array_equal(dense, expected)


def test_bow_encode_batch_of_no_reviews_is_empty_with_vocabulary_width():
    assert bow_encode_batch([], {"a": 0, "b": 1}).shape == (0, 2)


def test_bow_encode_returns_a_numpy_row():
    row = bow_encode(["b", "b"], {"a": 0, "b": 1})
    assert row.dtype.kind == "i"
    np.testing.assert_array_equal(row, [0, 2])


def test_to_csv_row_formats_an_endpoint_request_body():
    assert to_csv_row([0, 3, 1]) == "0,3,1"
    assert to_csv_row([]) == ""


# --- preprocessing cache --------------------------------------------------------------------

REVIEWS = ["A wonderful film<br />with great acting.", "Boring and far too long."]


def _fail_if_called(review: str) -> list[str]:
    raise AssertionError("review_to_words should not run when the cache matches")


def test_preprocess_without_cache_applies_review_to_words(tmp_path):
    assert preprocess_reviews(REVIEWS) == [review_to_words(review) for review in REVIEWS]
    assert list(tmp_path.iterdir()) == []


def test_preprocess_cache_is_written_then_reused(tmp_path, monkeypatch):
    cache_file = tmp_path / "cache" / "train.json"
    first = preprocess_reviews(REVIEWS, cache_file=cache_file)
    assert cache_file.is_file()
    assert [path.name for path in cache_file.parent.iterdir()] == ["train.json"]

    monkeypatch.setattr(preprocess_module, "review_to_words", _fail_if_called)
    assert preprocess_reviews(REVIEWS, cache_file=cache_file) == first


def test_preprocess_cache_for_other_reviews_is_recomputed(tmp_path, monkeypatch):
    cache_file = tmp_path / "train.json"
    preprocess_reviews(REVIEWS, cache_file=cache_file)

    changed = [*REVIEWS[:-1], "Dreadful acting."]
    words = preprocess_reviews(changed, cache_file=cache_file)

    assert words[-1] == ["dread", "act"]
    monkeypatch.setattr(preprocess_module, "review_to_words", _fail_if_called)
    assert preprocess_reviews(changed, cache_file=cache_file) == words  # cache now holds these


def test_preprocess_cache_fingerprint_separates_review_boundaries(tmp_path):
    cache_file = tmp_path / "c.json"
    preprocess_reviews(["great film", "boring"], cache_file=cache_file)
    assert preprocess_reviews(["great", "film boring"], cache_file=cache_file) == [
        ["great"], ["film", "bore"],
    ]


def test_unreadable_preprocess_cache_is_replaced(tmp_path, caplog):
    cache_file = tmp_path / "train.json"
    cache_file.write_text("{ not json")

    assert preprocess_reviews(REVIEWS, cache_file=cache_file) == preprocess_reviews(REVIEWS)
    assert "unreadable" in caplog.text
    assert json.loads(cache_file.read_text())["words"] == preprocess_reviews(REVIEWS)


# --- the Lambda variant needs nothing but the standard library ------------------------------

LITE_PATH = Path(mlcourse.text.lite.__file__)


def test_lite_module_imports_only_the_standard_library():
    tree = ast.parse(LITE_PATH.read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.level == 0}
    top_level = {name.split(".")[0] for name in imported}
    assert top_level, "expected some imports to check"
    assert top_level <= set(sys.stdlib_module_names) | {"__future__"}


def test_lite_module_runs_as_a_lone_file_without_site_packages():
    # -I -S: no site-packages, no user paths, so numpy, nltk or mlcourse cannot be imported.
    script = f"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("lambda_text", {str(LITE_PATH)!r})
lite = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lite)
words = lite.simple_words("Great fun<br />great cast!")
vocabulary = lite.build_vocabulary([words], 2)
print(lite.to_csv_row(lite.bow_encoding(words, vocabulary)))
print(sorted(name for name in ("numpy", "nltk", "sklearn", "mlcourse") if name in sys.modules))
"""
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["2,1", "[]"]


def test_empty_vocabulary_encodes_to_no_columns():
    from mlcourse.text import bow_encode_batch

    assert bow_encode_batch([["good"], []], {}).shape == (2, 0)


def test_the_lambda_variant_does_not_load_nltk():
    """mlcourse.text.lite ships in a Lambda function: importing it must stay light."""
    import subprocess
    import sys

    script = "import sys, mlcourse.text.lite; print('nltk' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip() == "False"
