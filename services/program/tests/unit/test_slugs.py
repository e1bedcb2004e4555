"""Exercise slugs made from names."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from myokine.catalog import DEFAULT_CATALOG
from program_service.domain.slugs import is_valid_slug, slugify


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Bulgarian Split-Squat (DB)", "bulgarian-split-squat-db"),
        ("  Zercher   squat ", "zercher-squat"),
        ("Développé couché", "developpe-couche"),
        ("T-bar row #2", "t-bar-row-2"),
        ("!!!", ""),
    ],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_the_shared_catalog_slugs_are_valid() -> None:
    assert all(is_valid_slug(e.slug) for e in DEFAULT_CATALOG)


@given(st.text(max_size=200))
def test_a_slug_made_from_any_name_is_empty_or_valid(name: str) -> None:
    slug = slugify(name)
    assert slug == "" or is_valid_slug(slug)
