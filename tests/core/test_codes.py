"""The codebook in a project: names, colours, moves without cycles, deletes with their codings."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from qualbench.db import CODING
from qualbench.services.codes import (
    CodebookError,
    code_tree,
    create_code,
    delete_codes,
    move_code,
    resolve_code,
    update_code,
    usage,
)
from qualbench.services.coding import apply_code
from qualbench.services.documents import NotFound
from tests.core.helpers import make_world


def test_tree_order_paths_and_depths(project) -> None:
    w = make_world(project)
    with project.read() as s:
        nodes = code_tree(s)
    assert [n.path for n in nodes] == [
        "Release risks",
        "Release risks > Housing",
        "Police fear",
        "Naloxone",
    ]
    assert [n.depth for n in nodes] == [0, 1, 0, 0]
    assert nodes[2].definition == "Fear of police contact" and nodes[2].color == "#1F77B4"
    assert w.housing == nodes[1].id


def test_sibling_names_are_unique_case_insensitively(project) -> None:
    w = make_world(project)
    with project.write() as s:
        with pytest.raises(CodebookError, match="already a code"):
            create_code(s, name="police FEAR")
        create_code(s, name="Police fear", parent_id=w.risks)  # another level is fine
        with pytest.raises(CodebookError, match="already a code"):
            update_code(s, w.naloxone, name="Police fear")
        with pytest.raises(CodebookError, match="may not contain"):
            create_code(s, name="A > B")
        with pytest.raises(CodebookError, match="#RRGGBB"):
            update_code(s, w.police, color="red")


def test_resolve_by_path_name_uuid(project) -> None:
    w = make_world(project)
    with project.write() as s:
        create_code(s, name="Housing", parent_id=w.police)  # a second "Housing" elsewhere
        assert resolve_code(s, "Release risks > Housing") == w.housing
        assert resolve_code(s, "release risks>housing") == w.housing
        with pytest.raises(NotFound, match="ambiguous"):
            resolve_code(s, "Housing")
        uid = next(n.uuid for n in code_tree(s) if n.id == w.police)
        assert resolve_code(s, uid.upper()) == w.police
        with pytest.raises(NotFound, match="no code"):
            resolve_code(s, "Nope")


def test_move_reorders_and_refuses_cycles(project) -> None:
    w = make_world(project)
    with project.write() as s:
        move_code(s, w.naloxone, parent_id=None, position=0)
        assert [n.name for n in code_tree(s) if n.depth == 0] == [
            "Naloxone",
            "Release risks",
            "Police fear",
        ]
        with pytest.raises(CodebookError, match="under itself"):
            move_code(s, w.risks, parent_id=w.housing)
        move_code(s, w.police, parent_id=w.risks)
        assert [n.path for n in code_tree(s)][-1] == "Release risks > Police fear"


def test_delete_removes_subtree_and_codings(project) -> None:
    w = make_world(project)
    with project.write() as s:
        apply_code(s, document_id=w.doc, start=1, end=9, code_id=w.housing, coder_id=w.coder)
        apply_code(s, document_id=w.doc, start=1, end=9, code_id=w.police, coder_id=w.coder)
        assert usage(s, [w.risks, w.housing]) == (1, 0)
        delete_codes(s, w.risks)
        assert [n.name for n in code_tree(s)] == ["Police fear", "Naloxone"]
        assert s.execute(select(func.count()).select_from(CODING)).scalar_one() == 1
