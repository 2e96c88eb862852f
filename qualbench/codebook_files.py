"""Codebook files: the native YAML format (hierarchical, human-editable) and flat CSV/XLSX.

YAML (``format: qualbench-codebook``)::

    name: ...
    description: ...
    codes:
      - id: <uuid>            # stable identity across projects and tools
        name: Police fear
        color: "#1F77B4"
        definition: ...
        inclusion: ...
        exclusion: ...
        example: ...
        keywords: [police, arrest]
        children: [...]

CSV/XLSX: one row per code with columns ``id, path, color, definition, inclusion, exclusion,
example, keywords`` where ``path`` is ``Parent > Child`` and keywords are separated by ``;``.
Instead of ``path``, a ``name`` and a ``parent`` column (the parent's path, name or id) are read.
"""

from __future__ import annotations

import re
import uuid as uuid_mod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qualbench.services.codes import PATH_SEPARATOR, split_path

FORMAT = "qualbench-codebook"
TEXT_FIELDS = ("definition", "inclusion", "exclusion", "example")
FLAT_COLUMNS = ("id", "path", "color", *TEXT_FIELDS, "keywords")
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")


class CodebookFileError(ValueError):
    """The codebook file is invalid; the message names the file and the problem."""


@dataclass
class CodebookCode:
    name: str
    uuid: str = ""
    color: str = ""
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    example: str = ""
    keywords: list[str] = field(default_factory=list)
    children: list[CodebookCode] = field(default_factory=list)


@dataclass
class Codebook:
    name: str = ""
    description: str = ""
    codes: list[CodebookCode] = field(default_factory=list)

    def walk(self) -> Iterator[tuple[str, CodebookCode, str | None]]:
        """(path, code, parent path) depth first."""

        def rec(
            items: list[CodebookCode], parent: str | None
        ) -> Iterator[tuple[str, CodebookCode, str | None]]:
            for c in items:
                path = c.name if parent is None else parent + PATH_SEPARATOR + c.name
                yield path, c, parent
                yield from rec(c.children, path)

        yield from rec(self.codes, None)


def _norm_uuid(value: str, path: Path, where: str) -> str:
    value = value.strip().strip("{}").lower()
    if not value:
        return ""
    try:
        return str(uuid_mod.UUID(value))
    except ValueError:
        raise CodebookFileError(f"{path}: {where}: id {value!r} is not a UUID") from None


def _validate(book: Codebook, path: Path) -> Codebook:
    seen_paths: set[str] = set()
    seen_ids: dict[str, str] = {}
    for p, code, _ in book.walk():
        code.name = " ".join(code.name.split())
        if not code.name:
            raise CodebookFileError(
                f"{path}: a code has no name (under {p.rsplit(PATH_SEPARATOR, 1)[0]!r})"
            )
        if PATH_SEPARATOR.strip() in code.name:
            raise CodebookFileError(
                f"{path}: code name {code.name!r} contains '{PATH_SEPARATOR.strip()}'"
            )
        key = p.casefold()
        if key in seen_paths:
            raise CodebookFileError(f"{path}: duplicate code name {p!r}")
        seen_paths.add(key)
        if code.uuid:
            if code.uuid in seen_ids:
                raise CodebookFileError(
                    f"{path}: codes {seen_ids[code.uuid]!r} and {p!r} have the same id"
                )
            seen_ids[code.uuid] = p
        if code.color and not _COLOR.fullmatch(code.color):
            raise CodebookFileError(f"{path}: code {p!r}: colour {code.color!r} is not #RRGGBB")
    return book


def _keywords(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [k.strip() for k in re.split(r"[;\n]", str(value or "")) if k.strip()]


# --- reading ----------------------------------------------------------------------------------


def read_codebook(path: str | Path) -> Codebook:
    """Read a .yaml/.yml, .csv, .xlsx or REFI-QDA .qdc codebook, validated (no duplicates, no
    cycles)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise CodebookFileError(f"{path}: does not exist")
    if suffix in {".yaml", ".yml"}:
        return _validate(_read_yaml(path), path)
    if suffix in {".csv", ".xlsx", ".tsv"}:
        return _validate(_read_flat(path), path)
    if suffix == ".qdc":
        from qualbench.refi.codebook import read_qdc_codebook
        from qualbench.refi.reader import RefiError

        try:
            return _validate(read_qdc_codebook(path), path)
        except RefiError as exc:
            raise CodebookFileError(str(exc)) from None
    raise CodebookFileError(
        f"{path}: unknown codebook type {suffix!r}; use .yaml, .csv, .xlsx or .qdc"
    )


def _read_yaml(path: Path) -> Codebook:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise CodebookFileError(f"{path}: is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CodebookFileError(f"{path}: is not valid YAML{where}") from None
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise CodebookFileError(f"{path}: is not a QualBench codebook (needs a 'codes:' list)")
    if data.get("format", FORMAT) != FORMAT:
        raise CodebookFileError(f"{path}: format is {data.get('format')!r}, expected {FORMAT!r}")

    def code(item: Any, where: str) -> CodebookCode:
        if not isinstance(item, dict) or "name" not in item:
            raise CodebookFileError(f"{path}: {where}: each code needs at least a name")
        unknown = set(item) - {"id", "name", "color", *TEXT_FIELDS, "keywords", "children"}
        if unknown:
            raise CodebookFileError(
                f"{path}: {where}: unknown field(s) {', '.join(sorted(unknown))}"
            )
        children = item.get("children") or []
        if not isinstance(children, list):
            raise CodebookFileError(f"{path}: {where}: 'children' must be a list")
        name = str(item["name"])
        return CodebookCode(
            name=name,
            uuid=_norm_uuid(str(item.get("id") or ""), path, f"code {name!r}"),
            color=str(item.get("color") or "").strip(),
            keywords=_keywords(item.get("keywords")),
            children=[code(c, f"{where} > {name}") for c in children],
            **{f: str(item.get(f) or "").strip() for f in TEXT_FIELDS},
        )

    return Codebook(
        name=str(data.get("name") or ""),
        description=str(data.get("description") or "").strip(),
        codes=[code(c, f"code {i + 1}") for i, c in enumerate(data["codes"])],
    )


def _read_flat(path: Path) -> Codebook:
    from importers import ImportProblem
    from importers.tables import read_table

    try:
        table = read_table(path)
    except ImportProblem as exc:
        raise CodebookFileError(str(exc)) from None
    cols = {c.casefold(): c for c in table.columns}
    for alias, canonical in (("description", "definition"), ("colour", "color"), ("code", "name")):
        if alias in cols and canonical not in cols:
            cols[canonical] = cols[alias]
    if "path" not in cols and "name" not in cols:
        raise CodebookFileError(
            f"{path}: needs a 'path' column (Parent > Child) or a 'name' column"
        )
    # With name + parent columns the tree is explicit; a path column alone is split on " > ".
    by_path = "path" in cols and not ("name" in cols and "parent" in cols)
    entries: list[tuple[int, CodebookCode, str]] = []  # (row, code, parent reference)
    for n, rec in table.numbered_records():

        def get(key: str, rec: dict[str, str] = rec) -> str:
            return rec.get(cols.get(key, ""), "").strip()

        if by_path:
            parts = split_path(get("path"))
            if not parts:
                raise CodebookFileError(f"{path}: row {n}: empty path")
            name, parent = parts[-1], PATH_SEPARATOR.join(parts[:-1])
        else:
            name, parent = get("name"), get("parent")
        entries.append(
            (
                n,
                CodebookCode(
                    name=name,
                    uuid=_norm_uuid(get("id"), path, f"row {n}"),
                    color=get("color"),
                    definition=get("definition"),
                    inclusion=get("inclusion"),
                    exclusion=get("exclusion"),
                    example=get("example"),
                    keywords=_keywords(get("keywords")),
                ),
                parent,
            )
        )
    return _assemble(entries, path, by_path=by_path)


def _assemble(
    entries: list[tuple[int, CodebookCode, str]], path: Path, *, by_path: bool
) -> Codebook:
    """Link flat rows into a tree. With paths, missing parents are created; with a ``parent``
    column, the parent is a path, an id or a unique name, and cycles are errors."""
    book = Codebook()
    if by_path:
        nodes: dict[str, CodebookCode] = {}
        defined: set[str] = set()
        for n, code, parent in entries:
            key = (parent + PATH_SEPARATOR + code.name if parent else code.name).casefold()
            if key in defined:
                raise CodebookFileError(
                    f"{path}: row {n}: duplicate code name {code.name!r} at the same level"
                )
            defined.add(key)
            if key in nodes:  # created earlier as a parent of another row: fill it in
                code.children = nodes[key].children
                _replace(book, nodes[key], code)
            else:
                _children_of(book, nodes, split_path(parent)).append(code)
            nodes[key] = code
        return book

    ids = {c.uuid: i for i, (_, c, _) in enumerate(entries) if c.uuid}
    names: dict[str, list[int]] = {}
    for i, (_, c, _) in enumerate(entries):
        names.setdefault(c.name.casefold(), []).append(i)
    parent_of: dict[int, int | None] = {}
    for i, (n, _, parent) in enumerate(entries):
        ref = parent.strip()
        if not ref:
            parent_of[i] = None
            continue
        candidates = (
            [ids[ref.strip("{}").lower()]]
            if ref.strip("{}").lower() in ids
            else names.get(split_path(ref)[-1].casefold(), [])
        )
        if not candidates:
            raise CodebookFileError(f"{path}: row {n}: parent {parent!r} is not in the codebook")
        if len(candidates) > 1:
            raise CodebookFileError(
                f"{path}: row {n}: parent {parent!r} is ambiguous (duplicate names); use its id"
            )
        parent_of[i] = candidates[0]
    for i in range(len(entries)):
        seen, j = {i}, parent_of[i]
        while j is not None:
            if j in seen:
                raise CodebookFileError(
                    f"{path}: row {entries[i][0]}: the parent links form a cycle"
                )
            seen.add(j)
            j = parent_of[j]
    for i, (_, code, _) in enumerate(entries):
        p = parent_of[i]
        (book.codes if p is None else entries[p][1].children).append(code)
    return book


def _children_of(
    book: Codebook, nodes: dict[str, CodebookCode], parts: list[str]
) -> list[CodebookCode]:
    """The child list under the path ``parts``, creating missing parent codes on the way."""
    level = book.codes
    for depth in range(len(parts)):
        key = PATH_SEPARATOR.join(parts[: depth + 1]).casefold()
        if key not in nodes:
            nodes[key] = CodebookCode(name=parts[depth])
            level.append(nodes[key])
        level = nodes[key].children
    return level


def _replace(book: Codebook, old: CodebookCode, new: CodebookCode) -> None:
    def rec(items: list[CodebookCode]) -> bool:
        for i, c in enumerate(items):
            if c is old:
                items[i] = new
                return True
            if rec(c.children):
                return True
        return False

    rec(book.codes)


# --- writing ----------------------------------------------------------------------------------


def write_codebook(book: Codebook, path: str | Path) -> Path:
    """Write a codebook as .yaml, .csv, .xlsx or .qdc (by the file's extension), atomically."""
    path = Path(path)
    suffix = path.suffix.lower()
    tmp = path.with_name(path.name + ".tmp")
    if suffix in {".yaml", ".yml"}:
        tmp.write_text(_yaml_text(book), encoding="utf-8")
    elif suffix == ".csv":
        import csv

        with tmp.open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(FLAT_COLUMNS)
            w.writerows(_flat_rows(book))
    elif suffix == ".xlsx":
        from qualbench.exports.xlsx import write_sheets

        write_sheets(tmp, [("Codebook", list(FLAT_COLUMNS), _flat_rows(book))], about=_about(book))
    elif suffix == ".qdc":
        from qualbench.refi.codebook import qdc_bytes
        from qualbench.refi.reader import RefiError

        try:
            tmp.write_bytes(qdc_bytes(book)[0])
        except RefiError as exc:
            raise CodebookFileError(f"{path}: {exc}") from None
    else:
        raise CodebookFileError(
            f"{path}: unknown codebook type {suffix!r}; use .yaml, .csv, .xlsx or .qdc"
        )
    tmp.replace(path)
    return path


def _about(book: Codebook) -> list[tuple[str, str]]:
    return [
        ("Contents", "QualBench codebook (codes, definitions, criteria; no transcript text)"),
        ("Codebook", book.name),
        ("Description", book.description),
    ]


def _flat_rows(book: Codebook) -> list[list[str]]:
    return [
        [
            c.uuid,
            p,
            c.color,
            c.definition,
            c.inclusion,
            c.exclusion,
            c.example,
            "; ".join(c.keywords),
        ]
        for p, c, _ in book.walk()
    ]


def _yaml_text(book: Codebook) -> str:
    import yaml

    class _Dumper(yaml.SafeDumper):  # type: ignore[misc]
        pass

    def text_repr(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = ">" if len(value) > 70 and "\n" not in value else ("|" if "\n" in value else None)
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, text_repr)

    def code(c: CodebookCode) -> dict[str, Any]:
        out: dict[str, Any] = {"id": c.uuid, "name": c.name, "color": c.color}
        for f in TEXT_FIELDS:
            out[f] = getattr(c, f)
        out["keywords"] = list(c.keywords)
        if c.children:
            out["children"] = [code(ch) for ch in c.children]
        return out

    data = {
        "format": FORMAT,
        "version": 1,
        "name": book.name,
        "description": book.description,
        "codes": [code(c) for c in book.codes],
    }
    return str(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100))
