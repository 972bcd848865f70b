"""The learner's messages in every language: each message wrapped in _() has a translation in
each catalog, with the same placeholders, and the compiled .mo matches its .po (make i18n)."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest

import bpcourse
from bpcourse import i18n
from bpcourse.check import GradientMismatch, check_gradient

babel_extract = pytest.importorskip("babel.messages.extract")
from babel.messages import mofile, pofile  # noqa: E402

CATALOGS = sorted(i18n.LOCALE_DIR.glob(f"*/LC_MESSAGES/{i18n.DOMAIN}.po"))


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    i18n.set_language("en")


def _messages_in_the_code() -> set[str]:
    """Every message wrapped in _() in the package, extracted from the source as `make i18n`
    does, so a message wrapped but not yet in the catalogs fails too."""
    found = set()
    for _file, _line, message, _comments, _context in babel_extract.extract_from_dir(
            str(i18n.LOCALE_DIR.parent), method_map=[("**.py", "python")]):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _read(po_path):
    with open(po_path, "rb") as f:
        return pofile.read_po(f)


def test_there_is_a_chinese_catalog():
    assert [p.parent.parent.name for p in CATALOGS] == ["zh_CN"]
    assert i18n.available_languages() == ["en", "zh_CN"]


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_every_message_has_a_translation_with_the_same_placeholders(po_path):
    catalog = _read(po_path)
    wanted = _messages_in_the_code()
    assert wanted, "no message wrapped in _() found in bpcourse/"
    untranslated = sorted(m for m in wanted
                          if m not in catalog or not catalog[m].string or catalog[m].fuzzy)
    assert not untranslated, (
        f"{len(untranslated)} of {len(wanted)} messages have no translation in {po_path.name} "
        f"(run `make i18n`, then translate): {untranslated}")
    for message in wanted:
        placeholders = sorted(re.findall(r"\{[^}]*\}", message))
        assert sorted(re.findall(r"\{[^}]*\}", catalog[message].string)) == placeholders, message


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: p.parent.parent.name)
def test_the_compiled_catalog_matches_its_po_file(po_path):
    compiled = io.BytesIO()
    mofile.write_mo(compiled, _read(po_path))
    assert po_path.with_suffix(".mo").read_bytes() == compiled.getvalue(), (
        f"{po_path.with_suffix('.mo')} is older than its .po: run `make i18n`")


def test_a_wrong_gradient_gets_its_hint_in_the_chosen_language():
    expected = np.arange(12.0).reshape(3, 4)
    with pytest.raises(GradientMismatch, match="Likely mistake: transposed"):
        check_gradient(expected.T.copy(), expected, "dW")
    assert bpcourse.set_language("zh") == "zh_CN"
    with pytest.raises(GradientMismatch) as caught:
        check_gradient(expected.T.copy(), expected, "dW")
    assert str(caught.value) == ("dW：形状不对。应为 (3, 4)，实际为 (4, 3)。"
                                 "可能的错误：转置了：检查矩阵乘法的顺序（用维度分析可以确定形状）。")
    with pytest.raises(GradientMismatch, match=r"放大了 N=4 倍"):
        check_gradient(4 * expected, expected, "dW", batch_size=4)


def test_the_language_comes_from_set_language_then_bpcourse_lang_never_lang(monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    monkeypatch.delenv("BPCOURSE_LANG", raising=False)
    i18n._current.update(language=None, translation=None)
    assert i18n.language() == "en"
    monkeypatch.setenv("BPCOURSE_LANG", "zh_CN")
    i18n._current.update(language=None, translation=None)
    assert i18n.language() == "zh_CN"
    assert i18n.set_language("en") == "en"
    with pytest.raises(ValueError, match="choose one of en, zh_CN"):
        i18n.set_language("fr")
