"""The course's fonts: an installed CJK font behind matplotlib's own, so that Chinese shows.

:func:`use_course_fonts` is where the course sets matplotlib's fonts: every figure of
:mod:`bpcourse.plots` calls it, and so does :func:`bpcourse.set_language` for Chinese (a notebook
that draws with ``plt`` itself then gets real glyphs instead of boxes and a "Glyph ... missing"
warning). A module of its own, so that :mod:`bpcourse.i18n` (which calls it) and
:mod:`bpcourse.plots` (which translates its labels through i18n) both import it at the top.

matplotlib is imported inside each function, so ``import bpcourse`` stays numpy-only.
"""

from __future__ import annotations

# CJK families to fall back to, best first: Debian's fonts-noto-cjk (its .ttc files show up as
# the JP face), conda-forge's font-ttf-noto-cjk, and the fonts macOS and Windows ship.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans CJK KR",
             "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "PingFang SC", "Hiragino Sans GB", "Heiti SC", "Microsoft YaHei", "SimHei",
             "Arial Unicode MS")


def cjk_font() -> str | None:
    """The installed CJK font family matplotlib will fall back to, or None when there is none
    (then ``scripts/system-deps.sh fonts`` says how to install one)."""
    from matplotlib import font_manager

    for attempt in range(2):
        installed = {font.name for font in font_manager.fontManager.ttflist}
        listed = [name for name in CJK_FONTS if name in installed]
        other = sorted(name for name in installed if "CJK" in name and "Mono" not in name)
        if listed or other or attempt:
            return (listed + other + [None])[0]
        # matplotlib's font list is cached from its first run: a font installed since is not in
        # it. Add the files of the packages the set-up installs (Debian's, conda-forge's).
        for path in _cjk_font_files():
            font_manager.fontManager.addfont(str(path))
    return None


def _cjk_font_files() -> list:
    import sys
    from pathlib import Path

    places = [(Path("/usr/share/fonts"), "**/NotoSansCJK-Regular.ttc"),
              (Path(sys.prefix) / "fonts", "NotoSansCJK*-VF.otf*")]
    return [path for folder, pattern in places if folder.is_dir()
            for path in sorted(folder.glob(pattern))]


def use_course_fonts() -> str | None:
    """Put the installed CJK font right behind the default font family (idempotent).

    matplotlib (3.6 and later) falls back glyph by glyph along the list ``font.family``: Latin
    text keeps its usual look, Chinese characters come from the CJK font.

    Returns:
        The CJK family used, or None when none is installed (nothing changes then).
    """
    import matplotlib

    font = cjk_font()
    families = list(matplotlib.rcParams["font.family"])
    if font is not None and font not in families:
        matplotlib.rcParams["font.family"] = [*families, font]
    return font
