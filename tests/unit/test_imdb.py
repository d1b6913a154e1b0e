"""Tests for mlcourse.datasets.imdb: the sample generator, the loader and drifted reviews."""

from __future__ import annotations

import dataclasses
import re
import tarfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from xgboost import XGBClassifier

from mlcourse._files import sha256_file
from mlcourse.datasets._download import ChecksumError, RemoteFile
from mlcourse.datasets._imdb_generator import BASE_LEXICON, DRIFTED_LEXICON, Lexicon
from mlcourse.datasets.imdb import (
    IMDB_ARCHIVE,
    ImdbData,
    generate_drifted_reviews,
    load_imdb,
    read_imdb_reviews,
    write_sample_archive,
)
from mlcourse.text import STOP_WORDS, bow_encode_batch, build_vocabulary, preprocess_reviews

SMALL = 400  # reviews in the archives the plumbing tests build: 100 per folder
REVIEW_NAME = re.compile(r"aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt")


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory) -> Path:
    return write_sample_archive(tmp_path_factory.mktemp("archive") / "aclImdb_v1.tar.gz", SMALL)


# --- the generated archive ------------------------------------------------------------------


def test_sample_archive_is_byte_identical_for_the_same_seed(tmp_path, small_archive):
    again = write_sample_archive(tmp_path / "again.tar.gz", SMALL, seed=0)
    other_seed = write_sample_archive(tmp_path / "other.tar.gz", SMALL, seed=1)

    assert again.read_bytes() == small_archive.read_bytes()
    assert other_seed.read_bytes() != small_archive.read_bytes()


def test_sample_archive_has_the_original_layout(small_archive):
    with tarfile.open(small_archive) as tar:
        members = tar.getmembers()
    names = [member.name for member in members]
    reviews = [REVIEW_NAME.fullmatch(name) for name in names]
    per_folder = Counter((match[1], match[2]) for match in reviews if match)

    assert per_folder == {(s, f): SMALL // 4 for s in ("train", "test") for f in ("pos", "neg")}
    for match in filter(None, reviews):
        rating = int(match[4])
        assert 7 <= rating <= 10 if match[2] == "pos" else 1 <= rating <= 4
    assert "aclImdb/README" in names
    assert any(re.fullmatch(r"aclImdb/train/unsup/\d+_0\.txt", name) for name in names)
    assert {member.mtime for member in members} == {members[0].mtime}
    assert {(member.uid, member.gid, member.uname) for member in members} == {(0, 0, "")}


@pytest.mark.parametrize("n_reviews", [0, 2, 401])
def test_sample_size_must_fill_the_four_folders_evenly(tmp_path, n_reviews):
    with pytest.raises(ValueError, match="multiple of 4"):
        write_sample_archive(tmp_path / "a.tar.gz", n_reviews)
    assert list(tmp_path.iterdir()) == []


# --- reading ---------------------------------------------------------------------------------


def test_read_imdb_reviews_parses_ids_ratings_and_labels(tmp_path, small_archive):
    with tarfile.open(small_archive) as tar:
        tar.extractall(tmp_path, filter="data")

    reviews = read_imdb_reviews(tmp_path / "aclImdb")

    assert len(reviews) == SMALL  # unsup and README are skipped
    first = reviews[0]
    assert (first.split, first.id, first.label) == ("train", 0, 1)
    assert first.text == next((tmp_path / "aclImdb/train/pos").glob("0_*.txt")).read_text()
    assert first.rating == int(next((tmp_path / "aclImdb/train/pos").glob("0_*.txt")).stem[2:])
    assert {(r.label, r.rating >= 7) for r in reviews} == {(1, True), (0, False)}
    assert [r.id for r in reviews[: SMALL // 4]] == list(range(SMALL // 4))


def test_read_imdb_reviews_rejects_files_it_does_not_understand(tmp_path):
    for split in ("train", "test"):
        for folder in ("pos", "neg"):
            (tmp_path / split / folder).mkdir(parents=True)
    (tmp_path / "train/pos/0_9.txt").write_text("fine")
    assert len(read_imdb_reviews(tmp_path)) == 1

    (tmp_path / "train/neg/1_8.txt").write_text("a rating of 8 cannot be negative")
    with pytest.raises(ValueError, match="rating 8"):
        read_imdb_reviews(tmp_path)

    (tmp_path / "train/neg/1_8.txt").rename(tmp_path / "train/neg/notes.txt")
    with pytest.raises(ValueError, match="notes.txt"):
        read_imdb_reviews(tmp_path)


def test_read_imdb_reviews_requires_the_label_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="aclImdb directory"):
        read_imdb_reviews(tmp_path)


# --- load_imdb ----------------------------------------------------------------------------


def test_load_sample_returns_shuffled_balanced_lists(cache_dir):
    data = load_imdb("sample", n_reviews=SMALL, cache_dir=cache_dir, progress=False)

    assert isinstance(data, ImdbData)
    train_X, test_X, train_y, test_y = data
    assert len(train_X) == len(train_y) == len(test_X) == len(test_y) == SMALL // 2
    assert Counter(train_y) == Counter(test_y) == {0: SMALL // 4, 1: SMALL // 4}
    assert 0 < train_y[: SMALL // 4].count(1) < SMALL // 4  # interleaved, not pos then neg
    assert all(isinstance(text, str) and text for text in train_X)
    assert sum("<br /><br />" in text for text in train_X) > SMALL // 4
    assert not set(train_X) & set(test_X)


def test_load_sample_is_deterministic_and_cached(cache_dir):
    first = load_imdb("sample", n_reviews=SMALL, cache_dir=cache_dir, progress=False)
    archive = next(cache_dir.glob("imdb/sample-*/aclImdb_v1.tar.gz"))
    written_at = archive.stat().st_mtime_ns

    second = load_imdb("sample", n_reviews=SMALL, cache_dir=cache_dir, progress=False)
    reshuffled = load_imdb(
        "sample", n_reviews=SMALL, shuffle_seed=1, cache_dir=cache_dir, progress=False
    )

    assert second == first
    assert archive.stat().st_mtime_ns == written_at  # not generated again
    assert reshuffled != first
    assert sorted(reshuffled.train_X) == sorted(first.train_X)


def test_load_sample_honours_the_cache_environment_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("MLCOURSE_CACHE_DIR", str(tmp_path / "from-env"))
    load_imdb("sample", n_reviews=SMALL, progress=False)
    assert list((tmp_path / "from-env" / "imdb").glob("sample-*/aclImdb_v1.tar.gz"))


def test_full_source_over_loopback_http_reads_the_same_reviews(
    http_server, cache_dir, small_archive
):
    http_server.files["sentiment/aclImdb_v1.tar.gz"] = small_archive.read_bytes()
    remote = RemoteFile(
        url=http_server.url("sentiment/aclImdb_v1.tar.gz"),
        sha256=sha256_file(small_archive),
        size=small_archive.stat().st_size,
    )

    full = load_imdb("full", cache_dir=cache_dir, remote=remote, progress=False)
    again = load_imdb("full", cache_dir=cache_dir, remote=remote, progress=False)

    assert full == load_imdb("sample", n_reviews=SMALL, cache_dir=cache_dir, progress=False)
    assert again == full
    assert http_server.requests == ["sentiment/aclImdb_v1.tar.gz"]  # the cache served the rest
    assert (cache_dir / "imdb" / "aclImdb_v1.tar.gz").is_file()


def test_full_source_follows_the_mirror_environment_variable(
    http_server, cache_dir, small_archive, monkeypatch
):
    http_server.files["mirror/imdb.tgz"] = small_archive.read_bytes()
    monkeypatch.setenv("MLCOURSE_IMDB_URL", http_server.url("mirror/imdb.tgz"))
    # The real checksum belongs to the real file; this mirror serves the generated one.
    remote = dataclasses.replace(IMDB_ARCHIVE, sha256=sha256_file(small_archive), size=None)

    data = load_imdb("full", cache_dir=cache_dir, remote=remote, progress=False)

    assert len(data.train_X) == SMALL // 2
    assert http_server.requests == ["mirror/imdb.tgz"]
    assert (cache_dir / "imdb" / "aclImdb_v1.tar.gz").is_file()


def test_corrupted_full_download_fails_clearly_and_caches_nothing(
    http_server, cache_dir, small_archive
):
    corrupted = bytearray(small_archive.read_bytes())
    corrupted[len(corrupted) // 2] ^= 0xFF
    http_server.files["aclImdb_v1.tar.gz"] = bytes(corrupted)
    url = http_server.url("aclImdb_v1.tar.gz")
    remote = RemoteFile(url=url, sha256=sha256_file(small_archive), size=len(corrupted))

    with pytest.raises(ChecksumError) as raised:
        load_imdb("full", cache_dir=cache_dir, remote=remote, progress=False)

    assert url in str(raised.value)
    assert remote.sha256 in str(raised.value)
    imdb_cache = cache_dir / "imdb"
    assert not imdb_cache.exists() or list(imdb_cache.iterdir()) == []


def test_load_imdb_rejects_bad_arguments(cache_dir):
    with pytest.raises(ValueError, match="source"):
        load_imdb("tiny", cache_dir=cache_dir)
    with pytest.raises(ValueError, match="n_reviews"):
        load_imdb("full", n_reviews=100, cache_dir=cache_dir)
    with pytest.raises(ValueError, match="multiple of 4"):
        load_imdb("sample", n_reviews=10, cache_dir=cache_dir)


# --- the generator's word lists ----------------------------------------------------------


def _cue_stems(lexicon: Lexicon, positive: bool) -> set[str]:
    words = (
        lexicon.positive_adjectives + lexicon.positive_nouns
        if positive
        else lexicon.negative_adjectives + lexicon.negative_nouns
    )
    return {stem for word in words for stem in preprocess_reviews([word])[0]}


@pytest.mark.parametrize("lexicon", [BASE_LEXICON, DRIFTED_LEXICON], ids=["base", "drifted"])
def test_cue_words_survive_preprocessing_and_keep_their_side(lexicon):
    for word in lexicon.positive_adjectives + lexicon.negative_adjectives:
        assert word not in STOP_WORDS, word
        assert preprocess_reviews([word]) != [[]], word
    assert not _cue_stems(lexicon, positive=True) & _cue_stems(lexicon, positive=False)


def test_drifted_lexicon_flips_some_old_negative_cues():
    flipped = _cue_stems(DRIFTED_LEXICON, True) & _cue_stems(BASE_LEXICON, False)
    assert len(flipped) >= 3


# --- the model-level checks the course relies on -----------------------------------------

VOCABULARY_SIZE = 1000
MODEL_SAMPLE_REVIEWS = 2000


def _bow_model(word_lists: list[list[str]], labels: list[int]) -> tuple[XGBClassifier, dict]:
    vocabulary = build_vocabulary(word_lists, VOCABULARY_SIZE)
    model = XGBClassifier(n_estimators=150, max_depth=4, learning_rate=0.2, n_jobs=1)
    model.fit(bow_encode_batch(word_lists, vocabulary), np.asarray(labels))
    return model, vocabulary


def _accuracy(model: XGBClassifier, vocabulary: dict, word_lists, labels) -> float:
    predictions = model.predict(bow_encode_batch(word_lists, vocabulary))
    return float(np.mean(predictions == np.asarray(labels)))


@pytest.fixture(scope="module")
def sample_model(tmp_path_factory):
    """An xgboost bag-of-words model trained on the sample, with the test words and labels."""
    data = load_imdb(
        "sample",
        n_reviews=MODEL_SAMPLE_REVIEWS,
        cache_dir=tmp_path_factory.mktemp("cache"),
        progress=False,
    )
    model, vocabulary = _bow_model(preprocess_reviews(data.train_X), data.train_y)
    return model, vocabulary, preprocess_reviews(data.test_X), data.test_y


def test_bag_of_words_xgboost_is_good_but_not_perfect_on_the_sample(sample_model):
    model, vocabulary, test_words, test_y = sample_model
    accuracy = _accuracy(model, vocabulary, test_words, test_y)
    assert 0.78 <= accuracy <= 0.92


def test_generate_drifted_reviews_is_deterministic_and_balanced():
    texts, labels = generate_drifted_reviews(101, seed=3)
    assert (texts, labels) == generate_drifted_reviews(101, seed=3)
    assert generate_drifted_reviews(101, seed=4)[0] != texts
    assert len(texts) == 101
    assert Counter(labels) == {1: 50, 0: 51}
    assert 0 < labels[:50].count(1) < 50
    assert generate_drifted_reviews(0) == ([], [])


def test_drift_costs_accuracy_and_a_new_vocabulary_recovers_it(sample_model):
    model, vocabulary, test_words, test_y = sample_model
    before = _accuracy(model, vocabulary, test_words, test_y)
    drift_train_X, drift_train_y = generate_drifted_reviews(1000, seed=1)
    drift_test_X, drift_test_y = generate_drifted_reviews(1000, seed=2)
    drift_train_words = preprocess_reviews(drift_train_X)
    drift_test_words = preprocess_reviews(drift_test_X)

    after = _accuracy(model, vocabulary, drift_test_words, drift_test_y)
    # The cause shows in the vocabulary: many of the new data's frequent words are unknown.
    frequent_new_words = build_vocabulary(drift_train_words, 50)
    assert len(frequent_new_words.keys() - vocabulary.keys()) >= 10

    new_model, new_vocabulary = _bow_model(drift_train_words, drift_train_y)
    recovered = _accuracy(new_model, new_vocabulary, drift_test_words, drift_test_y)

    assert after <= before - 0.1
    assert recovered >= after + 0.1
    assert recovered >= 0.78
