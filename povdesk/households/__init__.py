"""Editing one household as plain data: load a draft, change it, validate it, save it in one transaction with history."""

from povdesk.households.display import HistoryRow, field_label, history, value_label
from povdesk.households.draft import (
    ConflictField,
    EditConflict,
    EpisodeDraft,
    HouseholdDraft,
    MeasureDraft,
    MemberDraft,
    VersionConflict,
    VillageOption,
    YearDraft,
    add_year,
    has_changes,
    load,
    new_draft,
    recompute,
    remove_member,
    set_id_number,
    values_to_verify,
    village_options,
)
from povdesk.households.review import field_name, kept_values
from povdesk.households.saving import rebase, save
from povdesk.households.status import (
    ACTIONS,
    StatusChange,
    allowed_actions,
    apply_status_change,
    undo_last_status_change,
)
from povdesk.households.validation import Problem, ValidationFailed, member_problems, validate

__all__ = [
    "ACTIONS", "ConflictField", "EditConflict", "EpisodeDraft", "HistoryRow", "HouseholdDraft", "MeasureDraft", "MemberDraft",
    "Problem", "StatusChange", "ValidationFailed", "VillageOption", "YearDraft", "add_year", "allowed_actions", "apply_status_change",
    "field_label", "field_name", "has_changes", "history", "kept_values", "load", "member_problems", "new_draft",
    "rebase", "recompute", "remove_member", "save", "set_id_number", "undo_last_status_change", "validate", "value_label", "VersionConflict",
    "values_to_verify", "village_options",
]  # fmt: skip
