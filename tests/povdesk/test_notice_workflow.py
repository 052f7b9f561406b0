"""The two-notices-one-announcement workflow: proposals, household edits, stage order, objections, announcement."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from povdesk import demo, history
from povdesk.errors import RuleViolation
from povdesk.model import Area, ChangeLog, Household, Member, NoticeBatch
from povdesk.notices import settings as notice_settings
from povdesk.notices import workflow
from povdesk.stats import households_in

D = dt.date


@pytest.fixture
def county(db):
    demo.generate(db, households=300, seed=1)
    return db


def busiest_township(session, year=2019) -> Area:
    """The township with the most households that exited in `year` (so tests have several to work with)."""
    townships = session.scalars(select(Area).where(Area.level == "township")).all()

    def exits(area):
        ids = households_in(area)
        q = select(func.count()).where(
            Household.id.in_(ids), Household.status == "exited", Household.year_exited == year
        )
        return session.scalar(q)

    return max(townships, key=exits)


def run_to_announcement(session, batch, *, issue=True):
    """Every stage on plausible dates in December 2019; the announcement issued on 20 December."""
    today = D(2019, 12, 31)
    workflow.start_stage(session, batch, "village_notice", D(2019, 12, 1), today=today)
    workflow.start_stage(session, batch, "township_review", D(2019, 12, 8), note="同意", today=today)
    workflow.start_stage(session, batch, "township_notice", D(2019, 12, 9), today=today)
    workflow.start_stage(session, batch, "county_approval", D(2019, 12, 16), today=today)
    if issue:
        workflow.start_stage(session, batch, "county_announcement", D(2019, 12, 20), today=today)


def test_exit_proposal_is_the_areas_households_exited_that_year(county):
    with county.transaction() as s:
        township = busiest_township(s)
        batch = workflow.create_batch(s, kind="exit", year=2019, area=township)
        expected = s.scalar(
            select(func.count()).where(
                Household.id.in_(households_in(township)), Household.status == "exited", Household.year_exited == 2019
            )
        )
        households, persons = workflow.counts(s, batch)
        assert households == expected > 0
        assert persons >= households
        assert batch.title == f"{township.name}2019年贫困户退出"
        assert [st.stage for st in batch.stages] == list(workflow.STAGES)


def test_identify_proposal_takes_households_identified_that_year(county):
    with county.transaction() as s:
        county_area = s.scalars(select(Area).where(Area.level == "county")).one()
        batch = workflow.create_batch(s, kind="identify", year=2016, area=county_area)
        ids = workflow.active_household_ids(s, batch)
        assert ids
        assert {h.year_identified for h in s.scalars(select(Household).where(Household.id.in_(ids)))} == {2016}


def test_stages_follow_the_fixed_order_and_say_why_not(county):
    with county.transaction() as s:
        batch = workflow.create_batch(s, kind="exit", year=2019, area=busiest_township(s))
        today = D(2019, 12, 5)
        # GIVEN nothing has started, THEN only the village notice may start
        assert workflow.why_not(s, batch, "village_notice", today=today) is None
        assert workflow.why_not(s, batch, "township_review", today=today) == "请先完成“村公示”"
        assert "请先完成“乡镇公示”" in workflow.why_not(s, batch, "county_approval", today=today)
        # WHEN the village notice runs from 1 to 7 December (default 7 days)
        stage = workflow.start_stage(s, batch, "village_notice", D(2019, 12, 1), today=today)
        assert (stage.ended_on, stage.period_days) == (D(2019, 12, 7), 7)
        # THEN the township cannot review before it has ended
        assert "公示期到2019年12月7日才结束" in workflow.why_not(s, batch, "township_review", today=today)
        with pytest.raises(RuleViolation, match="才结束"):
            workflow.start_stage(s, batch, "township_review", D(2019, 12, 5), today=today)
        # AND an unresolved objection blocks it after the end too
        household_id = workflow.active_household_ids(s, batch)[0]
        objection = workflow.record_objection(s, batch, "village_notice", received_on=D(2019, 12, 3),
                                              raised_by="村民张某", content="该户家中有小汽车", household_id=household_id)  # fmt: skip
        later = D(2019, 12, 10)
        assert "1条异议尚未处理完毕" in workflow.why_not(s, batch, "township_review", today=later)
        workflow.resolve_objection(s, objection.id, resolution="经核实属实，取消退出", on=D(2019, 12, 6),
                                   withdraw_household=True)  # fmt: skip
        assert workflow.why_not(s, batch, "township_review", today=later) is None
        assert "不能早于2019年12月8日" in workflow.why_not(s, batch, "township_review", D(2019, 12, 7), today=later)
        assert household_id not in workflow.active_household_ids(s, batch)
        info = {i.stage: i for i in workflow.stage_info(s, batch, today=later)}
        assert info["village_notice"].state == "ended"
        assert info["village_notice"].summary == "公示2019年12月1日至2019年12月7日（7天）"
        assert info["township_review"].state == "pending"


def test_announcement_changes_statuses_and_records_the_batch_in_history(county):
    with county.transaction() as s:
        township = busiest_township(s)
        poor = s.scalars(
            select(Household).where(Household.id.in_(households_in(township)), Household.status == "poor")
        ).first()
        batch = workflow.create_batch(s, kind="exit", year=2019, area=township)
        workflow.add_households(s, batch, [poor.id])
        withdrawn = [i for i in workflow.active_household_ids(s, batch) if i != poor.id][0]
        workflow.withdraw(s, batch, withdrawn, "收入不稳定，暂缓退出", D(2019, 11, 30))
        run_to_announcement(s, batch, issue=False)
        assert poor.status == "poor"  # nothing changes before the announcement
        workflow.start_stage(s, batch, "county_announcement", D(2019, 12, 20), today=D(2019, 12, 31))
        batch_id = batch.id
    with county.session() as s:
        household = s.get(Household, poor.id)
        assert (household.status, household.year_exited) == ("exited", 2019)
        changes = s.scalars(
            select(ChangeLog).where(ChangeLog.household_id == poor.id, ChangeLog.notice_batch_id == batch_id)
        ).all()
        assert {(c.field, c.old_value, c.new_value) for c in changes} >= {("status", "poor", "exited")}
        assert all(c.effective_on == D(2019, 12, 20) and "贫困户退出公告" in c.reason for c in changes)
        assert s.get(Household, withdrawn).status == "exited"  # it had exited already; withdrawn, so untouched
        assert not s.scalars(
            select(ChangeLog).where(ChangeLog.household_id == withdrawn, ChangeLog.notice_batch_id == batch_id)
        ).all()
        batch = s.get(NoticeBatch, batch_id)
        assert batch.completed_on == D(2019, 12, 20)
        assert workflow.why_not(s, batch, "county_announcement") == "“县公告”已于2019年12月20日开始"
        with pytest.raises(RuleViolation, match="不能再撤回"):
            workflow.withdraw(s, batch, poor.id, "误报", D(2019, 12, 21))


def test_announcement_is_all_or_nothing(county, monkeypatch):
    with county.transaction() as s:
        township = busiest_township(s)
        poor_ids = list(
            s.scalars(select(Household.id).where(Household.id.in_(households_in(township)), Household.status == "poor"))
        )[:3]
        batch = workflow.create_batch(s, kind="exit", year=2019, area=township, household_ids=poor_ids)
        run_to_announcement(s, batch, issue=False)
        batch_id = batch.id
    calls = []

    def failing_record(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real_record(*args, **kwargs)

    real_record = history.record
    monkeypatch.setattr(history, "record", failing_record)
    with pytest.raises(RuntimeError), county.transaction() as s:
        workflow.start_stage(
            s, s.get(NoticeBatch, batch_id), "county_announcement", D(2019, 12, 20), today=D(2019, 12, 31)
        )
    with county.session() as s:
        assert {s.get(Household, i).status for i in poor_ids} == {"poor"}
        assert s.get(NoticeBatch, batch_id).completed_on is None
        assert workflow.stage_row(s.get(NoticeBatch, batch_id), "county_announcement").started_on is None


def test_household_edits_follow_the_rules(county):
    with county.transaction() as s:
        township = busiest_township(s)
        other = s.scalars(select(Household).where(Household.id.not_in(households_in(township)))).first()
        early = s.scalars(
            select(Household).where(
                Household.id.in_(households_in(township)), Household.status == "exited", Household.year_exited < 2019
            )
        ).first()
        batch = workflow.create_batch(s, kind="exit", year=2019, area=township)
        with pytest.raises(RuleViolation, match=f"不在{township.name}"):
            workflow.add_households(s, batch, [other.id])
        with pytest.raises(RuleViolation, match=f"已于{early.year_exited}年脱贫"):
            workflow.add_households(s, batch, [early.id])
        # a household may be on one open batch of a kind at a time
        village = s.get(Area, s.get(Household, workflow.active_household_ids(s, batch)[0]).village_id)
        with pytest.raises(RuleViolation, match="已在“"):
            workflow.create_batch(s, kind="exit", year=2019, area=village)
        with pytest.raises(RuleViolation, match="必须填写原因"):
            workflow.withdraw(s, batch, workflow.active_household_ids(s, batch)[0], "  ", D(2019, 12, 1))
        workflow.start_stage(s, batch, "village_notice", D(2019, 12, 1), today=D(2019, 12, 2))
        with pytest.raises(RuleViolation, match="村公示已开始，不能再增加农户"):
            workflow.add_households(s, batch, [early.id])
        with pytest.raises(RuleViolation, match="不能删除"):
            workflow.delete_batch(s, batch)


def test_a_batch_not_yet_posted_can_be_deleted(county):
    with county.transaction() as s:
        batch = workflow.create_batch(s, kind="exit", year=2019, area=busiest_township(s))
        batch_id, area = batch.id, s.get(Area, batch.area_id)
    with county.transaction() as s:
        workflow.delete_batch(s, workflow.get_batch(s, batch_id))
    with county.transaction() as s:
        assert workflow.find_batches(s) == []
        assert workflow.create_batch(s, kind="exit", year=2019, area=s.get(Area, area.id)).items  # free again


def test_objections_belong_to_a_notice_period(county):
    with county.transaction() as s:
        batch = workflow.create_batch(s, kind="exit", year=2019, area=busiest_township(s))
        with pytest.raises(RuleViolation, match="尚未开始"):
            workflow.record_objection(s, batch, "village_notice", received_on=D(2019, 12, 2), content="有异议")
        workflow.start_stage(s, batch, "village_notice", D(2019, 12, 1), period_days=10, today=D(2019, 12, 2))
        with pytest.raises(RuleViolation, match="不在“村公示”期内（2019年12月1日至2019年12月10日）"):
            workflow.record_objection(s, batch, "village_notice", received_on=D(2019, 12, 11), content="有异议")
        with pytest.raises(RuleViolation, match="不是公示环节"):
            workflow.record_objection(s, batch, "township_review", received_on=D(2019, 12, 2), content="有异议")
        objection = workflow.record_objection(s, batch, "village_notice", received_on=D(2019, 12, 2), content="有异议")
        with pytest.raises(RuleViolation, match="请填写处理结果"):
            workflow.resolve_objection(s, objection.id, resolution="", on=D(2019, 12, 3))
        with pytest.raises(RuleViolation, match="没有指明农户"):
            workflow.resolve_objection(s, objection.id, resolution="核实", on=D(2019, 12, 3), withdraw_household=True)
        workflow.resolve_objection(s, objection.id, resolution="经核实不属实，维持", on=D(2019, 12, 4))
        assert [o.resolution for o in workflow.objections(s, batch)] == ["经核实不属实，维持"]


def test_a_mistaken_stage_can_be_undone_but_never_the_announcement(county):
    with county.transaction() as s:
        batch = workflow.create_batch(s, kind="exit", year=2019, area=busiest_township(s))
        run_to_announcement(s, batch, issue=False)
        with pytest.raises(RuleViolation, match="请先撤销“县审定”"):
            workflow.undo_stage(s, batch, "township_notice")
        workflow.undo_stage(s, batch, "county_approval")
        assert workflow.why_not(s, batch, "county_approval", today=D(2019, 12, 31)) is None
        run_stage = workflow.start_stage(s, batch, "county_approval", D(2019, 12, 17), today=D(2019, 12, 31))
        assert run_stage.started_on == D(2019, 12, 17)
        workflow.start_stage(s, batch, "county_announcement", D(2019, 12, 20), today=D(2019, 12, 31))
        with pytest.raises(RuleViolation, match="不能撤销"):
            workflow.undo_stage(s, batch, "county_announcement")


def test_monitoring_batches_close_the_risk_on_announcement(county):
    from povdesk.model import MonitoredHousehold

    with county.transaction() as s:
        episode = s.scalars(select(MonitoredHousehold).where(MonitoredHousehold.risk_eliminated_on.is_(None))).first()
        village = s.get(Area, s.get(Household, episode.household_id).village_id)
        batch = workflow.create_batch(
            s, kind="risk_eliminated", year=2024, area=village, household_ids=[episode.household_id]
        )
        run_to_announcement(s, batch)
        assert episode.risk_eliminated_on == D(2019, 12, 20)
        assert (
            s.scalar(
                select(func.count())
                .select_from(ChangeLog)
                .where(ChangeLog.notice_batch_id == batch.id, ChangeLog.kind == "monitoring")
            )
            == 1
        )


def test_settings_are_office_wide_and_refuse_private_columns(county):
    with county.transaction() as s:
        settings = notice_settings.load(s)
        assert settings.period_days == 7 and "id" in settings.columns_for("exit")
        settings.period_days = 10
        settings.hotline = "0872-5123456"
        settings.columns["exit"] = ["seq", "head", "persons"]
        notice_settings.save(s, settings)
    with county.transaction() as s:
        again = notice_settings.load(s)
        assert (again.period_days, again.hotline, again.columns_for("exit")) == (
            10,
            "0872-5123456",
            ["seq", "head", "persons"],
        )
        again.columns["exit"] = ["seq", "head", "phone"]
        with pytest.raises(RuleViolation, match="“phone”不存在"):
            notice_settings.save(s, again)
        again.columns["exit"] = ["seq"]
        again.stages["village_notice"].title = "{village}{nonsense}公示"
        with pytest.raises(RuleViolation, match="无法识别的占位符"):
            notice_settings.save(s, again)
        batch = workflow.create_batch(s, kind="exit", year=2019, area=busiest_township(s))
        stage = workflow.start_stage(s, batch, "village_notice", D(2019, 12, 1), today=D(2019, 12, 2))
        assert stage.period_days == 10  # the office's period is the default


def test_member_count_is_what_the_notice_totals_use(county):
    with county.session() as s:
        township = busiest_township(s)
        batch = workflow.create_batch(s, kind="exit", year=2019, area=township)
        ids = workflow.active_household_ids(s, batch)
        members = s.scalar(
            select(func.count()).select_from(Member).where(Member.household_id.in_(ids), Member.removed_on.is_(None))
        )
        assert workflow.counts(s, batch) == (len(ids), members)
        s.rollback()


def test_return_and_monitoring_proposals_come_from_history_and_episodes(county):
    from povdesk.model import MonitoredHousehold

    with county.transaction() as s:
        area = s.scalars(select(Area).where(Area.level == "county")).one()
        returned = set(s.scalars(select(Household.id).where(Household.status == "returned")))
        batch = workflow.create_batch(s, kind="return", year=2020, area=area)
        assert set(workflow.active_household_ids(s, batch)) == returned != set()
        assert workflow.create_batch(s, kind="return", year=2019, area=area).items == []
        episode = s.scalars(select(MonitoredHousehold).order_by(MonitoredHousehold.id)).first()
        year = episode.identified_on.year
        batch = workflow.create_batch(s, kind="monitor_identify", year=year, area=area)
        assert episode.household_id in workflow.active_household_ids(s, batch)
        assert batch.title == f"云岭县{year}年防返贫监测对象识别"
