"""The household editor: household fields, members, yearly figures, measures, status changes and history."""

from ui.household_editor.editor import HouseholdEditor, open_household

__all__ = ["HouseholdEditor", "open_household"]
