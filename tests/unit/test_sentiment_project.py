"""The sentiment project's given code (solutions/Mini-Projects/{train,serve}/): what the learner
builds on must be right, independently of the graded TODOs."""

import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from mlcourse.grading.loader import load_graded_notebook  # noqa: E402
from mlcourse.text import review_to_words  # noqa: E402

PROJECT = Path(__file__).resolve().parents[2] / "solutions" / "Mini-Projects"


def _script(relative):
    """A script of the project, imported with its own siblings (model, utils)."""
    for name in ("model", "utils"):
        sys.modules.pop(name, None)
    return load_graded_notebook(PROJECT / "SageMaker Project.ipynb").script(relative)


def test_training_and_serving_share_one_model_definition():
    # SageMaker packs train/ and serve/ separately, so each carries the file: they must agree.
    assert (PROJECT / "train" / "model.py").read_bytes() == (
        PROJECT / "serve" / "model.py").read_bytes()


@pytest.mark.parametrize("review", [
    "This movie was <br />wonderfully ACTED, and the plot is great!",
    "Great<br /><br />acting -- 10/10; the café scene_was not bad at all...",
    "",
])
def test_the_endpoint_cleans_reviews_as_training_did(review):
    assert _script("serve/utils.py").review_to_words(review) == review_to_words(review)


def test_the_model_reads_each_review_up_to_its_length():
    model_module = _script("train/model.py")
    torch.manual_seed(0)
    model = model_module.LSTMClassifier(4, 5, 10).eval()
    padded = torch.tensor([[3, 4, 5, 6, 0, 0, 0], [1, 7, 0, 0, 0, 0, 0]])
    noisy = padded.clone()
    noisy[0, 4:] = 9  # whatever follows a review's length must not matter
    noisy[1, 2:] = 8
    with torch.no_grad():
        expected, got = model(padded), model(noisy)
        alone = model(padded[1:, :2])  # the short review in a batch of its own, unpadded
    assert got.shape == (2,)
    assert torch.allclose(expected, got) and torch.allclose(expected[1:], alone)


def test_saved_model_loads_with_its_word_dictionary(tmp_path):
    model_module = _script("train/model.py")
    model = model_module.LSTMClassifier(4, 5, 10)
    model_module.save_model(model, {"great": 2}, str(tmp_path))
    loaded = model_module.load_model(str(tmp_path))
    assert loaded.word_dict == {"great": 2} and not loaded.training
    assert loaded.settings == {"embedding_dim": 4, "hidden_dim": 5, "vocab_size": 10}


def test_similar_length_batches_cover_every_review_once_per_epoch():
    batches = _script("train/train.py").SimilarLengthBatches(
        torch.randint(1, 500, (1000,)), batch_size=32, seed=1)
    for _ in range(2):
        epoch = list(batches)
        assert len(epoch) == len(batches) == 32
        assert sorted(index for batch in epoch for index in batch) == list(range(1000))
        assert all(len(batch) <= 32 for batch in epoch)
