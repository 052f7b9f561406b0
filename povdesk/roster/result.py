"""What a roster import did: counts, rejected rows and warnings with their Excel rows, and what it kept or assumed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from povdesk.roster.validate import Issue


@dataclass
class ImportResult:
    path: Path
    sheet: str
    header_row: int
    header_texts: list[str]
    dry_run: bool = False
    strict: bool = False
    committed: bool = False
    households_added: int = 0
    households_updated: int = 0
    persons_added: int = 0
    persons_updated: int = 0
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    rejected_raw: dict[int, list] = field(default_factory=dict)
    kept_columns: int = 0  # columns PovDesk does not model, kept as written
    attributes_derived: int = 0  # households whose 贫困户属性 was derived from their members' 低保/特困 support
    income_year: int | None = None  # the year incomes were stored under where the file does not say it
    income_year_from: str = ""  # "title": the rows above the header name it; "assumed": last year

    @property
    def refused_by_strict(self) -> bool:
        return self.strict and bool(self.rejected)

    def to_json(self) -> dict:
        """The CLI's --json object."""
        return {
            "households_added": self.households_added,
            "households_updated": self.households_updated,
            "persons_added": self.persons_added,
            "persons_updated": self.persons_updated,
            "rejected": [{"row": i.row, "reason": i.reason} for i in self.rejected],
            "warnings": [{"row": i.row, "reason": i.reason, "kind": i.kind} for i in self.warnings],
            "kept_columns": self.kept_columns,
            "attributes_derived": self.attributes_derived,
            "income_year": self.income_year,
            "income_year_from": self.income_year_from or None,
        }

    def summary(self) -> str:
        """One Chinese paragraph for the clerk."""
        if self.refused_by_strict:
            head = f"有 {len(self.rejected)} 行被拒绝，按“严格模式”要求本次未导入任何数据。"
        elif self.dry_run:
            head = (f"预检完成（未写入数据库）：将新增 {self.households_added} 户 {self.persons_added} 人，"
                    f"更新 {self.households_updated} 户 {self.persons_updated} 人。")  # fmt: skip
        else:
            head = (f"导入完成：新增 {self.households_added} 户 {self.persons_added} 人，"
                    f"更新 {self.households_updated} 户 {self.persons_updated} 人。")  # fmt: skip
        notes = [f"被拒绝 {len(self.rejected)} 行，提示 {len(self.warnings)} 条。"]
        if self.kept_columns:
            notes.append(f"另有 {self.kept_columns} 列本系统没有对应字段，已按原样保留。")
        if self.attributes_derived:
            notes.append(f"表中没有贫困户属性，{self.attributes_derived} 户的属性按成员享受低保、特困供养的情况推定。")
        if self.income_year_from == "title":
            notes.append(f"未填写收入年度的户，收入等数据按表头上方注明的 {self.income_year} 年导入。")
        elif self.income_year_from == "assumed":
            notes.append(
                f"未填写收入年度的户，表头上方也未注明数据年度，收入等数据按上一年（{self.income_year} 年）导入，请核对。"
            )
        return head + "".join(notes)
