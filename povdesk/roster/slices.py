"""A big .xlsx worksheet read in slices of rows, so that the first rows arrive in seconds and memory stays small.

python-calamine parses a whole worksheet before it hands out its first row (it has no lazy reader, python-calamine
issue #42): 20 s and 1.4 GB for a county's 414k-person roster. Here a thread cuts the sheet's XML at row boundaries
into a temporary workbook with one small sheet per slice (the same shared strings, styles and date system), then has
calamine load one slice ahead of the rows being checked and written; calamine parses without holding the GIL. Cells
keep their sheet coordinates, and the merged ranges that follow the rows in the XML are read from a sheet of their own.
"""

from __future__ import annotations

import contextlib
import logging
import os
import posixpath
import queue
import re
import shutil
import tempfile
import threading
import time
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import quoteattr

import python_calamine as calamine

from povdesk.errors import PovDeskError
from povdesk.files import os_error_text
from povdesk.roster.cells import CellError
from povdesk.roster.sheetxml import (
    MAX_COLUMNS,
    FarCell,
    Found,
    Scanner,
    dimension_columns,
    gap_cuts,
    is_sparse,
    looks_sparse,
    row_span,
    sheet_prefix,
)

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt

log = logging.getLogger(__name__)

SPLIT_SUFFIXES = (".xlsx", ".xlsm")
MIN_SPLIT_BYTES = 48 << 20  # sheets with less XML than this (about 30,000 rows) are read whole
SLICE_BYTES = 32 << 20  # of sheet XML per slice
_SKIPPED_PARTS = ("xl/worksheets/", "xl/chartsheets/", "xl/media/", "xl/drawings/", "xl/printerSettings/",
                  "xl/embeddings/", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml")  # fmt: skip
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_WORKSHEET_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
_WORKSHEET_CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_TAIL = "tail"
TEMP_PREFIX = "povdesk-roster-"
_LOCK = "in-use.lock"  # locked while the folder's import runs: the system releases the lock when the process dies
_UNLOCKED_AGE = 3600  # a folder without a lock file (being created, or left by an older version) after this long


class SliceError(PovDeskError):
    """The sheet could not be cut into slices or a slice not loaded: the file is damaged."""


class _Stopped(Exception):
    """The reader was closed before the slices were written."""


def sheet_part(zf: zipfile.ZipFile, name: str) -> str | None:
    """The zip member holding the worksheet called `name`, from the workbook and its relationships."""
    try:
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    rel_id = next((s.get(_NS_REL) for s in workbook.iter() if s.tag.endswith("}sheet") and s.get("name") == name), None)
    target = next((r.get("Target") for r in rels if r.get("Id") == rel_id), None)
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


class SlicedSheet:
    """The rows of one worksheet as (0-based sheet row, cells from column A on), slice after slice."""

    @classmethod
    def open(cls, path, name: str, *, force: bool = False) -> SlicedSheet | None:
        """A sliced reader for a worksheet big enough to be worth it (or sparse: `force`); None to read it whole."""
        if not str(path).lower().endswith(SPLIT_SUFFIXES) or not zipfile.is_zipfile(path):
            return None
        try:
            with zipfile.ZipFile(path) as zf:
                part = sheet_part(zf, name) or ""
                size = zf.getinfo(part).file_size if part in zf.NameToInfo else 0
                if not size or (size < MIN_SPLIT_BYTES and not force):
                    return None
                if shutil.disk_usage(tempfile.gettempdir()).free < size + (256 << 20):
                    return None
                with zf.open(part) as raw:
                    head = raw.read(1 << 16)
        except (OSError, zipfile.BadZipFile, zlib.error, NotImplementedError):
            return None  # calamine reads the sheet whole and says what is wrong with the file
        found = sheet_prefix(head)
        if found is None:
            return None
        first_row = re.compile(rb"<(?:\w+:)?row\b[^>]*>").search(head, len(found[0]))
        if first_row is None or not re.search(rb"\sr\s*=", first_row.group(0)):
            return None  # rows numbered by their order alone: a slice could not tell where it starts
        return cls(path, name, part, *found)

    def __init__(self, path, name: str, part: str, prefix: bytes, ns: bytes) -> None:
        self.path, self.name, self.part, self.prefix = path, name, part, prefix
        self.row_close, self.data_close = b"</" + ns + b"row>", b"</" + ns + b"sheetData>"
        self.closing = self.data_close + b"</" + ns + b"worksheet>"
        self.ns = ns
        self._found = Found()  # error cells, written by the slicing thread before it hands out the first slice
        self._errors: dict[int, dict[int, CellError]] = {}
        self._spans: list[tuple[int, int]] = []  # each slice's first and last row with cells (1-based)
        self._slices: queue.Queue = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._tail: dict = {}
        self._scanner = Scanner(ns)
        # a value beyond column IV is looked for only when the sheet's dimension reaches there (a WPS file's
        # A1:XFD1048576, or none): Excel, WPS and openpyxl write the dimension from the cells they write
        columns = dimension_columns(prefix)
        self._far_check = columns is None or columns > MAX_COLUMNS
        self._producer = threading.Thread(target=self._produce, name="roster-slices", daemon=True)
        self._producer.start()
        self.start: tuple[int, int] | None = None
        self.width = 0
        self._exhausted = False
        self._handed = 0
        self._taken: list[tuple[int, list[list]]] = []  # slices read for the header, read again by rows()
        try:
            if not self._take():
                raise SliceError(f"工作表“{name}”是空的，没有任何数据")
        except BaseException:
            self.close()
            raise
        self.merged_cell_ranges: list = self._tail["merges"]
        self.end_row: int = self._tail["last_row"]

    # -- the slicing thread ----------------------------------------------------------------------------------------
    def _produce(self) -> None:
        """Write the slices, then have calamine load them one by one, one slice ahead of the reader."""
        folder = workbook = lock = None
        try:
            folder = tempfile.mkdtemp(prefix=TEMP_PREFIX)
            lock = _lock(folder)
            target = os.path.join(folder, "slices.xlsx")
            count, last_row = self._write(target)
            for (row, col), error in self._found.errors.items():
                self._errors.setdefault(row, {})[col] = error
            workbook = calamine.CalamineWorkbook.from_path(target)
            self._tail["merges"] = workbook.get_sheet_by_name(_TAIL).merged_cell_ranges or []
            self._tail["last_row"] = last_row
            for i in range(count):
                if self._stop.is_set():
                    break
                self._put(workbook.get_sheet_by_name(f"s{i}"))
        except _Stopped:
            pass
        except FarCell as exc:
            self._put(SliceError(far_cell_message(Path(self.path).name, self.name, exc.ref)))
        except OSError as exc:  # the disk or the temporary folder, not the file's content
            log.warning("slicing %s into %s failed", self.path, tempfile.gettempdir(), exc_info=True)
            self._put(SliceError(f"读取“{Path(self.path).name}”时出错：{os_error_text(exc)}"
                                 f"（临时文件夹 {tempfile.gettempdir()}），本次未导入任何数据"))  # fmt: skip
        except Exception:  # noqa: BLE001 - handed to the reading thread
            log.warning("sheet %r of %s cannot be sliced", self.name, self.path, exc_info=True)
            self._put(SliceError(f"无法读完“{Path(self.path).name}”的工作表“{self.name}”，文件可能已损坏，"
                                 "本次未导入任何数据，请重新获取原文件"))  # fmt: skip
        finally:
            self._put(None)
            if workbook is not None:
                workbook.close()
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            if lock is not None:
                lock.close()

    def _write(self, target: str) -> tuple[int, int]:
        """The temporary workbook: one sheet per slice of rows, and the merged ranges in a sheet of their own."""
        count, last = 0, b""
        with zipfile.ZipFile(self.path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as out:
            with source.open(self.part) as raw:
                raw.read(len(self.prefix))
                blocks = self._inflated(raw)
                carry = b""
                while True:
                    block = next(blocks)
                    data = carry + block
                    cut = end = data.find(self.data_close)
                    if end < 0:
                        if not block:
                            raise SliceError("工作表的行数据不完整")
                        cut = data.rfind(self.row_close)
                        if cut < 0:
                            carry = data  # a row longer than a slice
                            continue
                        cut += len(self.row_close)
                    if data.find(b"<", 0, cut) >= 0:  # not only whitespace
                        for a, b in self._pieces(data, cut):
                            self._write_sheet(out, f"s{count}", (self.prefix, memoryview(data)[a:b], self.closing))
                            self._spans.append(row_span(data, a, b, self.ns))
                            count += 1
                        last = data[max(0, cut - (1 << 16)) : cut]
                    if end >= 0:
                        tail = [data[end:], *blocks]
                        break
                    carry = data[cut:]
            self._write_sheet(out, _TAIL, (self.prefix, *tail))
            for info in source.infolist():
                if not info.filename.startswith(_SKIPPED_PARTS) and not info.is_dir():
                    out.writestr(info.filename, source.read(info))
            names = [f"s{i}" for i in range(count)] + [_TAIL]
            self._write_workbook(source, out, names)
        rows = re.findall(rb"<(?:\w+:)?row\b[^>]*?\sr\s*=\s*[\"'](\d+)", last)
        return count, int(rows[-1]) - 1 if rows else 0

    def _pieces(self, data: bytes, cut: int) -> list[tuple[int, int]]:
        """data[:cut] scanned for error cells and far cells, and cut again where its rows leave a wide gap."""
        self._scanner.scan(data, cut, self._found, far=self._far_check)
        first, last = row_span(data, 0, cut, self.ns)
        if (
            first
            and looks_sparse(data, cut, first, last)
            and is_sparse(first, last, data.count(self.row_close, 0, cut))
        ):
            bounds = [0, *gap_cuts(data, cut, self.ns), cut]
            return list(zip(bounds, bounds[1:], strict=False))
        return [(0, cut)]

    def _inflated(self, raw) -> Iterator[bytes]:
        """The sheet's XML block by block, ending with b"": a helper thread inflates the next block while this one is
        written (zlib and file writes both run without the GIL); 414k rows: first rows after 6.4 s instead of 7.7 s."""
        blocks: queue.Queue = queue.Queue(maxsize=2)

        def inflate() -> None:
            try:
                while block := raw.read(SLICE_BYTES):
                    if not self._handover(blocks, block):
                        return
                self._handover(blocks, b"")
            except Exception as exc:  # noqa: BLE001 - raised where the blocks are read
                self._handover(blocks, exc)

        threading.Thread(target=inflate, name="roster-inflate", daemon=True).start()
        while True:
            try:
                item = blocks.get(timeout=0.2)
            except queue.Empty:
                if self._stop.is_set():
                    raise _Stopped from None
                continue
            if isinstance(item, Exception):
                raise item
            yield item
            if not item:
                return

    @staticmethod
    def _write_sheet(out: zipfile.ZipFile, name: str, pieces) -> None:
        with out.open(f"xl/worksheets/{name}.xml", "w", force_zip64=True) as f:
            for piece in pieces:
                f.write(piece)

    @staticmethod
    def _write_workbook(source: zipfile.ZipFile, out: zipfile.ZipFile, names: list[str]) -> None:
        """The source's workbook (date system, styles, shared strings…) listing the slice sheets instead of its own."""
        workbook = source.read("xl/workbook.xml").decode("utf-8")
        ns = re.search(r"<(\w+:)?sheets\b", workbook).group(1) or ""
        sheets = "".join(f'<{ns}sheet name="{n}" sheetId="{i + 1}" r:id="povdesk{i}" '
                         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>'
                         for i, n in enumerate(names))  # fmt: skip
        workbook = re.sub(r"<(\w+:)?sheets\b.*?</(\w+:)?sheets>", lambda _: f"<{ns}sheets>{sheets}</{ns}sheets>",
                          workbook, count=1, flags=re.S)  # fmt: skip
        out.writestr("xl/workbook.xml", workbook)
        relations = ElementTree.fromstring(source.read("xl/_rels/workbook.xml.rels"))
        kept = "".join(f"<Relationship Id={quoteattr(r.get('Id', ''))} Type={quoteattr(r.get('Type', ''))} "
                       f"Target={quoteattr(r.get('Target', ''))}/>"
                       for r in relations if not r.get("Type", "").endswith(("/worksheet", "/chartsheet")))  # fmt: skip
        ours = "".join(f'<Relationship Id="povdesk{i}" Type="{_WORKSHEET_TYPE}" Target="worksheets/{n}.xml"/>'
                       for i, n in enumerate(names))  # fmt: skip
        out.writestr("xl/_rels/workbook.xml.rels",
                     '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
                     f'openxmlformats.org/package/2006/relationships">{kept}{ours}</Relationships>')  # fmt: skip
        types = source.read("[Content_Types].xml").decode("utf-8")
        overrides = "".join(f'<Override PartName="/xl/worksheets/{n}.xml" ContentType="{_WORKSHEET_CONTENT}"/>'
                            for n in names)  # fmt: skip
        out.writestr("[Content_Types].xml", types.replace("</Types>", overrides + "</Types>"))

    def _put(self, item) -> None:
        self._handover(self._slices, item)

    def _handover(self, to: queue.Queue, item) -> bool:
        """Put `item` into a bounded queue unless the reader is closed meanwhile (then False)."""
        while not self._stop.is_set():
            try:
                to.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    # -- reading ---------------------------------------------------------------------------------------------------
    def _next_slice(self) -> tuple[int, list[list]] | None:
        """The next non-empty slice: its first sheet row, and its rows from column A on, as wide as the widest yet."""
        while not self._exhausted:
            item = self._slices.get()
            if item is None:
                self._exhausted = True
            elif isinstance(item, Exception):
                self._exhausted = True
                raise item
            else:
                first_xml, last_xml = self._spans[self._handed]
                self._handed += 1
                if item.start is None:
                    if not self._errors:
                        continue
                    first_row, rows = first_xml - 1, []  # only unsaved formulas, which calamine reads as nothing
                else:
                    rows = item.to_python(skip_empty_area=True)
                    first_row, lead = item.start  # cells are placed from column A: slices start at different columns
                    self.width = max(self.width, lead + item.width)
                    trail = self.width - lead - item.width
                    if lead or trail:
                        rows = [[""] * lead + row + [""] * trail for row in rows]
                if self._errors:
                    first_row, rows = place_errors(self._errors, first_row, rows, first_xml - 1, last_xml - 1)
                if not rows:
                    continue
                if self.start is None:
                    self.start = (first_row, 0)
                return first_row, rows
        return None

    def _take(self) -> bool:
        piece = self._next_slice()
        if piece is not None:
            self._taken.append(piece)
        return piece is not None

    def head(self, n: int) -> list[list]:
        """The sheet's first `n` rows, from row 0 (rows above the first used one are empty), padded to the width of
        the widest row or merged range seen, as calamine pads a whole sheet (merged captions fill across it)."""
        while self._taken[-1][0] + len(self._taken[-1][1]) < n and self._take():
            pass
        self.width = max([self.width] + [c2 + 1 for _, (_, c2) in self.merged_cell_ranges])
        for _, piece in self._taken:
            for row in piece:
                if len(row) < self.width:
                    row.extend([""] * (self.width - len(row)))
        rows: list[list] = [[]] * min(n, self._taken[-1][0] + len(self._taken[-1][1]))
        for first_row, piece in self._taken:
            rows[first_row : first_row + len(piece)] = piece[: max(0, len(rows) - first_row)]
        return rows

    def rows(self) -> Iterator[tuple[int, list]]:
        """(0-based sheet row, cells) for every row; the sheet is read once (slices are let go as they are read)."""
        while self._taken:
            first_row, rows = self._taken.pop(0)
            yield from enumerate(rows, start=first_row)
        while (piece := self._next_slice()) is not None:
            yield from enumerate(piece[1], start=piece[0])

    def close(self) -> None:
        """Stop the slicing thread and wait for it to remove its temporary workbook (a slice being loaded finishes)."""
        self._stop.set()
        self._producer.join()


def place_errors(errors: dict[int, dict[int, CellError]], first_row: int, rows: list[list], low: int, high: int):
    """Put the error cells of sheet rows `low`..`high` into `rows` (which start at sheet row `first_row`), adding the
    rows and cells calamine left out (it reads a formula without a result as nothing): (first row, rows)."""
    wanted = [r for r in range(min(low, first_row), max(high, first_row + len(rows) - 1) + 1) if r in errors]
    if not wanted:
        return first_row, rows
    width = len(rows[0]) if rows else 0
    if wanted[0] < first_row:
        rows = [[""] * width for _ in range(first_row - wanted[0])] + rows
        first_row = wanted[0]
    if wanted[-1] >= first_row + len(rows):
        rows = rows + [[""] * width for _ in range(wanted[-1] + 1 - first_row - len(rows))]
    for r in wanted:
        row = rows[r - first_row]
        for col, error in errors.pop(r).items():
            if col >= len(row):
                row.extend([""] * (col + 1 - len(row)))
            row[col] = error
    return first_row, rows


def far_cell_message(file: str, sheet: str, ref: str) -> str:
    return (f"“{file}”工作表“{sheet}”的单元格 {ref} 有内容，但它远在花名册之外（花名册不超过 {MAX_COLUMNS} 列）。"
            "请在 Excel 中删除该单元格（或把数据复制到新工作簿）后再导入，本次未导入任何数据")  # fmt: skip


class _Lock:
    """The lock file of a temporary folder, held open and locked while its import runs."""

    def __init__(self, path: str) -> None:
        self.file = open(path, "a+b")  # noqa: SIM115 - held for the folder's life
        try:
            if fcntl is not None:
                fcntl.flock(self.file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:
                self.file.seek(0)
                msvcrt.locking(self.file.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            self.file.close()
            raise

    def close(self) -> None:
        self.file.close()  # closing releases the lock


def _lock(folder: str) -> _Lock:
    return _Lock(os.path.join(folder, _LOCK))


def remove_stale_temp_folders(folder: str | None = None) -> int:
    """Remove the temporary workbooks imports killed mid-way left behind (up to the size of a sheet each): folders
    of ours whose lock no process holds; returns how many. Call it once at the start of the GUI and of the CLI."""
    removed = 0
    base = Path(folder or tempfile.gettempdir())
    try:
        candidates = [p for p in base.glob(TEMP_PREFIX + "*") if p.is_dir() and not p.is_symlink()]
    except OSError:
        log.warning("cannot list %s", base, exc_info=True)
        return 0
    for candidate in candidates:
        lock_path = candidate / _LOCK
        try:
            if lock_path.exists():
                try:
                    _Lock(str(lock_path)).close()  # taken at once: its owner is gone
                except OSError:
                    continue  # in use
            elif time.time() - candidate.stat().st_mtime < _UNLOCKED_AGE:
                continue  # being created this moment (the lock comes right after the folder)
        except OSError:
            continue
        shutil.rmtree(candidate, ignore_errors=True)
        with contextlib.suppress(OSError):
            if not candidate.exists():
                removed += 1
                log.info("removed the stale temporary folder %s", candidate)
    return removed
