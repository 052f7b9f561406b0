"""What a roster file really is when calamine cannot open it, text rosters.

Clerks receive rosters saved by other systems under an Excel name: a CSV or tab-separated text (GB18030 from
older Chinese software, UTF-8, or the UTF-16 "Unicode text" Excel itself saves), a web page, an Excel 2003 XML
sheet, an encrypted workbook. The first bytes tell; the clerk is told what the file is and what to do, in Chinese
only (the library's own words go to the log).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: legacy .xls, or an encrypted .xlsx
_ENCRYPTED = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
TEXT_LIMIT = 256 << 20  # a text roster is read whole; a county's roster as CSV is under 100 MB


def is_encrypted_package(path: Path) -> bool:
    """An .xlsx locked with a password is an OLE compound file holding EncryptionInfo/EncryptedPackage streams."""
    with path.open("rb") as f:
        head = f.read(1 << 20)
    return head.startswith(CFB_MAGIC) and any(name in head for name in _ENCRYPTED)


def kind_of(path: Path) -> str:
    """What the file's first bytes say it is: zip, cfb, html, xml2003, text, or binary."""
    with path.open("rb") as f:
        head = f.read(1 << 16)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(CFB_MAGIC):
        return "cfb"
    if _text_encoding(head) is None:
        return "binary"
    sample = _decode(head, _text_encoding(head)).lstrip("\ufeff \t\r\n").lower()
    if sample.startswith("<"):
        return "xml2003" if "urn:schemas-microsoft-com:office:spreadsheet" in sample else "html"
    return "text"


def _text_encoding(head: bytes) -> str | None:
    """utf-16 (with its byte order mark), utf-8, gb18030, or None for bytes no text encoding explains."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)  # the head may end mid-character
            return encoding
        except UnicodeDecodeError:
            continue
    return None


def _decode(data: bytes, encoding: str) -> str:
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(data, final=False)


def unreadable_message(path: Path) -> str:
    """Why calamine could not open `path`, from what its content really is (one Chinese line)."""
    name = path.name
    kind = kind_of(path)
    if kind == "cfb" and is_encrypted_package(path):
        return f"文件“{name}”已加密（设置了打开密码），请在 Excel 中取消密码后另存，再导入"
    if kind == "html":
        return f"文件“{name}”其实是网页格式，不是 Excel 文件，请用 Excel 打开后“另存为” .xlsx 再导入"
    if kind == "xml2003":
        return f"文件“{name}”是 Excel 2003 XML 表格，不能直接导入，请用 Excel 打开后“另存为” .xlsx 再导入"
    if kind == "zip":
        return (f"文件“{name}”是压缩包，但不是完整的 Excel 工作簿，可能已损坏或不完整（例如下载、复制中断），"
                "请重新获取原文件")  # fmt: skip
    return f"无法读取“{name}”：不是有效的 Excel 文件，可能已损坏或不完整（例如下载、复制中断），请重新获取原文件"


class TextSheet:
    """A CSV or tab-separated text roster under an Excel name, read whole: cells are texts, as a clerk typed them."""

    def __init__(self, path: Path) -> None:
        if path.stat().st_size > TEXT_LIMIT:
            raise ValueError("text roster too big")
        data = path.read_bytes()
        encoding = _text_encoding(data[: 1 << 16]) or "gb18030"
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        text = text.lstrip("\ufeff")
        first_line = text.split("\n", 1)[0]
        delimiter = "\t" if first_line.count("\t") >= first_line.count(",") and "\t" in first_line else ","
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = [[cell.strip() for cell in row] for row in reader]
        while rows and not any(rows[-1]):
            rows.pop()
        width = max((len(r) for r in rows), default=0)
        self._rows = [row + [""] * (width - len(row)) for row in rows]
        self.encoding = encoding
        self.start = (0, 0) if self._rows and width else None
        self.end_row = len(self._rows) - 1
        self.merged_cell_ranges: list = []

    def head(self, n: int) -> list[list]:
        return self._rows[:n]

    def rows(self) -> Iterator[tuple[int, list]]:
        return enumerate(self._rows)

    def close(self) -> None:
        self._rows = []
