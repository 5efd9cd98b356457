"""Staff KPIs: the report's models and the entities the ``wecom-kpis`` consumer keeps.

Counters per staff member and business day (the product's home zone: wecom knows no tenant time
zone), kept by events; see ``logic.kpis`` for what each number means and ``dal.kpis`` for where
they live.
"""

from datetime import date, datetime
from typing import Annotated, Literal, NamedTuple

from pydantic import Field

from shared.models import HOME_ZONE, Model

# Wecom knows no tenant time zone (like contacts and campaigns): days are the home zone's.
BUSINESS_ZONE = HOME_ZONE

GroupBy = Literal["staff", "department"]
Period = Literal["day", "week", "month"]

# The counters of one staff member's day (``DAY`` items), each ADDed by the fact it counts.
COUNTERS = (
    "adds",  # accepted friendships (WeComContactAdded, not half)
    "code_adds",  # of those, through a contact way with a state (a channel code)
    "code_scans",  # QrCodeScanned of the staff member's channel codes
    "deletions_by_customer",  # the customer deleted the staff member (流失)
    "deletions_by_staff",  # the staff member deleted the customer
    "net",  # moves of the customers gauge: +1 on a friendship's add day, -1 on its removal day
    "cases_resolved",
    "csat_sum",
    "ratings",
    "first_responses",
    "orders",
    "gmv_fen",
    "tasks_done",  # staff tasks (journeys' SOP reminders) done
    "tasks_overdue",  # staff tasks that went past due still open
)

# First responses are kept as a histogram (minutes, rounded down): one-minute buckets below an
# hour, then wider ones; a bucket is its lower bound. The median is exact in whole minutes below
# an hour and the middle of its bucket above (the last bucket: its lower bound).
FIRST_RESPONSE_BUCKETS: tuple[int, ...] = (
    *range(60),
    60,
    75,
    90,
    120,
    150,
    180,
    240,
    300,
    360,
    480,
    600,
    720,
    960,
    1440,
    2160,
    2880,
    4320,
    7200,
    10080,
)
BUCKET_PREFIX = "fr_"


class Tally(NamedTuple):
    """What one fact adds to one staff member's day: counters (and first-response buckets)."""

    staff_id: str
    day: date
    counters: dict[str, int]


# ---- entities ------------------------------------------------------------------------------------
class Assignment(Model):
    at: datetime
    staff_id: str | None


class CaseFact(Model):
    """A fact about a case counted for whoever held it then: a resolution, a rating, a reply."""

    kind: Literal["resolved", "rated", "replied"]
    at: datetime
    rating: int | None = None
    resolution: int | None = None


class CaseTrack(Model):
    """What the KPIs remember of one case: who held it when (its assignments, in time order), the
    facts that came before any assignment known to precede them, and what is counted once."""

    case_id: str
    assignments: list[Assignment] = Field(default_factory=list)
    pending: list[CaseFact] = Field(default_factory=list)
    responded: bool = False
    rated: list[int] = Field(default_factory=list)
    version: int = 0


class Friendship(Model):
    """One friendship (staff, customer, generation) as counted: the business days its add and its
    removal were counted on (either may come first over the bus)."""

    added_day: date | None = None
    removed_day: date | None = None


class KpiStaff(Model):
    """The KPIs' own copy of a staff member (from WeComStaffChanged) and their customers gauge."""

    staff_id: str
    name: str | None = None
    status: str | None = None
    department_ids: list[int] = Field(default_factory=list)
    customers: int = 0


# ---- the report ----------------------------------------------------------------------------------
Ratio = Annotated[float, Field(ge=0)]


class KpiRow(Model):
    staff_id: str | None = Field(default=None, description="The staff member (group_by=staff).")
    department_id: int | None = Field(default=None, description="The department (group_by=department).")
    name: str | None = Field(default=None, description="The staff member's name, from the directory.")
    members: int | None = Field(default=None, description="Staff members of the department (group_by=department).")
    customers: int = Field(description="导购客群资产数: customers friended at the end of the period.")
    customers_at_start: int = Field(description="Customers friended at the start of the period.")
    adds: int = Field(description="New friendships (accepted adds) in the period.")
    net_adds: int = Field(description="adds - deletions (both sides).")
    deletions_by_customer: int = Field(description="Customers who deleted the staff member (流失).")
    deletions_by_staff: int = Field(description="Customers the staff member deleted.")
    churn_rate: Ratio | None = Field(
        description="deletions_by_customer / (customers_at_start + adds): the share of the period's friends lost."
    )
    code_scans: int = Field(description="Scans of the staff member's channel codes.")
    code_adds: int = Field(description="Adds through a contact way with a state (a channel code).")
    lead_conversion: Ratio | None = Field(description="引流成功率: code_adds / code_scans (null without scans).")
    cases_resolved: int
    first_responses: int = Field(description="Cases first answered by the staff member in the period.")
    first_response_median_minutes: float | None = Field(
        description="Median minutes from a case's assignment to the holder's first reply (see the docs)."
    )
    ratings: int = Field(description="CSAT ratings of cases the staff member held.")
    csat_average: float | None
    orders: int = Field(description="Orders of customers the staff member owns (tenant-wide owner).")
    gmv_fen: int = Field(description="Their amount, in fen.")
    tasks_done: int = Field(default=0, description="Staff tasks (journeys' SOP reminders) done in the period.")
    tasks_overdue: int = Field(default=0, description="Staff tasks that went past due, still open, in the period.")


class KpiReport(Model):
    group_by: GroupBy
    period: Period
    start: date = Field(description="The period's first day (inclusive).")
    end: date = Field(description="The period's last day (inclusive).")
    zone: str = Field(description="The time zone the days are counted in.")
    rows: list[KpiRow]
