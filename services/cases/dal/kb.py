"""The only code that touches the cases table's knowledge base: T#{t}#KB / ARTICLE#{id}.

A tenant's articles share one partition: search reads it whole (one query per 1 MB) and ranks
in memory, which suits a help desk's few hundred articles (see docs/decisions.md for the limit).
"""

from __future__ import annotations

from services.cases.dal.table import table, whole_partition
from services.cases.models import Article
from shared import dynamo
from shared.dynamo import Transaction
from shared.errors import ConcurrentUpdate, NotFound


def _pk(tenant_id: str) -> str:
    return f"T#{tenant_id}#KB"


def _key(tenant_id: str, article_id: str) -> dict[str, str]:
    return {"pk": _pk(tenant_id), "sk": f"ARTICLE#{article_id}"}


def _item(article: Article) -> dict[str, object]:
    return {**_key(article.tenant_id, article.article_id), "kind": "article", **article.model_dump(mode="json")}


def all_articles(tenant_id: str) -> list[Article]:
    return [Article.model_validate(item) for item in whole_partition(_pk(tenant_id))]


def get(tenant_id: str, article_id: str) -> Article | None:
    item = dynamo.get_item(table(), _key(tenant_id, article_id))
    return Article.model_validate(item) if item else None


def create(article: Article) -> None:
    Transaction(table()).create(_item(article)).commit()


def replace(article: Article) -> None:
    """Store the new version over the one it was read at."""
    Transaction(table()).put(
        _item(article),
        condition="version = :v",
        values={":v": article.version - 1},
        on_fail=ConcurrentUpdate("The article changed meanwhile; read it again."),
    ).commit()


def delete(tenant_id: str, article_id: str) -> None:
    Transaction(table()).delete(
        _key(tenant_id, article_id),
        condition="attribute_exists(pk)",
        on_fail=NotFound(f"No article {article_id}."),
    ).commit()
