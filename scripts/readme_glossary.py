"""Write the 术语表 (glossary) tables of README.md and README.zh-CN.md from scripts/glossary.py,
the one list of the course's terms: every term, in the order a learner meets them.

    .venv/bin/python scripts/readme_glossary.py

README.md gets English | 中文, README.zh-CN.md 中文 | English. Only the table under the heading
that starts with "## 术语表" changes; tests/test_editions.py fails while a README's table differs
from the list.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import glossary  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
READMES = {"README.md": "en", "README.zh-CN.md": "zh"}
# the heading, the prose up to the table, the table (its lines start with "|")
_SECTION = re.compile(r"(^## 术语表[^\n]*\n(?:(?!\|)[^\n]*\n)*?)((?:\|[^\n]*\n)+)", re.M)


def rewrite(text: str, lang: str) -> str:
    """``text`` (a README) with its glossary table written from glossary.TERMS.

    Raises:
        ValueError when the README has no "## 术语表" heading followed by a table.
    """
    terms = [english for english, _ in glossary.TERMS]
    new, count = _SECTION.subn(lambda m: m[1] + glossary.table(terms, lang) + "\n", text,
                               count=1)
    if not count:
        raise ValueError("no table under a '## 术语表' heading: add the heading and a one-line "
                         "table (| 中文 | English |) where the glossary belongs, then run again")
    return new


def main() -> int:
    for name, lang in READMES.items():
        path = ROOT / name
        text = path.read_text(encoding="utf-8")
        new = rewrite(text, lang)
        if new != text:
            path.write_text(new, encoding="utf-8")
        print(f"{name}: {len(glossary.TERMS)} terms" + (" (rewritten)" if new != text else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
