"""A county-sized roster for benchmarks and the crash test: a demo county written in the national layout.

The writer is a plain, fast .xlsx writer with shared strings, as Excel saves them (the product's exporter writes the
same cells through openpyxl, five times slower).
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf/></cellStyleXfs>
<cellXfs count="2"><xf/><xf numFmtId="49" applyNumberFormat="1"/></cellXfs>
</styleSheet>"""


def write_xlsx(path: Path, rows, dimension: str | None = None) -> int:
    """A minimal .xlsx with shared strings; numbers as numbers, everything else as text. Returns the row count.

    `dimension` ("A1:AK414963"): the used range, which Excel and WPS always write before the rows.
    """
    strings: dict[str, int] = {}
    letters = [get_column_letter(i + 1) for i in range(200)]
    count = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw:
            out = []
            out.append(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                + (f'<dimension ref="{dimension}"/>' if dimension else "")
                + "<sheetData>"
            )
            for r, cells in enumerate(rows, start=1):
                count += 1
                out.append(f'<row r="{r}">')
                for c, value in enumerate(cells):
                    if value is None or value == "":
                        continue
                    ref = f"{letters[c]}{r}"
                    if isinstance(value, bool):
                        out.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
                    elif isinstance(value, int | float):
                        out.append(f'<c r="{ref}"><v>{value}</v></c>')
                    else:
                        text = str(value)
                        index = strings.setdefault(text, len(strings))
                        out.append(f'<c r="{ref}" t="s"><v>{index}</v></c>')
                out.append("</row>")
                if len(out) > 20000:
                    raw.write("".join(out).encode())
                    out.clear()
            out.append("</sheetData></worksheet>")
            raw.write("".join(out).encode())
        shared = "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
        zf.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/'
            f'spreadsheetml/2006/main" count="{len(strings)}" uniqueCount="{len(strings)}">{shared}</sst>',
        )
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WORKBOOK)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/styles.xml", _STYLES)
    return count


def make_roster(path: Path, households: int) -> int:
    """Generate a demo county in a temporary database and write its roster; returns the number of person rows."""
    from sqlalchemy import func, select

    from povdesk import demo
    from povdesk.db import open_database
    from povdesk.model import Member
    from povdesk.roster.exporter import roster_rows
    from povdesk.roster.layout import export_headers

    with tempfile.TemporaryDirectory() as folder:
        database = open_database(f"sqlite:///{folder}/source.db")
        demo.generate(database, households=households, seed=1)
        with database.session() as session:
            _, rows = roster_rows(session)
            persons = session.scalar(select(func.count()).select_from(Member).where(Member.removed_on.is_(None)))
            headers = export_headers()

            def numbered():
                yield ["云岭县建档立卡人口花名册"]
                yield ["填报单位：云岭县乡村振兴局"]
                yield headers
                for seq, cells in enumerate(rows, start=1):
                    cells[0] = seq
                    yield [c.isoformat() if hasattr(c, "isoformat") else c for c in cells]

            count = write_xlsx(path, numbered(), f"A1:{get_column_letter(len(headers))}{persons + 3}") - 3
        database.close()
    return count
