"""Knowledge-base routes: articles and canned replies, search, suggestions for a case."""

from __future__ import annotations

from typing import Annotated

from services.cases.api_models import ArticleList, ArticleView, ArticleWrite, SearchResults
from services.cases.handlers.resolver import api
from services.cases.logic import cases
from shared.params import Id, Query


@api.route("POST /v1/kb/articles", status=201)
def create_article(body: ArticleWrite) -> ArticleView:
    """Add an article or canned reply (keywords, category, optional auto-reply)."""
    from services.cases.logic import kb  # the knowledge base: only these routes need it

    return ArticleView.of(kb.create(api.staff().tenant_id, body))


@api.route("GET /v1/kb/articles")
def list_articles(category: Annotated[str | None, Query(min_length=1, max_length=64)] = None) -> ArticleList:
    """Every article (of one category, when given), by id."""
    from services.cases.logic import kb  # the knowledge base: only these routes need it

    return ArticleList(items=[ArticleView.of(article) for article in kb.articles(api.staff().tenant_id, category)])


@api.route("GET /v1/kb/articles/{article_id}")
def get_article(article_id: Id) -> ArticleView:
    """One article."""
    from services.cases.logic import kb  # the knowledge base: only these routes need it

    return ArticleView.of(kb.get(api.staff().tenant_id, article_id))


@api.route("PUT /v1/kb/articles/{article_id}")
def replace_article(article_id: Id, body: ArticleWrite) -> ArticleView:
    """Replace an article's content."""
    from services.cases.logic import kb  # the knowledge base: only these routes need it

    return ArticleView.of(kb.replace(api.staff().tenant_id, article_id, body))


@api.route("DELETE /v1/kb/articles/{article_id}", status=204)
def delete_article(article_id: Id) -> None:
    """Remove an article."""
    from services.cases.logic import kb  # the knowledge base: only these routes need it

    kb.delete(api.staff().tenant_id, article_id)


@api.route("GET /v1/kb/search")
def search(q: Annotated[str, Query(min_length=1, max_length=200)]) -> SearchResults:
    """Articles matching the words (Chinese or not), best first."""
    from services.cases.logic import kb  # the knowledge base: only these routes need it

    return SearchResults.of(kb.search(api.staff().tenant_id, q))


@api.route("GET /v1/cases/{case_id}/suggestions")
def suggestions(case_id: Id) -> SearchResults:
    """Articles and canned replies that may answer this case."""
    from services.cases.logic import kb  # the knowledge base: only these routes need it

    tenant_id = api.staff().tenant_id
    return SearchResults.of(kb.suggestions(tenant_id, cases.record(tenant_id, case_id)))
