"""Areas managed by hand: add, rename with history, codes checked, poor villages, merge and delete."""

import pytest
from sqlalchemy import func, select

from povdesk import areas, demo
from povdesk.households.display import history
from povdesk.model import Area, AuditLog, Household


def _county(db):
    with db.transaction() as session:
        county = areas.add_area(session, None, "新安县", code="532931000000", user="王芳")
        town = areas.add_area(session, county.id, "河口镇", code="532931101000")
        one = areas.add_area(session, town.id, "东山村", code="532931101201")
        two = areas.add_area(session, town.id, "西山村")
        group = areas.add_area(session, one.id, "第一村民小组")
        return county.id, town.id, one.id, two.id, group.id


def test_added_areas_form_a_tree_with_levels_paths_and_codes(db):
    county, town, village, _other, group = _county(db)
    with db.session() as session:
        nodes = {node.id: node for node in areas.load_tree(session)}
        assert [nodes[i].level for i in (county, town, village, group)] == ["county", "township", "village", "group"]
        assert session.get(Area, group).path == f"{county}/{town}/{village}/{group}/"
        assert nodes[village].code == "532931101201"
        assert (
            session.execute(select(func.count()).select_from(AuditLog).where(AuditLog.action == "area_add")).scalar()
            == 5
        )


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("53293110120", "12位数字"),
        ("5329311012x1", "12位数字"),
        ("532932101201", "与上级的代码"),  # another county's prefix
        ("532931101000", "第10至12位"),  # a township's code for a village
    ],
)
def test_wrong_codes_are_refused_in_words(db, code, message):
    _county_id, town, *_ = _county(db)
    with pytest.raises(areas.AreaError, match=message), db.transaction() as session:
        areas.add_area(session, town, "北山村", code=code)
    with db.session() as session:
        assert session.execute(select(Area).where(Area.name == "北山村")).first() is None


def test_a_group_has_no_children_and_names_are_unique_among_siblings(db):
    _county_id, town, village, _other, group = _county(db)
    with pytest.raises(areas.AreaError, match="下不能再建"), db.transaction() as session:
        areas.add_area(session, group, "甲")
    with pytest.raises(areas.AreaError, match="已有名为“西山村”"), db.transaction() as session:
        areas.rename_area(session, village, "西山村")
    with pytest.raises(areas.AreaError, match="已由“东山村”使用"), db.transaction() as session:
        areas.add_area(session, town, "南山村", code="532931101201")


def test_rename_keeps_households_and_records_the_old_name(db):
    demo.generate(db, households=120, seed=2)
    with db.session() as session:
        village = session.execute(select(Area).where(Area.level == "village")).scalars().first()
        before = session.execute(select(func.count()).where(Household.village_id == village.id)).scalar()
    with db.transaction() as session:
        areas.rename_area(session, village.id, "新名村", user="李明")
    with db.session() as session:
        assert session.get(Area, village.id).name == "新名村"
        assert session.execute(select(func.count()).where(Household.village_id == village.id)).scalar() == before > 0
        assert areas.former_names(session, village.id) == [village.name]
        event = areas.area_history(session, village.id)[0]
        assert (event.action, event.user, event.detail["new"]) == ("area_rename", "李明", "新名村")


def test_merge_moves_households_and_groups_and_the_history_says_so(db):
    demo.generate(db, households=150, seed=5)
    with db.session() as session:
        source, target = (
            session.execute(select(Area).where(Area.level == "village").order_by(Area.id).limit(2)).scalars().all()
        )
        moved = session.execute(select(Household.id).where(Household.village_id == source.id)).scalars().all()
        groups = session.execute(select(func.count()).where(Area.parent_id == source.id)).scalar()
        total = session.execute(select(func.count()).select_from(Household)).scalar()
    assert moved
    with db.transaction() as session:
        result = areas.merge_villages(session, source.id, target.id, user="王芳")
    assert (result.households, result.groups) == (len(moved), groups)
    with db.session() as session:
        assert session.get(Area, source.id) is None
        assert session.execute(select(func.count()).select_from(Household)).scalar() == total
        villages = set(session.execute(select(Household.village_id).where(Household.id.in_(moved))).scalars())
        assert villages == {target.id}
        for group in session.execute(select(Area).where(Area.parent_id == target.id)).scalars():
            assert group.path == f"{session.get(Area, target.id).path}{group.id}/"
        names = [g.name for g in session.execute(select(Area).where(Area.parent_id == target.id)).scalars()]
        assert len(names) == len(set(names))  # same-named groups got "（原…）"
        rows = history(session, moved[0])
        assert any(r.old == source.name and r.new == target.name and "村合并" in r.reason for r in rows)
        merge = areas.area_history(session, target.id)[0]
        assert merge.action == "area_merge" and merge.detail["source"] == source.name
        counts = areas.subtree_counts(session)
        assert counts[target.id].households >= len(moved)


def test_merge_only_villages(db):
    county, town, village, other, group = _county(db)
    for source, target in ((village, village), (town, village), (village, group)):
        with pytest.raises(areas.AreaError), db.transaction() as session:
            areas.merge_villages(session, source, target)
    with db.transaction() as session:
        areas.merge_villages(session, village, other)
    with db.session() as session:
        assert session.get(Area, village) is None and session.get(Area, group).parent_id == other


def test_delete_only_an_empty_area(db):
    demo.generate(db, households=60, seed=1)
    with db.session() as session:
        village = session.execute(select(Household.village_id).limit(1)).scalar()
        township = session.get(Area, village).parent_id
    with pytest.raises(areas.AreaError, match="户，不能删除"), db.transaction() as session:
        areas.delete_area(session, village)
    with pytest.raises(areas.AreaError, match="不能删除"), db.transaction() as session:
        areas.delete_area(session, township)
    with db.transaction() as session:
        fresh = areas.add_area(session, township, "空村").id
    with db.transaction() as session:
        areas.delete_area(session, fresh)
    with db.session() as session:
        assert session.get(Area, fresh) is None and session.get(Area, village) is not None


def test_poor_village_mark_only_on_villages(db):
    _county_id, town, village, *_ = _county(db)
    with db.transaction() as session:
        areas.set_poor_village(session, village, True)
    with pytest.raises(areas.AreaError, match="只有行政村"), db.transaction() as session:
        areas.set_poor_village(session, town, True)
    with db.transaction() as session:
        areas.set_code(session, town, "532931102000")
    with db.session() as session:
        assert session.get(Area, village).is_poor_village
        assert session.get(Area, town).code == "532931102000"


def _workbook(path, rows):
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_an_excel_list_of_codes_builds_the_tree(db, tmp_path):
    from povdesk.area_import import import_areas

    path = _workbook(
        tmp_path / "区划.xlsx",
        [["新安县统计用区划代码表"], ["区划代码", "区划名称"], ["532931000000", "新安县"],
         ["532931101000", "河口镇"], ["532931101201", "东山村"], ["532931101202", "西山村"]],
    )  # fmt: skip
    result = import_areas(db, path)
    assert (result.added, result.existing) == (4, 0)
    with db.session() as session:
        levels = {n.name: (n.level, n.code) for n in areas.load_tree(session)}
    assert levels["西山村"] == ("village", "532931101202") and levels["河口镇"][0] == "township"
    assert import_areas(db, path).added == 0  # a second time adds nothing


def test_an_excel_list_of_names_adds_groups_and_a_bad_row_adds_nothing(db, tmp_path):
    from povdesk.area_import import import_areas

    rows = [
        ["乡镇", "行政村", "村民小组"],
        ["河口镇", "东山村", "一组"],
        ["河口镇", "东山村", "二组"],
        ["河口镇", "西山村", None],
    ]
    result = import_areas(db, _workbook(tmp_path / "a.xlsx", rows), county="新安县")
    assert result.added == 6  # county, township, two villages, two groups
    bad = _workbook(tmp_path / "b.xlsx", [["区划代码", "区划名称"], ["532931101201", "东山村"]])
    with pytest.raises(areas.AreaError, match="第2行：找不到“东山村”的上级"):
        import_areas(db, bad)
    with db.session() as session:
        assert session.execute(select(func.count()).select_from(Area)).scalar() == 6
