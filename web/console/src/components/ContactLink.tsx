// A contact a list names by id, shown by its name and linking to the contact's page (the contact it
// stands for now, if it was merged). The id stands in while the name is read, for a contact with no
// name, phone or email, and for a role that may not read names.
import { useQueries, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { Link } from "react-router-dom";
import { useApi, useCan } from "../app";
import type { Api } from "@shared/api/client";
import { contactNameLoader } from "./contactNames";

function nameQuery(api: Api, id: string, enabled: boolean) {
  return { queryKey: ["contact-name", id], queryFn: () => contactNameLoader(api).load(id), enabled, staleTime: 5 * 60_000 };
}

function useContactNameQuery(id: string) {
  const api = useApi();
  const can = useCan();
  return useQuery(nameQuery(api, id, can("GET /v1/contacts/names")));
}

export function ContactLink({ id }: { id: string }) {
  const name = useContactNameQuery(id);
  const target = name.data?.survivor_id ?? id;
  return (
    <Link to={`/contacts/${encodeURIComponent(target)}`} title={id} style={{ wordBreak: "break-all" }}>
      {name.data?.display_name ?? id}
    </Link>
  );
}

/** How a contact is named in words beside its link (a button's accessible name): its name once
 * read, its id till then and where there is none. */
export function useContactName(id: string): string {
  return useContactNameQuery(id).data?.display_name ?? id;
}

/** The display names of these contacts as far as they are known yet (the same reads as the links'),
 * the same map until a name arrives: a chart drawn from it is drawn again only then. */
export function useContactNames(ids: string[]): ReadonlyMap<string, string> {
  const api = useApi();
  const can = useCan();
  const enabled = can("GET /v1/contacts/names");
  const results = useQueries({ queries: ids.map((id) => nameQuery(api, id, enabled)) });
  const known = results.map((result) => result.data?.display_name ?? "").join("\u0000");
  return useMemo(() => {
    const shown = known.split("\u0000");
    return new Map(ids.flatMap((id, index) => (shown[index] ? [[id, shown[index]] as const] : [])));
  }, [ids, known]);
}
