"""The area tree's context menu: add, rename with history, code, poor village, merge and delete, with confirmations."""

from __future__ import annotations

from sqlalchemy import func, select

from PySide6.QtWidgets import QMessageBox

from povdesk import areas
from povdesk.model import Area, Household
from ui.area_dialogs import AreaDialog, MergeDialog

SHOTS = "/tmp/shots15"


def _first(db, level, *, with_households=True):
    with db.session() as session:
        query = select(Area).where(Area.level == level).order_by(Area.id)
        if with_households:
            query = query.where(Area.id.in_(select(Household.village_id)))
        return session.execute(query).scalars().first()


def _fill(monkeypatch, cls, **fields):
    """Replace the dialog's exec: type into its fields, press OK, remember the dialog."""
    seen = []

    def run(dialog):
        for name, value in fields.items():
            widget = getattr(dialog, name)
            if hasattr(widget, "setText"):
                widget.setText(value)
            else:
                widget.setCurrentIndex(widget.findData(value))
        dialog.grab().save(f"{SHOTS}/{cls.__name__}.png")
        dialog.accept()
        seen.append(dialog)
        return dialog.result()

    monkeypatch.setattr(cls, "exec", run)
    return seen


def _answer(monkeypatch, yes: bool):
    asked = []

    def question(*args, **_kwargs):
        asked.append(args[2])
        return QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_a_village_menu_offers_every_edit(main_window, demo_db):
    village = _first(demo_db, "village")
    menu = main_window.area_tree.context_menu(village.id)
    names = [action.objectName() for action in menu.actions() if action.objectName()]
    assert names == ["addArea", "editArea", "poorVillage", "mergeVillage", "deleteArea"]
    assert menu.actions()[0].text() == "新建村民小组…"
    menu.grab().save(f"{SHOTS}/area_menu.png")
    county = main_window.area_tree.node(_first(demo_db, "county", with_households=False).id)
    assert "区划代码：" in main_window.area_tree.model().index(0, 0).data(3) and county.code


def test_rename_keeps_households_and_shows_the_former_name(main_window, demo_db, monkeypatch):
    village = _first(demo_db, "village")
    tree = main_window.area_tree
    tree.select_area(village.id)
    before = tree.counts[village.id].households
    dialogs = _fill(monkeypatch, AreaDialog, name="新名村")
    tree.edit_area(village.id)
    assert dialogs[0].result() == AreaDialog.DialogCode.Accepted
    assert tree.area_name(village.id) == "新名村" and tree.current_area_id() == village.id
    main_window.repaint()
    with demo_db.session() as session:
        assert session.execute(select(func.count()).where(Household.village_id == village.id)).scalar() == before
        assert areas.former_names(session, village.id) == [village.name]
    # the edit dialog shows the former name next time
    shown = {}
    monkeypatch.setattr(AreaDialog, "exec", lambda d: shown.setdefault("former", d._former) and 0)
    tree.edit_area(village.id)
    assert shown["former"] == [village.name]


def test_a_wrong_code_keeps_the_dialog_open_with_the_reason(main_window, demo_db, monkeypatch):
    village = _first(demo_db, "village")
    dialogs = _fill(monkeypatch, AreaDialog, code="110101001001")
    main_window.area_tree.edit_area(village.id)
    dialog = dialogs[0]
    assert dialog.result() != AreaDialog.DialogCode.Accepted
    assert "与上级的代码" in dialog.error.text() and dialog.code.text() == "110101001001"
    with demo_db.session() as session:
        assert session.get(Area, village.id).code == village.code


def test_add_a_group_under_a_village(main_window, demo_db, monkeypatch):
    village = _first(demo_db, "village")
    _fill(monkeypatch, AreaDialog, name="第十一村民小组")
    dialog = main_window.area_tree.add_area(village.id)
    tree = main_window.area_tree
    assert tree.current_area_id() == dialog.area_id and tree.area_name(dialog.area_id) == "第十一村民小组"
    assert tree.node(dialog.area_id).parent_id == village.id and tree.node(dialog.area_id).level == "group"


def test_merge_after_confirmation(main_window, demo_db, monkeypatch):
    with demo_db.session() as session:
        source, target = (
            session.execute(select(Area).where(Area.level == "village").order_by(Area.id).limit(2)).scalars().all()
        )
    tree = main_window.area_tree
    moved = tree.counts[source.id].households
    kept = tree.counts[target.id].households
    asked = _answer(monkeypatch, yes=False)
    dialogs = _fill(monkeypatch, MergeDialog, target=target.id)
    tree.merge_village(source.id)
    assert asked and "并入" in asked[0] and tree.node(source.id) is not None  # No: nothing merged, dialog kept
    assert dialogs[0].result() != MergeDialog.DialogCode.Accepted
    _answer(monkeypatch, yes=True)
    tree.merge_village(source.id)
    assert tree.node(source.id) is None and tree.current_area_id() == target.id
    with demo_db.session() as session:
        assert session.execute(select(func.count()).where(Household.village_id == target.id)).scalar() == moved + kept


def test_delete_refused_with_households_and_done_when_empty(main_window, demo_db, monkeypatch, boxes):
    tree = main_window.area_tree
    village = _first(demo_db, "village")
    asked = _answer(monkeypatch, yes=True)
    assert tree.delete_area(village.id) is False
    assert boxes and boxes[0][0] == "warning" and "户，不能删除" in boxes[0][1]
    assert tree.node(village.id) is not None
    with demo_db.transaction() as session:
        empty = areas.add_area(session, village.parent_id, "空村").id
    main_window.data_changed.emit()
    _answer(monkeypatch, yes=False)
    assert tree.delete_area(empty) is False and tree.node(empty) is not None
    _answer(monkeypatch, yes=True)
    assert tree.delete_area(empty) is True and tree.node(empty) is None
    assert asked


def test_poor_village_toggle(main_window, demo_db):
    village = _first(demo_db, "village")
    tree = main_window.area_tree
    poor = not village.is_poor_village
    action = next(a for a in tree.context_menu(village.id).actions() if a.objectName() == "poorVillage")
    action.trigger()
    assert tree.node(village.id).is_poor_village is poor
    with demo_db.session() as session:
        assert session.get(Area, village.id).is_poor_village is poor
