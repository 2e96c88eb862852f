"""Value helpers of the data model."""

from __future__ import annotations

import uuid

from qualbench.model import new_uuids


def test_new_uuids_are_unique_version_4() -> None:
    values = new_uuids(5000)
    assert len(set(values)) == 5000
    for value in values:
        parsed = uuid.UUID(value)
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122 and str(parsed) == value
