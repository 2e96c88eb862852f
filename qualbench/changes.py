"""What an operation changed, so that each view refreshes only what concerns it."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Changes:
    """Ids of the things an operation created, changed or removed, by kind.

    Services that write return one; the GUI re-emits it through one signal. ``project`` is set
    when the project record itself (name, language) or a project setting (the default
    citation template) changed.
    """

    documents: frozenset[int] = field(default_factory=frozenset)
    codes: frozenset[int] = field(default_factory=frozenset)
    codings: frozenset[int] = field(default_factory=frozenset)
    cases: frozenset[int] = field(default_factory=frozenset)
    memos: frozenset[int] = field(default_factory=frozenset)
    coders: frozenset[int] = field(default_factory=frozenset)
    attributes: frozenset[int] = field(default_factory=frozenset)
    decisions: frozenset[int] = field(default_factory=frozenset)
    quotes: frozenset[int] = field(default_factory=frozenset)  # the quote basket
    names: frozenset[int] = field(default_factory=frozenset)  # names to pseudonymise
    suggestions: frozenset[int] = field(default_factory=frozenset)  # auto-coding suggestions
    project: bool = False

    def __or__(self, other: Changes) -> Changes:
        values = {}
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            values[f.name] = a | b
        return Changes(**values)

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))


NO_CHANGES = Changes()
