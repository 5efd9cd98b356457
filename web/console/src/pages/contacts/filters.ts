// The contacts list's filters: what the person typed, kept in the page's URL, and the query the
// API takes (`GET /v1/contacts`: one identity at a time, tag, owner, source campaign).
import type { paths } from "@shared/api/client";

export type ContactsQuery = NonNullable<paths["/v1/contacts"]["get"]["parameters"]["query"]>;
export type IdentityKind = "phone" | "email" | "unionid" | "external_userid";
export type SearchKind = "auto" | IdentityKind;
export const SEARCH_KINDS: readonly SearchKind[] = ["auto", "phone", "email", "unionid", "external_userid"];

export interface ContactFilters {
  search: string;
  searchKind: SearchKind;
  tag: string;
  owner: string;
  sourceCampaign: string;
}

export const NO_FILTERS: ContactFilters = { search: "", searchKind: "auto", tag: "", owner: "", sourceCampaign: "" };

/** Which identity a search names: as chosen, or guessed — an e-mail has "@", a phone is digits
 * (with +, spaces, dashes or brackets), a WeCom external_userid starts with "wm" or "wo", anything
 * else is taken for a unionid. */
export function identityKind(search: string, kind: SearchKind): IdentityKind {
  if (kind !== "auto") return kind;
  if (search.includes("@")) return "email";
  if (/^\+?[\d\s()-]{5,}$/.test(search)) return "phone";
  if (/^w[mo][A-Za-z0-9_-]{10,}$/.test(search)) return "external_userid";
  return "unionid";
}

/** The API query for these filters: blanks dropped, values trimmed, a search sent as the one
 * identity it names (a phone without its spaces and dashes). */
export function contactsQuery(filters: ContactFilters, limit?: number, cursor?: string): ContactsQuery {
  const query: ContactsQuery = {};
  const search = filters.search.trim();
  if (search) {
    const kind = identityKind(search, filters.searchKind);
    query[kind] = kind === "phone" ? search.replace(/[\s()-]/g, "") : search;
  }
  const tag = filters.tag.trim();
  if (tag) query.tag = tag;
  const owner = filters.owner.trim();
  if (owner) query.owner = owner;
  const source = filters.sourceCampaign.trim();
  if (source) query.source_campaign = source;
  if (limit !== undefined) query.limit = limit;
  if (cursor) query.cursor = cursor;
  return query;
}

const PARAMS: Record<Exclude<keyof ContactFilters, "searchKind">, string> = {
  search: "q",
  tag: "tag",
  owner: "owner",
  sourceCampaign: "campaign",
};

/** Filters from the page's URL (`?q=…&kind=…&tag=…&owner=…&campaign=…`), so a filtered list can be
 * linked to and survives going back from a contact. */
export function filtersFromParams(params: URLSearchParams): ContactFilters {
  const kind = params.get("kind");
  return {
    search: params.get(PARAMS.search) ?? "",
    searchKind: (SEARCH_KINDS as readonly string[]).includes(kind ?? "") ? (kind as SearchKind) : "auto",
    tag: params.get(PARAMS.tag) ?? "",
    owner: params.get(PARAMS.owner) ?? "",
    sourceCampaign: params.get(PARAMS.sourceCampaign) ?? "",
  };
}

export function filtersToParams(filters: ContactFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const [field, name] of Object.entries(PARAMS) as [keyof typeof PARAMS, string][]) {
    const value = filters[field].trim();
    if (value) params.set(name, value);
  }
  if (filters.search.trim() && filters.searchKind !== "auto") params.set("kind", filters.searchKind);
  return params;
}

/** Is anything filtered? (the empty state then says so). */
export function isFiltered(filters: ContactFilters): boolean {
  return Boolean(filters.search.trim() || filters.tag.trim() || filters.owner.trim() || filters.sourceCampaign.trim());
}
