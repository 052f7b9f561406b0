"""Files the clerk names: what went wrong with one, in Chinese, and a check that an output file can be written."""

from __future__ import annotations

import errno
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from povdesk.errors import PovDeskError

log = logging.getLogger(__name__)

_REASONS = {
    errno.ENOENT: "文件或文件夹不存在，可能已被移动、改名或删除",
    errno.EACCES: "没有权限，或文件正被其他程序（如 Excel、WPS）打开，请关闭后重试",
    errno.EPERM: "没有权限，或文件正被其他程序（如 Excel、WPS）打开，请关闭后重试",
    errno.EROFS: "所在磁盘或文件夹是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中的某一级不是文件夹",
    errno.EEXIST: "已有同名的文件或文件夹（路径中的某一级可能是文件，不是文件夹）",
    errno.ENAMETOOLONG: "文件路径太长，请把文件移到路径较短的文件夹后再试",
    errno.EIO: "读写磁盘时出错，磁盘、U 盘或网络可能有故障，请把文件复制到本机后再试",
    errno.EMFILE: "同时打开的文件太多，请关闭一些程序后重试",
    errno.ENFILE: "同时打开的文件太多，请关闭一些程序后重试",
    errno.EBUSY: "文件正被其他程序占用，请关闭后重试",
    errno.ETXTBSY: "文件正被其他程序占用，请关闭后重试",
}
if hasattr(errno, "EDQUOT"):
    _REASONS[errno.EDQUOT] = "磁盘配额已用完"
_WINDOWS_REASONS = {
    32: "文件正被其他程序（如 Excel、WPS）占用，请关闭后重试",  # ERROR_SHARING_VIOLATION
    33: "文件的一部分被其他程序锁定，请关闭后重试",  # ERROR_LOCK_VIOLATION
}


class OutputFileError(PovDeskError):
    """A file the clerk asked for (a report, an export, a PDF) cannot be written there."""


def os_error_text(exc: OSError) -> str:
    """The reason of an operating-system error in Chinese, for a clerk; the technical text goes to the log."""
    log.info("operating-system error: %r", exc)
    winerror = getattr(exc, "winerror", None)
    if winerror in _WINDOWS_REASONS:
        return _WINDOWS_REASONS[winerror]
    return _REASONS.get(exc.errno) or f"系统无法访问该文件（错误代码 {exc.errno or winerror or '未知'}）"


def check_writable(path: str | os.PathLike, *, suffix: str | None = None) -> Path:
    """Make sure `path` can be written before long work is done for it: the folder exists and takes a file, and an
    existing file is not locked by another program. Raises OutputFileError with the reason in Chinese."""
    path = Path(path)
    if suffix and path.suffix.lower() != suffix:
        raise OutputFileError(f"无法保存“{path.name}”：只能保存为 {suffix} 文件，请把文件名改为以 {suffix} 结尾")
    folder = path.parent
    if not folder.is_dir():
        raise OutputFileError(f"无法保存“{path}”：文件夹“{folder}”不存在")
    if path.is_dir():
        raise OutputFileError(f"无法保存“{path}”：这是一个文件夹，不是文件")
    try:
        if path.exists():
            with path.open("r+b"):  # opening for writing fails on a file Excel holds open (Windows), or read-only
                pass
        else:
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".povdesk-check-"):
                pass
    except OSError as exc:
        raise OutputFileError(f"无法保存“{path}”：{os_error_text(exc)}") from None
    return path


@contextmanager
def writing(path: str | os.PathLike) -> Iterator[Path]:
    """Around the save of an output file: an operating-system error becomes an OutputFileError in Chinese."""
    path = Path(path)
    try:
        yield path
    except OSError as exc:
        log.warning("writing %s failed", path, exc_info=True)
        raise OutputFileError(f"无法保存“{path}”：{os_error_text(exc)}") from None
