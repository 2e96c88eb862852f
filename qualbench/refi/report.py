"""The data-loss report of an import or export (REFI-QDA 1.5, section 7).

"The software should warn the user at the point of import and export when data loss may occur
... which elements are discarded, in as much detail as possible." Every import and export
returns a :class:`RefiReport`: what was carried over (counts), what was not and why
(:class:`Loss`, one line per kind of thing), and notes on conversions that keep the data but
change its form (criteria folded into descriptions, positions converted, names repaired).
Lines name files, codes, documents and counts, never transcript text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qualbench.changes import Changes


@dataclass
class Loss:
    """Something not carried over: what, how many, and why."""

    what: str
    count: int
    why: str

    def line(self) -> str:
        return f"{self.what} ({self.count}): {self.why}"


@dataclass
class RefiReport:
    direction: str  # "import" or "export"
    file: str
    origin: str = ""  # the tool that wrote the file (import), our origin string (export)
    positions: str = ""  # how positions were read or written
    carried: dict[str, int] = field(default_factory=dict)  # what was added or written
    matched: dict[str, int] = field(default_factory=dict)  # found already in the project
    lost: list[Loss] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False
    changes: Changes = field(default_factory=Changes)

    def lose(self, what: str, count: int, why: str) -> None:
        """Record ``count`` things not carried over (nothing when the count is 0)."""
        if count <= 0:
            return
        for loss in self.lost:
            if loss.what == what and loss.why == why:
                loss.count += count
                return
        self.lost.append(Loss(what, count, why))

    def note(self, line: str) -> None:
        if line not in self.notes:
            self.notes.append(line)

    def count(self, key: str, n: int = 1, *, matched: bool = False) -> None:
        if n:
            target = self.matched if matched else self.carried
            target[key] = target.get(key, 0) + n

    @property
    def lossless(self) -> bool:
        return not self.lost

    def summary(self) -> list[str]:
        """Lines for a terminal or a dialog."""
        verb = {"import": "imported", "export": "exported"}[self.direction]
        if self.dry_run:
            verb = f"would be {verb}"
        out = [f"{self.file}" + (f" (written by {self.origin})" if self.origin else "")]
        out.append(
            f"{verb}: " + (", ".join(f"{n} {k}" for k, n in self.carried.items()) or "nothing new")
        )
        if self.matched:
            out.append(
                "already in the project: " + ", ".join(f"{n} {k}" for k, n in self.matched.items())
            )
        if self.positions:
            out.append(self.positions)
        if self.lost:
            out.append("not carried over:")
            out += [f"  {loss.line()}" for loss in self.lost]
        else:
            out.append("nothing was left out")
        if self.notes:
            out.append("notes:")
            out += [f"  {n}" for n in self.notes]
        return out

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (without the ids of what changed)."""
        return {
            "direction": self.direction,
            "file": self.file,
            "origin": self.origin,
            "positions": self.positions,
            "carried": dict(self.carried),
            "matched": dict(self.matched),
            "lost": [{"what": x.what, "count": x.count, "why": x.why} for x in self.lost],
            "notes": list(self.notes),
            "dry_run": self.dry_run,
        }
