"""Between code-point offsets (Python, QualBench) and UTF-16 code units (Qt, .NET, NVivo).

Characters beyond the Basic Multilingual Plane (emoji, some CJK) are one code point but two
UTF-16 units; every other character is one of each. The map is exact and costs nothing for
text without such characters.
"""

from __future__ import annotations

import bisect


class Utf16Map:
    """Offset conversion for one text."""

    def __init__(self, text: str) -> None:
        # Code-point indices of the astral characters, in order.
        self._astral = (
            [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF] if not text.isascii() else []
        )
        self._units = [i + n + 1 for n, i in enumerate(self._astral)]  # their UTF-16 index + 1

    @property
    def identity(self) -> bool:
        return not self._astral

    def to_utf16(self, offset: int) -> int:
        """Code points -> UTF-16 units."""
        return offset + bisect.bisect_left(self._astral, offset) if self._astral else offset

    def to_code_points(self, units: int) -> int:
        """UTF-16 units -> code points (a position inside a surrogate pair rounds down)."""
        if not self._astral:
            return units
        return units - bisect.bisect_right(self._units, units)
