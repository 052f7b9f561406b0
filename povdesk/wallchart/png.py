"""A wall chart's PDF page as a PNG image (for slides), rendered with pdfium: no Qt, no poppler needed."""

from __future__ import annotations

from pathlib import Path

from povdesk.errors import PovDeskError


def pdf_to_png(pdf_path: str | Path, png_path: str | Path, *, dpi: int = 150, page: int = 0) -> Path:
    """Render page `page` (0 = the first) of the PDF at `dpi` into a PNG file on a white background."""
    import pypdfium2 as pdfium

    pdf_path, png_path = Path(pdf_path), Path(png_path)
    try:
        document = pdfium.PdfDocument(str(pdf_path))
    except (pdfium.PdfiumError, OSError) as exc:
        raise PovDeskError(f"无法读取PDF文件“{pdf_path}”：{exc}") from exc
    try:
        if not 0 <= page < len(document):
            raise PovDeskError(f"PDF文件“{pdf_path}”只有{len(document)}页，没有第{page + 1}页")
        bitmap = document[page].render(scale=dpi / 72, fill_color=(255, 255, 255, 255))
        image = bitmap.to_pil()
        try:
            image.save(png_path, format="PNG", dpi=(dpi, dpi), optimize=False)
        except OSError as exc:
            raise PovDeskError(f"无法写入图片文件“{png_path}”：{exc}") from exc
    finally:
        document.close()
    return png_path
