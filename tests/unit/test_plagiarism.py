"""Tests of the plagiarism corpus loader: the generated sample's layout and copying levels, and
the download path over loopback HTTP with a fixture archive."""

from __future__ import annotations

import re
import zipfile

import pandas as pd
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from mlcourse._files import sha256_file
from mlcourse.datasets import load_plagiarism_corpus
from mlcourse.datasets._download import RemoteFile
from mlcourse.datasets.plagiarism import (
    INFORMATION_FILE,
    generate_corpus,
    read_plagiarism_archive,
    write_sample_archive,
)


def test_sample_has_the_corpus_layout_and_counts():
    corpus = generate_corpus()
    assert corpus.columns.tolist() == ["File", "Task", "Category", "Text"]
    assert corpus["Category"].value_counts().to_dict() == {
        "non": 38, "cut": 19, "light": 19, "heavy": 19, "orig": 5}
    answers = corpus[corpus["Category"] != "orig"]
    assert all(re.fullmatch(r"g[0-4]p[A-E]_task[a-e]\.txt", name) for name in answers["File"])
    assert sorted(corpus.loc[corpus["Category"] == "orig", "File"]) == [
        f"orig_task{task}.txt" for task in "abcde"]
    assert (answers.groupby("Task").size() == 19).all()
    # Each person: two answers in their own words, one of each kind of copy.
    people = answers.assign(Person=answers["File"].str[:4]).groupby("Person")["Category"]
    assert all(sorted(group) == ["cut", "heavy", "light", "non", "non"] for _, group in people)


def _containment(answer: str, source: str, n: int = 3) -> float:
    counts = CountVectorizer(ngram_range=(n, n)).fit_transform([answer, source]).toarray()
    return counts.min(axis=0).sum() / counts[0].sum()


def test_copies_really_copy_decreasing_amounts_of_the_source():
    corpus = generate_corpus()
    sources = corpus[corpus["Category"] == "orig"].set_index("Task")["Text"]
    answers = corpus[corpus["Category"] != "orig"]
    pairs = zip(answers["Text"], answers["Task"], strict=True)
    scores = answers.assign(c3=[_containment(text, sources[task]) for text, task in pairs])
    means = scores.groupby("Category")["c3"].mean()
    assert means["cut"] > 0.85 > means["light"] > 0.5 > means["heavy"] > 0.05 > means["non"]
    lowest_copy = scores.loc[scores["Category"] != "non", "c3"].min()
    assert lowest_copy > scores.loc[scores["Category"] == "non", "c3"].max()


def test_sample_archive_is_reproducible_and_readable(tmp_path):
    first = write_sample_archive(tmp_path / "one" / "data.zip", seed=3)
    second = write_sample_archive(tmp_path / "two" / "data.zip", seed=3)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as bundle:
        assert INFORMATION_FILE in bundle.namelist()
        assert len(bundle.namelist()) == 101
    pd.testing.assert_frame_equal(read_plagiarism_archive(first), generate_corpus(seed=3))


def test_full_source_over_loopback_http_reads_the_archive_once(http_server, cache_dir, tmp_path):
    archive = write_sample_archive(tmp_path / "data.zip", seed=5)
    http_server.files["topher/data.zip"] = archive.read_bytes()
    remote = RemoteFile(url=http_server.url("topher/data.zip"), sha256=sha256_file(archive),
                        size=archive.stat().st_size)
    full = load_plagiarism_corpus("full", cache_dir=cache_dir, remote=remote, progress=False)
    again = load_plagiarism_corpus("full", cache_dir=cache_dir, remote=remote, progress=False)
    pd.testing.assert_frame_equal(full, generate_corpus(seed=5))
    pd.testing.assert_frame_equal(again, full)
    assert http_server.requests == ["topher/data.zip"]


def test_bad_archives_and_arguments_fail_clearly(tmp_path, cache_dir):
    not_zip = tmp_path / "data.zip"
    not_zip.write_text("not a zip")
    with pytest.raises(ValueError, match="not a zip archive"):
        read_plagiarism_archive(not_zip)
    incomplete = tmp_path / "incomplete.zip"
    with zipfile.ZipFile(incomplete, "w") as bundle:
        bundle.writestr(INFORMATION_FILE, "File,Task,Category\ng0pA_taska.txt,a,non\n")
    with pytest.raises(ValueError, match="lacks files listed"):
        read_plagiarism_archive(incomplete)
    with pytest.raises(ValueError, match="source must be"):
        load_plagiarism_corpus("tiny", cache_dir=cache_dir)
