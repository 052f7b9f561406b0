"""Many sheets at once, e.g. the village notices of every village of a township: one PDF per posted sheet."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from povdesk.db import Database
from povdesk.files import writing
from povdesk.notices import sheet as notice_sheet_data
from povdesk.notices import workflow
from povdesk.pdf import notice_sheet
from povdesk.progress import Progress

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def file_name(title: str) -> str:
    """A file name Windows accepts, from a sheet title."""
    return _UNSAFE.sub("_", title).strip("._") + ".pdf"


def write_pdf(sheet: notice_sheet_data.Sheet, path: Path) -> notice_sheet.Rendered:
    """Render to `path`, turning file system errors into a message for the clerk."""
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            return notice_sheet.render(sheet, out)


def export_sheets(
    db: Database, batch_ids: list[int], stage: str, folder: Path, progress: Progress | None = None,
    today: dt.date | None = None,
) -> list[Path]:  # fmt: skip
    """One PDF per section (per village for the village and township notices) of each batch, in `folder`.
    Runs in its own session, so it may run on a worker thread."""
    progress = progress or Progress()
    with db.session() as session:
        sheets = []
        progress.start(len(batch_ids), "正在读取公示名单……")
        for i, batch_id in enumerate(batch_ids, start=1):
            sheets.append(notice_sheet_data.build(session, workflow.get_batch(session, batch_id), stage, today=today))
            progress.update(i)
    sections = [(s, section) for s in sheets for section in s.sections]
    progress.start(len(sections), "正在生成公示单……")
    written: list[Path] = []
    for i, (whole, section) in enumerate(sections, start=1):
        one = notice_sheet_data.Sheet(whole.stage, whole.kind, whole.year, [section], whole.font_size)
        path = folder / file_name(section.title)
        n = 1
        while path in written:  # two batches of the same village and kind: keep both sheets
            n += 1
            path = folder / file_name(f"{section.title}-{n}")
        write_pdf(one, path)
        written.append(path)
        progress.update(i, label=f"正在生成公示单：{section.title}")
    return written
