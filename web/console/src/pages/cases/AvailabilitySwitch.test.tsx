import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Schemas } from "@shared/api/client";
import { fakeApi, renderInConsole } from "../../components/testing";
import { AvailabilitySwitch } from "./AvailabilitySwitch";
import { AGENT } from "./fixtures";

const SLOW = 20_000; // antd in jsdom on a busy 2-core runner

const ME: Schemas["AgentView"] = { staff_id: "agent-1", queues: ["complaints"], availability: "away", capacity: 5, open_cases: 1, manager_id: "m1", last_assigned_at: null };

afterEach(() => vi.unstubAllGlobals());

describe("the agent's availability switch", () => {
  it("sends only the availability, to the agent's own availability", async () => {
    const api = fakeApi({
      "GET /v1/agents": () => [200, { items: [ME] }],
      "PUT /v1/agents/{staff_id}/availability": () => [200, { ...ME, availability: "online" }],
    });
    renderInConsole(<AvailabilitySwitch />, AGENT);
    fireEvent.click(await screen.findByLabelText("Online", {}, { timeout: SLOW / 2 }));
    await waitFor(() => expect(api.requests.some((request) => request.method === "PUT")).toBe(true));
    const put = api.requests.filter((request) => request.method === "PUT");
    expect(put.map((request) => [request.path, request.body])).toEqual([["/v1/agents/agent-1/availability", { availability: "online" }]]);
  }, SLOW);

  it("tells someone without an agent profile to ask a manager, and offers no switch", async () => {
    fakeApi({ "GET /v1/agents": () => [200, { items: [] }] });
    renderInConsole(<AvailabilitySwitch />, AGENT);
    expect(await screen.findByText(/ask a manager/, {}, { timeout: SLOW / 2 })).toBeInTheDocument();
    expect(screen.queryByLabelText("Online")).not.toBeInTheDocument();
  }, SLOW);

  it("shows the API's words when the profile is gone meanwhile (404)", async () => {
    const detail = "agent-1 has no agent profile here, so has no availability to set";
    fakeApi({
      "GET /v1/agents": () => [200, { items: [ME] }],
      "PUT /v1/agents/{staff_id}/availability": () => [404, { type: "about:blank", title: "Not found", status: 404, detail, reason: "not_an_agent" }],
    });
    renderInConsole(<AvailabilitySwitch />, AGENT);
    fireEvent.click(await screen.findByLabelText("Offline", {}, { timeout: SLOW / 2 }));
    expect(await screen.findByText(detail)).toBeInTheDocument();
  }, SLOW);
});
