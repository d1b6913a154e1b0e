"""The course's remote files: where each is published, its size and hash, and its mirror variable.

One registry for every loader (the facts are in /work/shared/REFERENCE.md's table of datasets).
A file whose hash nobody has recorded yet (``sha256=None`` and no ``md5``) is trusted on first
download, and the SHA-256 it arrived with is logged so that it can be recorded here. Each entry's
``url_env`` names the environment variable that points the loader at a mirror of the same bytes.
Files are cached under ``cache_root()/<key>/`` (see :mod:`mlcourse.datasets._download`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from mlcourse.datasets._download import RemoteFile

_UDACITY = "https://s3.amazonaws.com/video.udacity-data.com/topher/2019/January/"
_UCI = "https://archive.ics.uci.edu/ml/machine-learning-databases/"

# Files whose hash is not recorded yet have their size checked (all but the wine table's).
REMOTE_FILES: dict[str, RemoteFile] = {
    "imdb": RemoteFile(
        "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
        sha256="c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
        size=84_125_825, url_env="MLCOURSE_IMDB_URL"),
    "census": RemoteFile(
        "https://aws-ml-blog-sagemaker-census-segmentation.s3.amazonaws.com/"
        "Census_Data_for_SageMaker.csv",
        sha256=None, md5="066d37f43f7762f1eb409b1660fe9763",  # AWS publishes the MD5 (ETag)
        size=613_237, url_env="MLCOURSE_CENSUS_URL"),
    "credit-card-fraud": RemoteFile(f"{_UDACITY}5c534768_creditcardfraud/creditcardfraud.zip",
                                    sha256=None, size=69_155_632, url_env="MLCOURSE_FRAUD_URL"),
    "household-power": RemoteFile(f"{_UCI}00235/household_power_consumption.zip", sha256=None,
                                  size=20_640_916, url_env="MLCOURSE_HOUSEHOLD_POWER_URL"),
    "plagiarism": RemoteFile(f"{_UDACITY}5c4147f9_data/data.zip", sha256=None, size=113_826,
                             url_env="MLCOURSE_PLAGIARISM_URL"),
    "wine-quality": RemoteFile(f"{_UCI}wine-quality/winequality-red.csv", sha256=None,
                               url_env="MLCOURSE_WINE_URL"),
}


def lab_allowed_hosts() -> list[str]:
    """The hosts ``make lab``'s egress guard lets through: those of the files not on AWS.

    AWS hosts stay refused while localcloud is the target: a tunnel to S3 would carry the SDK's
    calls to the real cloud too. The S3-hosted files come from a mirror or the sample data there.
    """
    hosts = {urlsplit(remote.url).hostname for remote in REMOTE_FILES.values()}
    return sorted(host for host in hosts if not host.endswith(".amazonaws.com"))
