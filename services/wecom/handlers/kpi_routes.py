"""Staff KPIs per staff member or department, per day, ISO week or month."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from services.wecom.handlers.resolver import api
from services.wecom.kpi_models import GroupBy, KpiReport, Period
from services.wecom.logic import kpis
from shared.params import Query


@api.route("GET /v1/wecom/kpis", errors=(403,))
def read_kpis(
    group_by: Annotated[GroupBy, Query(description="A row per staff member or per department.")] = "staff",
    period: Annotated[Period, Query(description="The day, ISO week (Monday to Sunday) or month.")] = "day",
    on: Annotated[
        date | None, Query(alias="date", description="YYYY-MM-DD, a day of the period (default today).")
    ] = None,
) -> KpiReport:
    """Staff KPIs of the period containing ``date``, in the home time zone (Asia/Shanghai): customers
    (导购客群资产数) at its end and start, adds, deletions both ways, churn, 引流成功率, cases resolved,
    first-response median, CSAT, orders and GMV of owned customers. A guide sees only their own
    row (403 for departments); the other roles every staff member's or department's."""
    return kpis.report(api.staff(), group_by, period, on)
