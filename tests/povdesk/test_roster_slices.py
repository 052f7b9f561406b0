"""Big .xlsx sheets read in slices: the same rows, row numbers, merged cells and import as a whole read; no leftovers."""

from __future__ import annotations

import copy
import datetime as dt
import re
import tempfile
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select
from test_roster_fixtures import COL, COLUMNS, person_id, registry_dump, sample_households, write_roster

from povdesk.db import open_database
from povdesk.model import Household
from povdesk.roster import slices
from povdesk.roster.importer import import_roster
from povdesk.roster.normalize import age_on
from povdesk.roster.reader import HeaderNotFound, RosterReadError, RosterSheet
from povdesk.roster.slices import SlicedSheet

TODAY = dt.date.today()


def _county(copies: int) -> list[dict]:
    """The sample households many times over, with their own household numbers and ID numbers."""
    households = []
    for k in range(copies):
        for household in copy.deepcopy(sample_households()):
            household["户编号"] = household["户编号"][:-4] + f"{k:03d}" + household["户编号"][-1]
            for member in household["members"]:
                number = member["证件号码"]
                born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])) - dt.timedelta(days=k)
                member["证件号码"] = person_id(born, int(number[14:17]))
                member["年龄"] = age_on(born, TODAY)
            households.append(household)
    return households


@pytest.fixture
def sliced(monkeypatch, tmp_path):
    """Slices of a few hundred bytes, so that every household, merged range and the header cross slice boundaries;
    returns a switch between sliced and whole reading."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(slices, "SLICE_BYTES", 300)

    def use(on: bool) -> None:
        monkeypatch.setattr(slices, "MIN_SPLIT_BYTES", 0 if on else 1 << 62)

    return use


def _leftovers(tmp_path) -> list:
    return sorted(p.name for p in tmp_path.glob("povdesk-roster-*"))


def _read(path, slicing: bool):
    """Header and non-blank rows in sheet coordinates (cells from column A, trailing blanks dropped)."""
    with RosterSheet(path) as roster:
        assert isinstance(roster.source, SlicedSheet) is slicing
        offset = roster.col_offset
        mapping = {col + offset: key for col, key in roster.header.mapping.items()}
        rows = []
        for number, cells in roster.rows():
            cells = [""] * offset + ["" if c is None else c for c in cells]
            while cells and cells[-1] == "":
                cells.pop()
            if cells:  # a blank row between slices is not in either; the importer skips blank rows
                rows.append((number, cells))
        return roster.header.excel_row, mapping, rows


@pytest.mark.parametrize("layout", ["repeat", "head", "merged"])
def test_sliced_reading_gives_the_rows_of_a_whole_read(tmp_path, sliced, layout):
    # GIVEN a roster of 180 households under a title and a two-row merged header
    path = write_roster(tmp_path / f"{layout}.xlsx", _county(60), layout=layout, two_row_header=True)
    # WHEN it is read whole, and in slices of about one row
    sliced(False)
    whole = _read(path, False)
    sliced(True)
    pieces = _read(path, True)
    # THEN the header, every row number and every cell (merged household cells filled in) are the same
    assert pieces == whole
    assert len(whole[2]) >= 360
    second_member = next(cells for _, cells in whole[2] if cells[0] == 2)
    assert second_member[COL["户编号"]] == ("" if layout == "head" else "5329301001000001")  # merged cells filled
    assert _leftovers(tmp_path) == []


def test_a_sheet_whose_rows_start_in_different_columns_is_read_alike(tmp_path, sliced):
    # GIVEN a roster whose title sits in column B, so that the first slices start one column right of the data
    path = write_roster(tmp_path / "r.xlsx", _county(5), two_row_header=True)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    sheet.unmerge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet["B1"], sheet["A1"] = sheet["A1"].value, None
    workbook.save(path)
    # WHEN it is read whole and in slices THEN both give the same cells in the same columns
    sliced(False)
    whole = _read(path, False)
    sliced(True)
    assert _read(path, True) == whole
    assert whole[2][0][1][COL["姓名"]] == "张建国"


def test_a_sliced_import_equals_a_whole_import_defects_included(tmp_path, sliced):
    # GIVEN a merged-layout roster with a wrong check character planted in the middle
    bad = [None] * len(COLUMNS)
    bad[COL["姓名"]], bad[COL["证件号码"]], bad[COL["与户主关系"]] = "错号", "53293019800101001X", "之子"
    path = write_roster(tmp_path / "r.xlsx", _county(40), layout="merged", extra_rows=[(200, bad)])
    results, dumps = [], []
    for slicing in (False, True):
        # WHEN it is imported into an empty database, read whole and read in slices
        sliced(slicing)
        database = open_database(f"sqlite:///{tmp_path / f'{slicing}.db'}")
        results.append(import_roster(database, path).to_json())
        dumps.append(registry_dump(database))
        database.close()
    # THEN the registry, the counts and the rejected row (with its Excel row number) are the same
    assert results[0] == results[1]
    assert dumps[0] == dumps[1]
    assert results[0]["households_added"] == 120
    assert [r["row"] for r in results[0]["rejected"]] == [205]


def test_a_sheet_damaged_past_its_first_rows_is_refused_and_nothing_is_imported(db, tmp_path, sliced):
    # GIVEN a roster whose compressed sheet is damaged in the middle
    path = write_roster(tmp_path / "r.xlsx", _county(40))
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + info.compress_size // 2, start + info.compress_size // 2 + 64):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    sliced(True)
    # WHEN it is imported
    with pytest.raises(RosterReadError) as error:
        import_roster(db, path)
    # THEN the clerk is told the file is damaged, nothing is imported and no temporary file is left
    assert "已损坏" in str(error.value) and "r.xlsx" in str(error.value)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Household)) == 0
    assert _leftovers(tmp_path) == []


def test_reading_only_the_header_leaves_no_temporary_workbook(tmp_path, sliced):
    # GIVEN a big roster opened to show its header (as the import wizard does), WHEN it is closed unread
    path = write_roster(tmp_path / "r.xlsx", _county(40))
    sliced(True)
    with RosterSheet(path) as roster:
        assert roster.header.texts[COL["证件号码"]] == "证件号码"
    # THEN its slicing thread has stopped and removed its temporary workbook
    assert _leftovers(tmp_path) == []


def test_a_temporary_folder_that_cannot_be_written_is_reported_and_nothing_is_imported(db, tmp_path, sliced,
                                                                                      monkeypatch):  # fmt: skip
    # GIVEN a big roster and a temporary folder that is full
    path = write_roster(tmp_path / "r.xlsx", _county(10))
    sliced(True)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(slices.tempfile, "mkdtemp", full)
    # WHEN it is imported THEN the clerk reads what went wrong and where, and nothing is imported
    with pytest.raises(RosterReadError, match="磁盘空间不足") as error:
        import_roster(db, path)
    assert str(tmp_path) in str(error.value) and "本次未导入任何数据" in str(error.value)
    assert "No space" not in str(error.value)  # the system's English words go to the log only
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Household)) == 0


def test_a_big_sheet_without_a_roster_header_is_refused_and_leaves_nothing_behind(tmp_path, sliced):
    # GIVEN a big workbook whose sheet is not a roster (no header in its first rows)
    path = write_roster(tmp_path / "r.xlsx", _county(10), title=False)
    workbook = openpyxl.load_workbook(path)
    workbook.active.delete_rows(1, 2)  # the header and the column numbers
    workbook.save(path)
    sliced(True)
    # WHEN it is opened THEN the clerk is told what is missing and the temporary workbook is gone
    with pytest.raises(HeaderNotFound):
        RosterSheet(path)
    assert _leftovers(tmp_path) == []


def test_a_sheet_whose_rows_carry_no_numbers_is_read_whole(tmp_path, sliced):
    # GIVEN a big roster written by a tool that numbers neither rows nor cells (the order alone places them)
    source = write_roster(tmp_path / "numbered.xlsx", _county(5))
    path = tmp_path / "r.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<c r="[A-Z]+\d+"', b"<c", re.sub(rb'<row r="\d+"', b"<row", data))
            zout.writestr(info, data)
    sliced(True)
    # WHEN it is read THEN it is read whole (a slice could not tell its first row), with the right row numbers
    with RosterSheet(path) as roster:
        assert not isinstance(roster.source, SlicedSheet)
        first = next(roster.rows())
    assert first[0] == 5 and first[1][COL["姓名"]] == "张建国"
