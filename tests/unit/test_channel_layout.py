"""Where the objects of an S3Prefix channel land inside the channel folder, as on SageMaker."""

import pytest

from localcloud.sagemaker.platform import channel_path


@pytest.mark.parametrize("prefix", ["data/train", "data/train/"])
def test_a_folder_prefix_puts_its_files_at_the_top_of_the_channel(prefix):
    # upload_data() returns URIs without the trailing slash; scripts read SM_CHANNEL_X/train.csv.
    assert channel_path(prefix, "data/train/train.csv") == "train.csv"
    assert channel_path(prefix, "data/train/part/0.csv") == "part/0.csv"


def test_a_prefix_naming_one_object_keeps_its_file_name():
    assert channel_path("boston/train.csv", "boston/train.csv") == "train.csv"


def test_a_prefix_matching_the_start_of_names_keeps_whole_names():
    assert channel_path("data/train", "data/train-labels.csv") == "train-labels.csv"
    assert channel_path("train", "train-data.csv") == "train-data.csv"


def test_a_bucket_wide_prefix_keeps_the_keys():
    assert channel_path("", "data/train.csv") == "data/train.csv"
