// The console's pages: each is its own chunk (charts and forms load with the page that needs
// them), and each names the operation that decides whether the signed-in role may open it.
import { lazy, type ComponentType, type LazyExoticComponent } from "react";
import type { Operation } from "@shared/api/access";

export interface PageRoute {
  path: string; // under /console
  key: "dashboard" | "contacts" | "campaigns" | "koc" | "points" | "cases" | "segments" | "imports" | "wecom" | "groups" | "kpis" | "templates" | "broadcasts" | "journeys" | "tasks" | "settings";
  menu: boolean;
  requires: Operation;
  /** The page also opens for a role that may call any one of these (it then shows only what that
   * role may use): `mayOpen` decides, for the menu and the route guard alike. */
  anyOf?: readonly Operation[];
  component: LazyExoticComponent<ComponentType>;
}

/** May the signed-in role open this page? `requires`, or any operation of `anyOf`. */
export function mayOpen(page: Pick<PageRoute, "requires" | "anyOf">, can: (operation: Operation) => boolean): boolean {
  return can(page.requires) || (page.anyOf ?? []).some((operation) => can(operation));
}

export const PAGES: PageRoute[] = [
  { path: "/", key: "dashboard", menu: true, requires: "GET /v1/contacts", component: lazy(() => import("./pages/dashboard/DashboardPage")) },
  { path: "/contacts", key: "contacts", menu: true, requires: "GET /v1/contacts", component: lazy(() => import("./pages/contacts/ContactsPage")) },
  { path: "/contacts/:contactId", key: "contacts", menu: false, requires: "GET /v1/contacts/{contact_id}", component: lazy(() => import("./pages/contacts/ContactPage")) },
  { path: "/campaigns", key: "campaigns", menu: true, requires: "GET /v1/campaigns", component: lazy(() => import("./pages/campaigns/CampaignsPage")) },
  { path: "/campaigns/:campaignId", key: "campaigns", menu: false, requires: "GET /v1/campaigns/{campaign_id}", component: lazy(() => import("./pages/campaigns/CampaignPage")) },
  { path: "/koc", key: "koc", menu: true, requires: "GET /v1/koc", component: lazy(() => import("./pages/koc/KocPage")) },
  { path: "/points", key: "points", menu: true, requires: "GET /v1/points/policy", anyOf: ["GET /v1/redemptions", "GET /v1/contacts/{contact_id}/points"], component: lazy(() => import("./pages/points/PointsPage")) },
  { path: "/cases", key: "cases", menu: true, requires: "GET /v1/cases", component: lazy(() => import("./pages/cases/CasesPage")) },
  { path: "/cases/:caseId", key: "cases", menu: false, requires: "GET /v1/cases/{case_id}", component: lazy(() => import("./pages/cases/CasePage")) },
  { path: "/segments", key: "segments", menu: true, requires: "GET /v1/segments", component: lazy(() => import("./pages/segments/SegmentsPage")) },
  { path: "/imports", key: "imports", menu: true, requires: "POST /v1/contacts/imports", component: lazy(() => import("./pages/imports/ImportsPage")) },
  { path: "/wecom", key: "wecom", menu: true, requires: "GET /v1/wecom/relationships", component: lazy(() => import("./pages/wecom/WeComPage")) },
  { path: "/groups", key: "groups", menu: true, requires: "GET /v1/wecom/groups", component: lazy(() => import("./pages/groups/GroupsPage")) },
  { path: "/kpis", key: "kpis", menu: true, requires: "GET /v1/wecom/kpis", component: lazy(() => import("./pages/kpis/KpisPage")) },
  { path: "/templates", key: "templates", menu: true, requires: "GET /v1/templates", component: lazy(() => import("./pages/templates/TemplatesPage")) },
  { path: "/broadcasts", key: "broadcasts", menu: true, requires: "GET /v1/broadcasts", component: lazy(() => import("./pages/broadcasts/BroadcastsPage")) },
  { path: "/broadcasts/:broadcastId", key: "broadcasts", menu: false, requires: "GET /v1/broadcasts/{broadcast_id}", component: lazy(() => import("./pages/broadcasts/BroadcastPage")) },
  { path: "/journeys", key: "journeys", menu: true, requires: "GET /v1/journeys", component: lazy(() => import("./pages/journeys/JourneysPage")) },
  { path: "/journeys/:journeyId", key: "journeys", menu: false, requires: "GET /v1/journeys/{journey_id}", component: lazy(() => import("./pages/journeys/JourneyPage")) },
  { path: "/tasks", key: "tasks", menu: true, requires: "GET /v1/me/tasks", component: lazy(() => import("./pages/tasks/TasksPage")) },
  { path: "/settings", key: "settings", menu: true, requires: "GET /v1/case-settings", component: lazy(() => import("./pages/settings/SettingsPage")) },
];
