"""The plagiarism corpus of Clough & Stevenson (2011): the course's copy, or a generated sample.

Both sources go through the same steps, so the offline sample exercises the real code path:

1. get ``data.zip``: ``source="full"`` downloads the course's copy (113,826 bytes, size-checked,
   cached); ``source="sample"`` writes a deterministic zip with the same layout;
2. read ``data/file_information.csv`` (columns ``File``, ``Task``, ``Category``) and the text of
   every file it lists, straight from the zip.

The corpus: for each of five tasks (``a`` to ``e``) a source text ``orig_task<x>.txt`` (category
``orig``), and 95 short answers ``g<group>p<person>_task<x>.txt`` written by 19 people. Each
person answered two tasks in their own words (``non``) and copied the source for the other three:
verbatim (``cut``), with light edits (``light``) or heavily rewritten (``heavy``): 38 ``non``,
19 of each other category.

The sample keeps that design (same file names, categories and counts) but its texts were
written for this course: its source texts and independent sentences are in
:mod:`mlcourse.datasets._plagiarism_texts`, and its ``cut``, ``light`` and ``heavy`` answers
really copy decreasing amounts of the source, so containment and longest-common-subsequence
features separate them as they do on the real corpus.
"""

from __future__ import annotations

import logging
import os
import random
import re
import zipfile
from pathlib import Path
from typing import Literal

import pandas as pd

from mlcourse._files import atomic_path
from mlcourse.datasets._download import RemoteFile, cache_root, cached_sample
from mlcourse.datasets._plagiarism_texts import OWN_WORDS, SOURCES, SYNONYMS
from mlcourse.datasets.registry import REMOTE_FILES

logger = logging.getLogger(__name__)

PLAGIARISM_ZIP = REMOTE_FILES["plagiarism"]
"""The course's copy of the corpus. ``MLCOURSE_PLAGIARISM_URL`` points at a mirror."""

INFORMATION_FILE = "data/file_information.csv"
TASKS = ("a", "b", "c", "d", "e")
CATEGORIES = ("non", "heavy", "light", "cut", "orig")
#: What each person did for their five tasks, rotated from one person to the next.
_PERSON_PATTERN = ("non", "non", "cut", "light", "heavy")
PEOPLE = tuple(f"g{group}p{person}" for group in range(4) for person in "ABCDE")[:19]
SAMPLE_GENERATOR_VERSION = 1
"""Part of the sample's cache key; bump it whenever the generated texts change."""
_ZIP_DATE = (2019, 1, 17, 0, 0, 0)  # fixed, so that generated archives are reproducible
_SENTENCE_END = re.compile(r"(?<=\.)\s+")


def load_plagiarism_corpus(
    source: Literal["full", "sample"] = "full",
    *,
    seed: int = 0,
    cache_dir: str | os.PathLike[str] | None = None,
    remote: RemoteFile = PLAGIARISM_ZIP,
    progress: bool = True,
) -> pd.DataFrame:
    """Return the corpus as a table: ``File``, ``Task``, ``Category`` and ``Text``.

    Args:
        source: ``"full"`` for the course's copy of the real corpus (downloaded once, then read
            from the cache), or ``"sample"`` for a generated corpus with the same layout.
        seed: seed of the sample generator; the same seed gives the same corpus.
        cache_dir: cache directory (default: see ``cache_root``).
        remote: where ``"full"`` downloads from (tests point it at a loopback server).
        progress: show a progress bar while downloading.

    Example::

        corpus = load_plagiarism_corpus("sample")
        corpus["Category"].value_counts()   # non 38, heavy/light/cut 19, orig 5
    """
    plagiarism_cache = cache_root(cache_dir) / "plagiarism"
    if source == "full":
        archive = remote.fetch(plagiarism_cache, progress=progress)
    elif source == "sample":
        archive = cached_sample(plagiarism_cache, PLAGIARISM_ZIP.filename,
                                version=SAMPLE_GENERATOR_VERSION, size=len(PEOPLE), seed=seed,
                                write=lambda path, _size, seed: write_sample_archive(path, seed))
    else:
        raise ValueError(f"source must be 'full' or 'sample', got {source!r}")
    corpus = read_plagiarism_archive(archive)
    logger.info("Loaded %d files of the plagiarism corpus (%s) from %s", len(corpus), source,
                archive)
    return corpus


def read_plagiarism_archive(archive: str | os.PathLike[str]) -> pd.DataFrame:
    """Read ``file_information.csv`` and every file it lists from a corpus ``data.zip``.

    Raises:
        ValueError: the file is not a zip, or lacks the information file or a listed text.
    """
    archive = Path(archive)
    if not zipfile.is_zipfile(archive):
        raise ValueError(f"{archive} is not a zip archive; delete it and load the data again")
    with zipfile.ZipFile(archive) as bundle:
        names = set(bundle.namelist())
        if INFORMATION_FILE not in names:
            raise ValueError(f"{archive} holds no {INFORMATION_FILE}: is it the plagiarism "
                             "corpus?")
        with bundle.open(INFORMATION_FILE) as stream:
            information = pd.read_csv(stream)
        missing = [name for name in information["File"] if f"data/{name}" not in names]
        if missing:
            raise ValueError(f"{archive} lacks files listed in {INFORMATION_FILE}: {missing[:5]}")
        # Some of the real files are not valid UTF-8; the odd character is of no importance.
        texts = [bundle.read(f"data/{name}").decode("utf-8", errors="replace")
                 for name in information["File"]]
    return information.assign(Text=texts)


def write_sample_archive(path: str | os.PathLike[str], seed: int = 0) -> Path:
    """Write a generated ``data.zip`` in the corpus's layout, atomically and reproducibly."""
    table = generate_corpus(seed)
    path = Path(path)
    with atomic_path(path) as partial, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as zf:
        information = table[["File", "Task", "Category"]].to_csv(index=False)
        zf.writestr(zipfile.ZipInfo(INFORMATION_FILE, date_time=_ZIP_DATE), information)
        for name, text in zip(table["File"], table["Text"], strict=True):
            zf.writestr(zipfile.ZipInfo(f"data/{name}", date_time=_ZIP_DATE), text)
    logger.info("Wrote the generated plagiarism corpus %s (seed %d)", path, seed)
    return path


def generate_corpus(seed: int = 0) -> pd.DataFrame:
    """The sample corpus as a table (``File``, ``Task``, ``Category``, ``Text``)."""
    rng = random.Random(seed)
    rows = []
    for index, person in enumerate(PEOPLE):
        for position, task in enumerate(TASKS):
            category = _PERSON_PATTERN[(position + index) % len(_PERSON_PATTERN)]
            rows.append((f"{person}_task{task}.txt", task, category,
                         ANSWER_WRITERS[category](task, rng)))
    rows += [(f"orig_task{task}.txt", task, "orig", SOURCES[task]) for task in TASKS]
    return pd.DataFrame(rows, columns=["File", "Task", "Category", "Text"])


# -- how each category of answer is written ------------------------------------------------------

def _sentences(task: str) -> list[str]:
    return _SENTENCE_END.split(SOURCES[task])


def _source_span(task: str, rng: random.Random, low: int, high: int) -> list[str]:
    """A run of ``low`` to ``high`` consecutive source sentences."""
    sentences = _sentences(task)
    length = rng.randint(low, high)
    start = rng.randint(0, len(sentences) - length)
    return sentences[start:start + length]


def _reword(sentence: str, rng: random.Random, share: float) -> str:
    """Swap about ``share`` of the words that have a synonym for it."""
    words = []
    for word in sentence.split(" "):
        bare = word.rstrip(".,")
        if bare.lower() in SYNONYMS and rng.random() < share:
            word = SYNONYMS[bare.lower()] + word[len(bare):]
        words.append(word)
    return " ".join(words)


def _own_words(task: str, rng: random.Random, count: int) -> list[str]:
    return rng.sample(OWN_WORDS[task], count)


def _write_non(task: str, rng: random.Random) -> str:
    """An answer in the writer's own words: nothing copied."""
    return " ".join(_own_words(task, rng, rng.randint(4, 6)))


def _write_cut(task: str, rng: random.Random) -> str:
    """Source sentences pasted verbatim, sometimes after an opening of one's own."""
    opening = _own_words(task, rng, 1) if rng.random() < 0.3 else []
    return " ".join(opening + _source_span(task, rng, 4, 6))


def _write_light(task: str, rng: random.Random) -> str:
    """Source sentences with a few words swapped and one pair of sentences reordered."""
    sentences = [_reword(sentence, rng, 0.4) for sentence in _source_span(task, rng, 4, 6)]
    swap = rng.randrange(len(sentences) - 1)
    sentences[swap], sentences[swap + 1] = sentences[swap + 1], sentences[swap]
    return " ".join(sentences)


def _write_heavy(task: str, rng: random.Random) -> str:
    """A few source sentences, thoroughly reworded and mixed with sentences of one's own."""
    copied = [_drop_words(_reword(sentence, rng, 1.0), rng, 0.25)
              for sentence in _source_span(task, rng, 2, 3)]
    own = _own_words(task, rng, 3)
    mixed = [sentence for pair in zip(own, copied + [""], strict=False) for sentence in pair]
    return " ".join(sentence for sentence in mixed if sentence)


def _drop_words(sentence: str, rng: random.Random, share: float) -> str:
    """Leave out about ``share`` of the words (never the first or the last)."""
    words = sentence.split(" ")
    kept = [words[0]] + [word for word in words[1:-1] if rng.random() >= share] + [words[-1]]
    return " ".join(kept)


ANSWER_WRITERS = {"non": _write_non, "cut": _write_cut, "light": _write_light,
                  "heavy": _write_heavy}


__all__ = ["PLAGIARISM_ZIP", "generate_corpus", "load_plagiarism_corpus",
           "read_plagiarism_archive", "write_sample_archive"]
