"""The domain model: every table of PovDesk, importable from one place."""

from povdesk.model.area import Area, AreaPopulation
from povdesk.model.assistance import (
    Cadre,
    HelpingUnit,
    Pairing,
    PairingQuota,
    PairingScheme,
    UnitVillage,
    Visit,
    VisitKind,
    WorkTeam,
    WorkTeamMember,
)
from povdesk.model.base import Base
from povdesk.model.household import AssistanceMeasure, ChangeLog, Household, HouseholdYear, Member
from povdesk.model.monitoring import MonitoredHousehold, MonitoringLine
from povdesk.model.notice import NoticeBatch, NoticeItem, NoticeStage, Objection
from povdesk.model.security import AuditLog, Setting, User
from povdesk.model.wallchart import WallchartSummary, WallchartVersion

__all__ = [
    "Area", "AreaPopulation", "AssistanceMeasure", "AuditLog", "Base", "Cadre", "ChangeLog", "HelpingUnit",
    "Household", "HouseholdYear", "Member", "MonitoredHousehold", "MonitoringLine", "NoticeBatch", "NoticeItem", "NoticeStage",
    "Objection", "Pairing", "PairingQuota", "PairingScheme", "Setting", "UnitVillage", "User", "Visit", "VisitKind",
    "WallchartSummary", "WallchartVersion", "WorkTeam", "WorkTeamMember",
]  # fmt: skip
