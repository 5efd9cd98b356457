"""The knowledge base: articles and canned replies, search, and suggestions for a case."""

from __future__ import annotations

from services.cases.api_models import ArticleWrite
from services.cases.dal import kb as dal
from services.cases.logic import kb_search
from services.cases.models import Article, CaseRecord
from shared import ids
from shared.clock import now_rfc3339
from shared.errors import NotFound

SUGGESTIONS = 5
RECENT_MESSAGES = 3


def create(tenant_id: str, body: ArticleWrite) -> Article:
    at = now_rfc3339()
    article = Article(
        tenant_id=tenant_id, article_id=ids.new_id("kb_"), created_at=at, updated_at=at, **body.model_dump()
    )
    dal.create(article)
    return article


def get(tenant_id: str, article_id: str) -> Article:
    found = dal.get(tenant_id, article_id)
    if found is None:
        raise NotFound(f"No article {article_id}.")
    return found


def replace(tenant_id: str, article_id: str, body: ArticleWrite) -> Article:
    current = get(tenant_id, article_id)
    updated = current.model_copy(
        update=body.model_dump() | {"updated_at": now_rfc3339(), "version": current.version + 1}
    )
    dal.replace(updated)
    return updated


def articles(tenant_id: str, category: str | None = None) -> list[Article]:
    """Every article (of one category, when given), by id."""
    return [article for article in dal.all_articles(tenant_id) if category is None or article.category == category]


def delete(tenant_id: str, article_id: str) -> None:
    dal.delete(tenant_id, article_id)


def search(tenant_id: str, text: str, limit: int = 10) -> list[tuple[Article, int]]:
    return kb_search.search(dal.all_articles(tenant_id), text, limit)


def suggestions(tenant_id: str, record: CaseRecord) -> list[tuple[Article, int]]:
    """Articles for a case, from its subject, description and the member's latest messages."""
    inbound = [message.body for message in record.messages if message.kind == "inbound"][-RECENT_MESSAGES:]
    text = "\n".join([record.case.subject, record.case.description, *inbound])
    return search(tenant_id, text, SUGGESTIONS)
