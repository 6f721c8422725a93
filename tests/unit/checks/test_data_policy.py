"""The pure rules of the data check: sizes, extensions, allow-lists, DVC ownership."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from pipeyard.checks import DataPolicy, DvcTracked, FileFacts, judge, parse_extensions, parse_size
from pipeyard.errors import ParameterError


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1MB", 1024**2),
        ("500KB", 500 * 1024),
        ("2.5 MiB", int(2.5 * 1024**2)),
        ("1g", 1024**3),
        ("4096", 4096),
        ("10b", 10),
    ],
)
def test_sizes_read_with_binary_units(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "1XB", "-1MB", "0", "1iB"])
def test_sizes_that_are_not_sizes_are_refused(text):
    with pytest.raises(ParameterError):
        parse_size(text)


def test_extensions_read_from_a_comma_list():
    assert parse_extensions("csv, .Parquet,,npy") == {"csv", "parquet", "npy"}
    assert parse_extensions("") == frozenset()


@pytest.mark.parametrize(
    ("path", "extension"),
    [
        ("a/b.csv", "csv"),
        ("x.tar.gz", "gz"),
        ("MODEL.PT", "pt"),
        (".csv", None),
        ("notes.md", None),
        ("Makefile", None),
    ],
)
def test_data_extension_of_a_path(path, extension):
    assert DataPolicy().data_extension(path) == extension


def test_a_small_ordinary_file_may_be_committed():
    assert judge(FileFacts("src/train.py", 2000), DataPolicy()) is None


def test_a_large_data_file_gets_both_reasons_and_the_dvc_add_fix():
    problem = judge(FileFacts("data/raw data.csv", 3 * 1024**2), DataPolicy())
    assert problem.reasons == ("3.0 MB, over the 1.0 MB limit", "a data file (.csv)")
    assert problem.fix == (
        "git rm --cached 'data/raw data.csv' && dvc add 'data/raw data.csv' && "
        "git add 'data/raw data.csv.dvc' data/.gitignore"
    )
    assert problem.allowable


def test_allowed_globs_match_from_the_root_across_folders():
    policy = DataPolicy(allow=("tests/fixtures/*",))
    assert judge(FileFacts("tests/fixtures/deep/x.parquet", 5 * 1024**2), policy) is None
    assert judge(FileFacts("other/tests/fixtures/x.parquet", 10), policy) is not None


def test_a_dvc_tracked_file_is_refused_even_when_allowed():
    problem = judge(FileFacts("data/x.txt", 1, tracked_by="data.dvc"), DataPolicy(allow=("*",)))
    assert problem.fix == "git rm --cached data/x.txt"
    assert not problem.allowable


def test_dvc_tracks_files_inside_tracked_folders_only():
    tracked = DvcTracked(MappingProxyType({"outputs/train": "stage 'train' in dvc.yaml"}))
    assert tracked.owner("outputs/train/model/w.bin") == "stage 'train' in dvc.yaml"
    assert tracked.owner("outputs/train") == "stage 'train' in dvc.yaml"
    assert tracked.owner("outputs/training.log") is None
    assert tracked.owner("outputs") is None
