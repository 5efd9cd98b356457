// The campaign form's values and the bodies they make: create sends every field, edit sends what
// may change (an emptied brand or entry URL clears it).
import dayjs, { type Dayjs } from "dayjs";
import type { Schemas } from "@shared/api/client";

export interface CampaignValues {
  name: string;
  brand: string;
  starts_at: Dayjs;
  ends_at: Dayjs;
  acquisition_points: number;
  engagement_points: number;
  points_budget: number;
  entry_url: string;
}

/** A new campaign's form: from the start of today for 30 days. */
export function newCampaignValues(now: Dayjs = dayjs()): CampaignValues {
  const start = now.startOf("day");
  return {
    name: "",
    brand: "",
    starts_at: start,
    ends_at: start.add(30, "day"),
    acquisition_points: 100,
    engagement_points: 10,
    points_budget: 100_000,
    entry_url: "",
  };
}

export function campaignValues(campaign: Schemas["CampaignView"]): CampaignValues {
  return {
    name: campaign.name,
    brand: campaign.brand ?? "",
    starts_at: dayjs(campaign.starts_at),
    ends_at: dayjs(campaign.ends_at),
    acquisition_points: campaign.acquisition_points,
    engagement_points: campaign.engagement_points,
    points_budget: campaign.points_budget,
    entry_url: campaign.entry_url ?? "",
  };
}

export function createBody(values: CampaignValues): Schemas["CampaignCreate"] {
  const body: Schemas["CampaignCreate"] = {
    name: values.name.trim(),
    starts_at: values.starts_at.toISOString(),
    ends_at: values.ends_at.toISOString(),
    acquisition_points: values.acquisition_points,
    engagement_points: values.engagement_points,
    points_budget: values.points_budget,
    kind: "standard",
  };
  if (values.brand.trim()) body.brand = values.brand.trim();
  if (values.entry_url.trim()) body.entry_url = values.entry_url.trim();
  return body;
}

export function patchBody(values: CampaignValues): Schemas["CampaignPatch"] {
  return {
    name: values.name.trim(),
    brand: values.brand.trim() || null,
    starts_at: values.starts_at.toISOString(),
    ends_at: values.ends_at.toISOString(),
    acquisition_points: values.acquisition_points,
    engagement_points: values.engagement_points,
    points_budget: values.points_budget,
    entry_url: values.entry_url.trim() || null,
  };
}
