"""Cells a roster reader hands on as something other than a plain value: Excel error cells and unsaved formulas."""

from __future__ import annotations

NO_CACHED_VALUE = ""  # the code of a formula saved without its result (written by a program, never recalculated)


class CellError:
    """A cell Excel shows as an error (#N/A, #REF!, #DIV/0! …) or a formula whose result the file does not hold.

    python-calamine reads both as blank (python-calamine #105); the readers put one of these in their place, so that
    the checks report the cell as what it is instead of as missing.
    """

    __slots__ = ("code",)

    def __init__(self, code: str) -> None:
        self.code = code

    @property
    def message(self) -> str:
        """What is wrong with the cell, to follow the column's name: "“人均纯收入”是公式错误 #N/A"."""
        if self.code == NO_CACHED_VALUE:
            return "是公式，但文件中没有保存计算结果，请用 Excel 打开、重新计算并保存后再导入"
        return f"是公式错误 {self.code}，请在 Excel 中改正该单元格后再导入"

    def __str__(self) -> str:
        """The cell as Excel shows it, for reports and header texts."""
        return self.code or "（未计算的公式）"

    def __repr__(self) -> str:
        return f"CellError({self.code!r})"

    def __eq__(self, other: object) -> bool:
        return other.__class__ is CellError and other.code == self.code  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((CellError, self.code))
