// Component tests' frame: a part of a page inside the console's providers (language, antd App,
// React Query, the app context with a signed-in session, a router at a URL), and a fake API that
// answers by "METHOD /path/{param}" and records every request (method, path, query, body).
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { App as AntApp, Button, Form } from "antd";
import type { ReactNode } from "react";
import { MemoryRouter, Route, Routes } from "react-router-dom";
import { vi } from "vitest";
import { LanguageProvider, type Language } from "@shared/i18n";
import { AppProvider } from "../app";
import { storeSession, type Role } from "../auth/session";

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export type Answer = [number, unknown];
export type FakeRoutes = Record<string, (request: Recorded) => Answer>;

/** Stubs the global fetch (undo with `vi.unstubAllGlobals()`); an unknown route answers 404. */
export function fakeApi(routes: FakeRoutes) {
  const requests: Recorded[] = [];
  const fetch = vi.fn(async (input: Request) => {
    const url = new URL(input.url);
    const text = input.method === "GET" ? "" : await input.clone().text();
    const request: Recorded = { method: input.method, path: url.pathname, query: url.searchParams, body: text ? JSON.parse(text) : undefined };
    requests.push(request);
    const key = Object.keys(routes).find((pattern) => {
      const [method, path] = pattern.split(" ");
      const regex = new RegExp(`^${path.replace(/\{[^}]+\}/g, "[^/]+")}$`);
      return method === request.method && regex.test(request.path);
    });
    const [status, body] = key ? routes[key](request) : [404, { type: "about:blank", title: "Not Found", status: 404, detail: `no fake for ${request.method} ${request.path}` }];
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetch);
  return { requests, fetch };
}

export interface InConsole {
  roles?: Role[];
  staffId?: string;
  /** The router's URL (path, `?query`). */
  url?: string;
  /** A route pattern for `ui` (`/cases/:caseId`), when it reads route params. */
  path?: string;
  language?: Language;
}

/** Renders `ui` as a page of the console would be, signed in (an admin unless `roles` says otherwise), in English. */
export function renderInConsole(ui: ReactNode, { roles = ["admin"], staffId = "s-test", url = "/", path, language = "en" }: InConsole = {}) {
  storeSession({ token: "test-token", tenantId: "t-test", staffId, roles, expiresAt: Math.floor(Date.now() / 1000) + 3600 });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <LanguageProvider storageKey="siyu.test.language" initial={language}>
      <AntApp>
        <QueryClientProvider client={client}>
          <AppProvider config={{ apiBaseUrl: "http://api.test", stage: "test", auth: { mode: "dev" } }}>
            <MemoryRouter initialEntries={[url]}>
              {path ? (
                <Routes>
                  <Route path={path} element={ui} />
                </Routes>
              ) : (
                ui
              )}
            </MemoryRouter>
          </AppProvider>
        </QueryClientProvider>
      </AntApp>
    </LanguageProvider>,
  );
}

/** A form around a builder, as its section renders it: submitting hands the values to `onFinish`. */
export function InForm({ initial, onFinish, children }: { initial: object; onFinish: (values: never) => void; children: ReactNode }) {
  return (
    <Form layout="vertical" initialValues={initial} onFinish={onFinish}>
      {children}
      <Button htmlType="submit">submit</Button>
    </Form>
  );
}

/** The form item (label, control, its errors) the control with this label sits in. */
export function formItem(label: string): HTMLElement {
  return screen.getByLabelText(label).closest(".ant-form-item") as HTMLElement;
}
