// The one API client both frontends use: openapi-fetch typed by the generated schema (never
// hand-written types), a bearer token from the signed-in session, and every error answer turned
// into an ApiError carrying the problem+json body.
import createClient, { type Middleware } from "openapi-fetch";
import { randomUuid } from "../uuid";
import type { components, paths } from "./schema";

export type { components, paths };
export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = "ApiError";
    this.status = problem.status;
    this.problem = problem;
  }

  /** 409's stable code, when the API gave one. */
  get reason(): string | undefined {
    return this.problem.reason;
  }
}

/** What a failed call answered, as a Problem even when the body was not problem+json (a gateway's
 * 403 `{"message":"Forbidden"}`, a proxy's HTML page, a network failure). */
export function asProblem(status: number, body: unknown, fallbackTitle: string): Problem {
  if (body && typeof body === "object" && "title" in body && "status" in body) {
    return body as Problem;
  }
  const message = body && typeof body === "object" && "message" in body ? String((body as { message: unknown }).message) : "";
  return { type: "about:blank", title: message || fallbackTitle, status, detail: message || fallbackTitle };
}

export type TokenSource = () => string | null;
/** The API refused a request's token (401); `token` is the one that request carried (null: none),
 * so a late answer to an earlier session's request can be told from one about the current session. */
export type OnUnauthorized = (token: string | null) => void;
/** The API answered a request carrying `token` with a success: the token works. */
export type OnAccepted = (token: string) => void;

const bearer = (request: Request) => request.headers.get("Authorization")?.replace(/^Bearer /, "") ?? null;

export function createApi(baseUrl: string, token: TokenSource, onUnauthorized?: OnUnauthorized, onAccepted?: OnAccepted) {
  const client = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    onRequest({ request }) {
      const value = token();
      if (value) request.headers.set("Authorization", `Bearer ${value}`);
      return request;
    },
    onResponse({ request, response }) {
      if (response.status === 401) onUnauthorized?.(bearer(request));
      else if (response.ok && onAccepted) {
        const sent = bearer(request);
        if (sent) onAccepted(sent);
      }
      return response;
    },
  };
  client.use(auth);
  return client;
}

export type Api = ReturnType<typeof createApi>;

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The body of a successful answer, or an ApiError: pages await this and never look at statuses. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (cause) {
    throw new ApiError({ type: "about:blank", title: "Network error", status: 0, detail: String(cause) });
  }
  if (!result.response.ok) {
    throw new ApiError(asProblem(result.response.status, result.error, result.response.statusText || "Error"));
  }
  return result.data as T;
}

/** An idempotency key for one user action: a retry of the same action sends the same key. */
export function idempotencyKey(): string {
  return randomUuid();
}
