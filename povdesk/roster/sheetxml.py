"""What python-calamine cannot be trusted with in a worksheet's XML: error cells, unsaved formulas, far-away cells.

calamine reads error cells (#N/A, #REF! …) and formulas saved without their result as blanks (python-calamine #105),
and allocates a dense grid from the first to the last cell holding a value: one value at XFD1048576 asks for 512 GB,
one at row 1,000,000 under a 30-column header for more than a gigabyte. These scans find such cells in the sheet's
XML before calamine sees it. They look only for byte patterns with a literal start (`bytes.find` and regular
expressions that the `re` module searches by their literal prefix), about 30 ms per 32 MB each, so that a normal
roster pays little; the cells found are then parsed one by one, and they are rare.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field

from openpyxl.utils import column_index_from_string

from povdesk.roster.cells import NO_CACHED_VALUE, CellError

MAX_COLUMNS = 256  # IV, the last column of an .xls; the national roster layout has under 100 columns
ROW_GAP = 2_000  # empty rows between two rows with data that are worth reading apart
_FAR = re.compile(rb'r="(?:[A-Z]{3}|[J-Z][A-Z][0-9]|I[W-Z][0-9])')  # a cell ref beyond column IV (257 and more)
_REF = re.compile(rb"\sr\s*=\s*[\"']([A-Z]{1,3})([0-9]+)[\"']")
_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\sr\s*=\s*[\"']([0-9]+)")
_TYPE = re.compile(rb"\st\s*=\s*[\"'](\w+)[\"']")
_ERROR_VALUE = re.compile(rb"<(?:\w+:)?v>\s*([^<]*?)\s*</(?:\w+:)?v>")


def column_number(letters: bytes) -> int:
    """1 for A, 27 for AA, 16384 for XFD."""
    return column_index_from_string(letters.decode("ascii"))


class FarCell(Exception):
    """A cell holding a value far beyond any roster's columns: `ref` as Excel names it (XFD1048576)."""

    def __init__(self, ref: str) -> None:
        super().__init__(ref)
        self.ref = ref


@dataclass
class Found:
    """Error cells by (0-based sheet row, 0-based column), and the first and last row numbers (1-based) seen."""

    errors: dict[tuple[int, int], CellError] = field(default_factory=dict)
    first_row: int = 0
    last_row: int = 0


class Scanner:
    """Scans the row elements of one worksheet, piece after piece (each piece ends at a row boundary)."""

    def __init__(self, ns: bytes = b"") -> None:
        self.ns = ns
        v = re.escape(b"<" + ns + b"v")
        close_v, close_c = re.escape(b"</" + ns + b"v>"), re.escape(b"</" + ns + b"c>")
        no_value = rb"\s*(?:" + v + rb"\s*/>|" + v + rb">\s*" + close_v + rb")?\s*" + close_c
        # the end of a formula cell without a result (</f></c>, </f><v></v></c>), a pattern with a literal start that
        # the re module searches for quickly. A shared formula's other cells (<f t="shared" si="0"/>) always carry
        # their result in what Excel and WPS save; looking for them too would cost one more pass.
        self._no_value = re.compile(re.escape(b"</" + ns + b"f>") + no_value)
        self._cell_start = b"<" + ns + b"c"

    def scan(self, data, end: int, found: Found, *, far: bool = True) -> None:
        """Error cells and (unless `far` is False) far cells in data[:end]; FarCell for a value beyond column IV."""
        if data.find(b't="e"', 0, end) >= 0:
            pos = data.find(b't="e"', 0, end)
            while pos >= 0:
                start = self._start_of_cell(data, pos)
                close = data.find(b"</" + self.ns + b"c>", pos, end)
                value = _ERROR_VALUE.search(data, pos, close if close >= 0 else end)
                code = value.group(1).decode("utf-8", "replace") if value else "#VALUE!"
                self._place(data, start, found, CellError(code or "#VALUE!"))
                pos = data.find(b't="e"', pos + 5, end)
        for match in self._no_value.finditer(data, 0, end):
            start = self._start_of_cell(data, match.start())
            tag = data[start : data.find(b">", start) + 1]
            kind = _TYPE.search(tag)
            if kind and kind.group(1) == b"str" and b"</" + self.ns + b"v>" in match.group(0):
                continue  # a text formula whose result is the empty string: a blank cell indeed
            self._place(data, start, found, CellError(NO_CACHED_VALUE))
        far = _FAR.search(data, 0, end) if far else None
        while far is not None:
            start = self._start_of_cell(data, far.start())
            tag_end = data.find(b">", start)
            if data[tag_end - 1 : tag_end] != b"/":  # a styled empty cell (<c r="XFD9" s="3"/>) holds nothing
                close = data.find(b"</" + self.ns + b"c>", tag_end, end)
                inner = bytes(data[tag_end + 1 : close if close >= 0 else end])
                if b"<" + self.ns + b"v>" in inner or b"<" + self.ns + b"f" in inner or b"<" + self.ns + b"is" in inner:
                    ref = _REF.search(data, start, tag_end + 1)
                    raise FarCell(ref.group(1).decode() + ref.group(2).decode() if ref else "")
            far = _FAR.search(data, far.end(), end)

    def _start_of_cell(self, data, pos: int) -> int:
        """The `<c` that opens the cell around `pos` (a `<col` or `<cols` is not in sheetData)."""
        start = data.rfind(self._cell_start, 0, pos + 1)
        while start >= 0 and data[start + len(self._cell_start) : start + len(self._cell_start) + 1] not in (
            b" ", b">", b"\t", b"\n", b"\r", b"/"):  # fmt: skip
            start = data.rfind(self._cell_start, 0, start)
        return max(start, 0)

    def _place(self, data, start: int, found: Found, error: CellError) -> None:
        tag_end = data.find(b">", start)
        ref = _REF.search(data, start, tag_end + 1)
        if ref is None:  # a cell placed by its order alone: count the cells before it in its row
            row_start = data.rfind(b"<" + self.ns + b"row", 0, start)
            row = _ROW.match(data, row_start) if row_start >= 0 else None
            if row is None:
                return
            cells = bytes(data[row_start:start])
            col = len(re.findall(rb"<" + self.ns + rb"c[\s>/]", cells))
            found.errors[(int(row.group(1)) - 1, col)] = error
            return
        found.errors[(int(ref.group(2)) - 1, column_number(ref.group(1)) - 1)] = error


def row_span(data, start: int, end: int, ns: bytes = b"") -> tuple[int, int]:
    """The first and last row numbers (1-based) of the rows with cells in data[start:end]; (0, 0) without numbers."""
    first = _ROW.search(data, start, min(end, start + (1 << 16)))
    last_start = data.rfind(b"<" + ns + b"row", start, max(data.rfind(b"</" + ns + b"row>", start, end), start))
    while last_start >= 0 and data[last_start + len(ns) + 4 : last_start + len(ns) + 5] not in (b" ", b"\t", b"\n"):
        last_start = data.rfind(b"<" + ns + b"row", start, last_start)
    last = _ROW.match(data, last_start) if last_start >= 0 else None
    if first is None or last is None:
        return 0, 0
    return int(first.group(1)), int(last.group(1))


def is_sparse(first: int, last: int, rows: int) -> bool:
    """`rows` rows with cells (counted by their closing tags) spread from row `first` to row `last` leave more than
    ROW_GAP empty rows between them: calamine would fill each of those rows with blanks."""
    return last - first + 1 > rows + ROW_GAP


def looks_sparse(data, end: int, first: int, last: int) -> bool:
    """Whether data[:end] may leave wide gaps between its rows, without counting them: its rows span more than twice
    what its size holds at the bytes per row of its first and last rows (a dense piece never does)."""
    if last - first + 1 <= ROW_GAP:
        return False
    samples = []
    for start in (0, max(0, end - (1 << 16))):
        piece = data[start : min(end, start + (1 << 16))]
        count = piece.count(b"row>")
        if count > 1:
            samples.append(len(piece) / count)
    per_row = min(samples, default=1)
    return last - first + 1 > 2 * end / per_row + ROW_GAP


def gap_cuts(data, end: int, ns: bytes = b"") -> list[int]:
    """Offsets in data[:end] where a row with cells starts after more than ROW_GAP empty rows (a styled empty row,
    `<row r="9" s="1"/>`, is empty): the pieces to read apart."""
    cuts, previous = [], None
    pattern = rb"<" + ns + rb"row\b[^>]*?\sr\s*=\s*[\"']([0-9]+)[\"'][^>]*?(/?)>"
    for row in re.finditer(pattern, data[:end]):
        if row.group(2):
            continue
        number = int(row.group(1))
        if previous is not None and number - previous > ROW_GAP:
            cuts.append(row.start())
        previous = number
    return cuts


def dimension_columns(prefix: bytes) -> int | None:
    """The last column of the sheet's <dimension ref="A1:BZ900">, if it has one."""
    found = re.search(rb"<(?:\w+:)?dimension\b[^>]*\bref\s*=\s*[\"'][A-Z]*[0-9]*:?([A-Z]+)[0-9]*[\"']", prefix)
    return column_number(found.group(1)) if found else None


def sheet_prefix(head: bytes) -> tuple[bytes, bytes] | None:
    """The XML up to and including <sheetData>, and the namespace prefix of its elements; None without rows."""
    found = re.search(rb"<(\w+:)?sheetData\b[^>]*>", head)
    if found is None or found.group(0).endswith(b"/>"):
        return None
    return head[: found.end()], found.group(1) or b""


def survey(zf: zipfile.ZipFile, part: str, block: int = 8 << 20) -> tuple[Found, bool]:
    """Scan a whole worksheet (read whole by calamine): its error cells, and whether its rows are sparse.

    Raises FarCell for a value beyond column IV, ValueError for XML whose rows cannot be found.
    """
    found = Found()
    with zf.open(part) as raw:
        head = raw.read(1 << 16)
        prefix = sheet_prefix(head)
        if prefix is None:
            return found, False
        start, ns = prefix
        scanner, closing = Scanner(ns), b"</" + ns + b"sheetData>"
        row_close = b"</" + ns + b"row>"
        data, rows = head[len(start) :], 0
        while True:
            more = raw.read(block)
            end = data.find(closing)
            if end < 0:
                cut = data.rfind(row_close) + len(row_close) if more else len(data)
                if cut < len(row_close) and more:
                    data += more
                    continue
            else:
                cut = end
            first, last = row_span(data, 0, cut, ns)
            found.first_row = found.first_row or first
            found.last_row = max(found.last_row, last)
            rows += data.count(row_close, 0, cut)
            scanner.scan(data, cut, found)
            if end >= 0 or not more:
                break
            data = data[cut:] + more
    return found, found.first_row > 0 and is_sparse(found.first_row, found.last_row, rows)
