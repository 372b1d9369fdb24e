"""The Vietnamese catalogues are complete, their compiled .mo files match, and English is selectable."""

import gettext
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("rasoat/**/locale/vi/LC_MESSAGES/django.po"))


def _join(chunk: str) -> str:
    """The text of a (possibly wrapped) quoted .po string."""
    return "".join(json.loads(line) for line in chunk.strip().splitlines())


def entries(po: Path):
    """(context, msgid, [msgstr...]) for every entry but the header, obsolete ones skipped."""
    text = "\n".join(
        line for line in po.read_text(encoding="utf-8").splitlines() if not line.startswith("#~")
    )
    for block in text.split("\n\n"):
        block = "\n".join(line for line in block.splitlines() if not line.startswith("#")) + "\n"
        ctx = re.search(r'^msgctxt ((?:".*"\n)+)', block, re.M)
        msgid = re.search(r'^msgid ((?:".*"\n)+)', block, re.M)
        if not msgid:
            continue
        strs = re.findall(r'^msgstr(?:\[\d+\])? ((?:".*"\n)+)', block, re.M)
        mid = _join(msgid.group(1))
        if mid:
            yield (_join(ctx.group(1)) if ctx else None), mid, [_join(s) for s in strs]


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 4


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_is_complete_and_compiled(po):
    text = po.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text
    compiled = gettext.GNUTranslations(po.with_suffix(".mo").open("rb"))
    for ctx, msgid, strs in entries(po):
        assert all(strs), f"untranslated in {po.name}: {msgid!r}"
        key = f"{ctx}\x04{msgid}" if ctx else msgid
        if len(strs) == 1:
            assert compiled.gettext(key) == strs[0], f"{po} not compiled: {msgid!r}"
        else:
            assert compiled.ngettext(key, key, 1) == strs[0], f"{po} not compiled: {msgid!r}"


def test_login_page_is_vietnamese_by_default(client):
    page = client.get("/dang-nhap/").content.decode()
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page and "Mật khẩu" in page


def test_english_is_selectable(client, settings):
    response = client.post("/ngon-ngu/", {"language": "en", "next": "/dang-nhap/"})
    assert response.status_code == 302
    page = client.get("/dang-nhap/").content.decode()
    assert '<html lang="en">' in page
    assert "Log in" in page and "Password" in page
