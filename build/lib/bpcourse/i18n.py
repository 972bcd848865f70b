"""The learner's language: the messages a learner reads (hints, errors) in English or Chinese.

English is the source text, written in the code and wrapped in ``_()``; each other language has a
gettext catalog, ``bpcourse/locale/<language>/LC_MESSAGES/bpcourse.po`` (where the translator
writes) compiled to the ``.mo`` read here. ``make i18n`` extracts, merges and compiles them with
Babel; ``tests/test_i18n.py`` fails on a message without a translation.

How a notebook chooses: the zh edition's first code cell calls ``bpcourse.set_language("zh_CN")``,
so its visible tests, its hidden tests when nbgrader grades it, and Validate all speak Chinese in
that kernel. Without that call the variable ``BPCOURSE_LANG`` (``zh_CN``, ``en``) decides, else
English. The locale variables (``LANG``, ``LC_ALL``) are never read: a learner's shell locale must
not change the language of a notebook, nor make two graders see different messages.

Points and verdicts never depend on the language, only the words of a message do.
"""

from __future__ import annotations

import contextlib
import gettext
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from . import fonts

DOMAIN = "bpcourse"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SOURCE_LANGUAGE = "en"
# What a caller may write -> the catalog's name.
_ALIASES = {"en": "en", "en_us": "en", "en_gb": "en", "c": "en",
            "zh": "zh_CN", "zh_cn": "zh_CN", "zh_hans": "zh_CN", "zh_hans_cn": "zh_CN"}

_current: dict[str, object] = {"language": None, "translation": None}


def available_languages() -> list[str]:
    """English and every language with a compiled catalog in ``bpcourse/locale/``."""
    compiled = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return [SOURCE_LANGUAGE, *compiled]


def normalize(language: str | None) -> str:
    """``"zh"``, ``"zh-CN"``, ``"zh_Hans"`` -> ``"zh_CN"``; ``None``, ``""``, ``"en"`` -> ``"en"``.

    Raises:
        ValueError naming the languages there are, for any other language.
    """
    key = (language or SOURCE_LANGUAGE).strip().replace("-", "_").lower()
    if key not in _ALIASES:
        raise ValueError(f"no course language {language!r}; choose one of "
                         f"{', '.join(available_languages())} (zh is accepted for zh_CN).")
    return _ALIASES[key]


def set_language(language: str | None) -> str:
    """Speak ``language`` from now on in this Python process (a notebook's kernel).

    Chinese also makes the course's figures fall back to a CJK font (see
    :func:`bpcourse.fonts.use_course_fonts`), when matplotlib is installed.

    Returns:
        The language chosen, normalised (``"zh_CN"`` or ``"en"``).

    Raises:
        ValueError for a language the course does not have; FileNotFoundError when its
        compiled catalog is missing (run ``make i18n``).
    """
    chosen = normalize(language)
    if chosen == SOURCE_LANGUAGE:
        translation = gettext.NullTranslations()
    else:
        try:
            translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[chosen])
        except FileNotFoundError:
            raise FileNotFoundError(
                f"no compiled catalog {LOCALE_DIR / chosen / 'LC_MESSAGES' / (DOMAIN + '.mo')}; "
                "run `make i18n` to compile it from its .po file.") from None
        try:
            fonts.use_course_fonts()
        except ImportError:  # the numpy-only core: no figures, nothing to configure
            pass
    _current.update(language=chosen, translation=translation)
    return chosen


def language() -> str:
    """The language messages are in now: set_language's, else BPCOURSE_LANG's, else English."""
    if _current["language"] is None:
        set_language(os.environ.get("BPCOURSE_LANG") or SOURCE_LANGUAGE)
    return str(_current["language"])


def _(message: str) -> str:
    """``message`` (English, the catalog's key) in the current language."""
    language()
    return _current["translation"].gettext(message)


def N_(message: str) -> str:  # noqa: N802  (gettext's name for it, which Babel extracts)
    """``message`` unchanged, marked for the catalog: for English text that is stored as data
    (a NOT GRADED reason in the gradebook and in ``--json``) and translated with ``_()`` only
    when it is shown."""
    return message


@contextlib.contextmanager
def speaking(language: str | None) -> Iterator[str]:
    """Speak ``language`` inside the ``with`` block, then the language spoken before.

    What a tool uses to print one output in the language of an assignment's edition (``bpcourse
    grade`` of a zh notebook) without changing the language of the rest of the process.
    """
    before = _current["language"]
    try:
        yield set_language(language)
    finally:
        if before is None:
            _current.update(language=None, translation=None)
        else:
            set_language(str(before))


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal or a notebook's output: a Chinese character takes
    two, so a table with Chinese headers pads by this, not by ``len``."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def ljust(text: str, columns: int) -> str:
    """``text`` padded on the right to ``columns`` display columns."""
    return text + " " * max(0, columns - display_width(text))


def rjust(text: str, columns: int) -> str:
    """``text`` padded on the left to ``columns`` display columns."""
    return " " * max(0, columns - display_width(text)) + text
