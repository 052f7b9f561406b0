"""Build the rare-character fallback fonts shipped here from Debian's fonts-hanazono (a developer tool, not run by the app).

WenQuanYi Micro Hei covers the 20,902 common ideographs but not CJK Extension A/B (䶮, 𠮷…), which appear in the
names of real residents. HanaMin A/B (GlyphWiki project) cover them as TrueType that reportlab can embed. The full
files are 53 MB, so only the ideographs Micro Hei lacks are kept, up to Extension B (what GB 18030 encodes and the
national registration system can hold); rarer characters are reported before printing instead.

    python3 -m pip install --target /tmp/ft fonttools && apt-get install fonts-hanazono fonts-wqy-microhei
    PYTHONPATH=/tmp/ft python3 resources/fonts/build_fallback.py
"""

from __future__ import annotations

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

HERE = Path(__file__).resolve().parent
MAIN = HERE / "wqy-microhei.ttc"
SOURCES = Path("/usr/share/fonts/truetype/hanazono")
EXT_B = range(0x20000, 0x2A6E0)


def is_han(cp: int) -> bool:
    """Ideographs, radicals and strokes up to Extension B, and the compatibility ideographs."""
    return (
        0x2E80 <= cp <= 0x2FDF
        or 0x31C0 <= cp <= 0x31EF
        or 0x3400 <= cp <= 0x4DBF
        or 0x4E00 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or cp in EXT_B
        or 0x2F800 <= cp <= 0x2FA1F
    )


def build(source: Path, target: Path, unicodes: list[int]) -> None:
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.hinting = False
    options.notdef_outline = True
    options.drop_tables += ["GSUB", "GPOS", "vhea", "vmtx", "VORG", "FFTM"]
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    font.save(target)
    print(f"{target.name}: {len(unicodes)} characters, {target.stat().st_size // 1024} KB")


def main() -> None:
    have = set(TTCollection(MAIN).fonts[0].getBestCmap())
    first = [cp for cp in TTFont(SOURCES / "HanaMinA.ttf", lazy=True).getBestCmap() if is_han(cp) and cp not in have]
    build(SOURCES / "HanaMinA.ttf", HERE / "HanaMinA-rare.ttf", first)
    have.update(first)
    second = [cp for cp in TTFont(SOURCES / "HanaMinB.ttf", lazy=True).getBestCmap() if is_han(cp) and cp not in have]
    build(SOURCES / "HanaMinB.ttf", HERE / "HanaMinB-extb.ttf", second)


if __name__ == "__main__":
    main()
