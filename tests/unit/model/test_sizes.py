"""The one size rule: units, bare numbers, and the words for text that is not a size."""

from __future__ import annotations

import pytest

from pipeyard.model.sizes import Size, SizeError, parse_memory_mb, read_size


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("7", Size(7.0, None)),
        ("10b", Size(10.0, "b")),
        ("1k", Size(1.0, "k")),
        ("500KB", Size(500.0, "k")),
        ("2.5 MiB", Size(2.5, "m")),
        ("4Gi", Size(4.0, "g")),
        (" 1 TB ", Size(1.0, "t")),
    ],
)
def test_sizes_are_read_with_their_unit(text, size):
    assert read_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "1XB", "-1MB", "1iB", "1 2MB", "MB"])
def test_text_that_is_not_a_size_is_refused_in_one_wording(text):
    with pytest.raises(SizeError, match=r"is not a size like 4GB, 512MB or 1.5GiB"):
        read_size(text)


def test_units_are_binary_and_a_bare_number_counts_in_the_callers_unit():
    assert read_size("1kb").in_bytes() == 1024
    assert read_size("4096").in_bytes() == 4096
    assert read_size("2").in_bytes(bare_unit="m") == 2 * 1024**2


@pytest.mark.parametrize(
    ("value", "mb"),
    [
        (512, 512),
        ("512MB", 512),
        ("512", 512),
        ("4GB", 4096),
        ("4G", 4096),
        ("4g", 4096),
        ("1.5GiB", 1536),
        ("1 TB", 1024**2),
        ("2048kb", 2),
    ],
)
def test_memory_is_megabytes_of_a_size(value, mb):
    assert parse_memory_mb(value) == mb


@pytest.mark.parametrize("value", [-1, True, "lots"])
def test_memory_refuses_negative_numbers_flags_and_words(value):
    with pytest.raises(SizeError):
        parse_memory_mb(value)
