// My cases: the member's complaints and questions, newest first (cursor-paged), and a new one.
import Button from "antd-mobile/es/components/button";
import { Link, useNavigate } from "react-router-dom";
import { unwrap } from "@shared/api/client";
import { useLanguage } from "@shared/i18n";
import { useApi, useMemberApp } from "../../app";
import { LoadMore, useCursorPages } from "../../components/cursor";
import { PageLoading } from "../../components/PageLoading";
import { EmptyState, ErrorState } from "../../components/QueryState";
import { formatDateTime } from "../../format";
import { CaseStatus } from "./CaseStatus";
import { useCasesT } from "./messages";

export default function CasesPage() {
  const t = useCasesT();
  const navigate = useNavigate();
  return (
    <>
      <h1 className="m-title">{t("title")}</h1>
      <Button color="primary" block style={{ marginBottom: 12 }} onClick={() => navigate("/cases/new")}>
        {t("newCase")}
      </Button>
      <CaseList />
    </>
  );
}

function CaseList() {
  const t = useCasesT();
  const { language } = useLanguage();
  const api = useApi();
  const { session } = useMemberApp();
  const pages = useCursorPages(["me", session?.contactId, "cases"], (cursor) =>
    unwrap(api.GET("/v1/me/cases", { params: { query: { limit: 20, cursor } } })),
  );
  if (pages.isPending) return <PageLoading />;
  if (pages.isError) return <ErrorState error={pages.error} onRetry={() => void pages.refetch()} />;
  if (pages.items.length === 0) return <EmptyState>{t("noCases")}</EmptyState>;
  return (
    <>
      <ul style={{ listStyle: "none", margin: 0, padding: 0 }} aria-label={t("title")}>
        {pages.items.map((item) => (
          <li key={item.case_id}>
            <Link to={`/cases/${item.case_id}`} className="m-card" style={{ display: "block", color: "inherit", textDecoration: "none" }}>
              <div className="m-row">
                <strong>{item.subject}</strong>
                <CaseStatus status={item.status} />
              </div>
              <div className="m-muted" style={{ marginTop: 6 }}>
                {t(`ty_${item.type}`)}
                {item.order_id ? ` · ${t("orderLabel", { order: item.order_id })}` : ""} ·{" "}
                {t("created", { date: formatDateTime(item.created_at, language) })}
              </div>
            </Link>
          </li>
        ))}
      </ul>
      <LoadMore pages={pages} />
    </>
  );
}
