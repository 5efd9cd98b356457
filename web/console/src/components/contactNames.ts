// What to call a contact a list names by id. Every link on a page asks for its own contact's name,
// and the asks of one render are gathered into GET /v1/contacts/names calls of up to 50 ids (one
// call for a page of a table, not one per row); each answer is cached by id like any query.
import { unwrap, type Api, type Schemas } from "@shared/api/client";

export type ContactName = Schemas["ContactName"];

/** The most ids one call takes (the API's limit). */
export const NAMES_PER_CALL = 50;

type Waiting = { resolve: (name: ContactName | null) => void; reject: (error: unknown) => void };

/** Gathers the ids asked for within one turn of the event loop, then asks the API in calls of up to
 * NAMES_PER_CALL; each ask gets its contact's name, or null for one the API left out (gone, or not
 * the caller's to see). */
export class ContactNameLoader {
  private waiting = new Map<string, Waiting[]>();
  private scheduled = false;

  constructor(private readonly api: Api) {}

  load(contactId: string): Promise<ContactName | null> {
    return new Promise((resolve, reject) => {
      this.waiting.set(contactId, [...(this.waiting.get(contactId) ?? []), { resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setTimeout(() => void this.flush(), 0);
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = new Map();
    this.scheduled = false;
    const ids = [...batch.keys()];
    const calls = [];
    for (let start = 0; start < ids.length; start += NAMES_PER_CALL) calls.push(ids.slice(start, start + NAMES_PER_CALL));
    await Promise.all(
      calls.map(async (chunk) => {
        try {
          const answer = await unwrap(this.api.GET("/v1/contacts/names", { params: { query: { id: chunk } } }));
          const named = new Map(answer.items.map((item) => [item.contact_id, item]));
          for (const id of chunk) for (const ask of batch.get(id) ?? []) ask.resolve(named.get(id) ?? null);
        } catch (error) {
          for (const id of chunk) for (const ask of batch.get(id) ?? []) ask.reject(error);
        }
      }),
    );
  }
}

const loaders = new WeakMap<Api, ContactNameLoader>();

/** The loader of this API client (one per signed-in session). */
export function contactNameLoader(api: Api): ContactNameLoader {
  let loader = loaders.get(api);
  if (!loader) {
    loader = new ContactNameLoader(api);
    loaders.set(api, loader);
  }
  return loader;
}
