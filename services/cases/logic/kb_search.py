"""Knowledge-base search that works for Chinese: text is cut into terms — Latin words, and for
runs of Chinese characters their overlapping pairs (bigrams), which is how a word such as 退款
is found inside 如何申请退款 without a dictionary. Articles score by where the query's terms
appear: keywords weigh most, then the title, then the body."""

from __future__ import annotations

import re
from collections.abc import Iterable

from services.cases.models import Article

CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
LATIN_WORD = re.compile(r"[a-z0-9]+")
KEYWORD, TITLE, BODY = 5, 3, 1


def terms(text: str) -> set[str]:
    folded = text.casefold()
    found = set(LATIN_WORD.findall(folded))
    for run in CJK_RUN.findall(folded):
        found.update(run if len(run) == 1 else (run[i : i + 2] for i in range(len(run) - 1)))
    return found


def score(article: Article, query: set[str]) -> int:
    keywords = " ".join(article.keywords).casefold()
    title, body = article.title.casefold(), article.body.casefold()
    return sum(KEYWORD * (term in keywords) + TITLE * (term in title) + BODY * (term in body) for term in query)


def search(articles: Iterable[Article], text: str, limit: int) -> list[tuple[Article, int]]:
    query = terms(text)
    if not query:
        return []
    scored = [(article, score(article, query)) for article in articles]
    ranked = sorted((pair for pair in scored if pair[1] > 0), key=lambda pair: (-pair[1], pair[0].article_id))
    return ranked[:limit]


def auto_reply_for(articles: Iterable[Article], message: str) -> Article | None:
    """The article whose keyword the message contains (the longest keyword wins), if it answers
    automatically."""
    folded = message.casefold()
    best: tuple[int, Article] | None = None
    for article in articles:
        if not article.auto_reply:
            continue
        for keyword in article.keywords:
            if keyword.casefold() in folded and (best is None or len(keyword) > best[0]):
                best = (len(keyword), article)
    return best[1] if best else None
