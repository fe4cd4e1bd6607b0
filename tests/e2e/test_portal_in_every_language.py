"""Every page a role reaches, walked in each language other than English: no English label on it,
no label key shown in its place. Each role starts at its home page and follows the portal's
links (pages, not downloads or actions) breadth first, as a reader clicking through would."""
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest

from services.gateway.portal import i18n
from services.gateway.portal.sessions import LANG_COOKIE

from .portal_steps import PortalVisitor

pytestmark = pytest.mark.e2e
PAGES_PER_ROLE = 40
NOT_PAGES = re.compile(r"\.(csv|xlsx|pdf|docx|ics|json|html|js|css|png|svg)$"
                       r"|^/(sign-out|static|api)")
KEY = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")  # what `t()` shows when a label is missing
ROLES = [("admin", None, None), ("ethics_office", None, None), ("panel_chair", "EO", None),
         ("panel_member", "EO", None), ("focal_point", "EO", None), ("reviewer", None, None),
         ("filer", None, "NOBODY-1"), ("auditor", None, None)]


class PageText(HTMLParser):
    """The text a reader sees (not scripts, styles or attributes) and the page's links."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._hidden += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def english_only_labels(proper_names: frozenset = frozenset(), lang: str = "zh") -> set[str]:
    """English labels a page in `lang` must not show: those worded differently in `lang`, at
    least two words long (a single word may be a proper name or data), other than the proper
    names of the records shown (an entity called "Ethics Office")."""
    english, translated = i18n.labels("en"), i18n.labels(lang)
    found = set()
    for key, text in english.items():
        if translated.get(key) == text or "{" in text or text in proper_names:
            continue
        if len(re.findall(r"[A-Za-z]{2,}", text)) >= 2:
            found.add(" ".join(text.split()))
    return found


def untranslated(texts: list[str], english: set[str]) -> list[str]:
    return [t for t in texts if t in english or KEY.match(t)]


def walk(visitor: PortalVisitor, start: str):
    """(path, status, texts) of each page reached from `start`, each path once, at most
    PAGES_PER_ROLE of them."""
    seen, queue = {start}, deque([start])
    while queue:
        path = queue.popleft()
        answer = visitor.get(path)
        if not answer.headers.get("Content-Type", "").startswith("text/html"):
            continue
        parser = PageText()
        parser.feed(answer.text)
        yield path, answer.status_code, parser.texts
        for href in parser.links:
            link = urlparse(urljoin(path, href))
            target = link.path + (f"?{link.query}" if link.query else "")
            if not (link.netloc or NOT_PAGES.search(link.path) or target in seen
                    or len(seen) >= PAGES_PER_ROLE):
                seen.add(target)
                queue.append(target)


def test_the_words_are_found_by_the_check():
    english = english_only_labels(frozenset({"Ethics Office"}))
    assert i18n.translate("en", "sign_in.title") in english
    sample = sorted(english)[0]
    assert untranslated(["首页", sample, "nav.home", "Ethics Office"], english) == [sample,
                                                                                 "nav.home"]


@pytest.mark.parametrize("lang", [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT])
@pytest.mark.parametrize("role, entity, staff_id", ROLES)
def test_every_page_a_role_reaches_is_in_the_chosen_language(stack, api, person_as, role, entity,
                                                             staff_id, lang):
    api.put("/entities/EO", {"name": "Ethics Office", "category": "secretariat"})
    visitor = PortalVisitor(stack.base_url, person_as(role, entity, staff_id))
    visitor.session.cookies.set(LANG_COOKIE, lang)
    names = frozenset(e["name"] for e in api.get("/entities"))
    english = english_only_labels(names, lang)
    walked, leaks = [], {}
    for path, status, texts in walk(visitor, "/"):
        walked.append(path)
        assert status == 200, (role, lang, path)
        found = untranslated(texts, english)
        if found:
            leaks[path] = found
    assert len(walked) >= 3, walked
    assert leaks == {}, leaks
    home = visitor.get("/").text
    assert f'<html lang="{i18n.tag(lang)}" dir="{i18n.direction(lang)}">' in home
    visitor.session.cookies.set(LANG_COOKIE, "en")  # the same check finds English in English
    _, _, home = next(walk(visitor, "/"))
    assert untranslated(home, english)
