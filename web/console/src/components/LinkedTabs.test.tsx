import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useLocation } from "react-router-dom";
import { describe, expect, it } from "vitest";
import { LinkedTabs, type LinkedTab } from "./LinkedTabs";
import { renderInConsole } from "./testing";

const TABS: LinkedTab[] = [
  { key: "hours", label: "Hours", op: "PUT /v1/case-settings", render: () => <p>hours pane</p> },
  { key: "queues", label: "Queues", op: "GET /v1/queues", render: () => <p>queues pane</p> },
  { key: "kb", label: "KB", op: "POST /v1/kb/articles", render: () => <p>kb pane</p> },
];

function Where() {
  return <output>{useLocation().search}</output>;
}

describe("tabs linked by ?tab=", () => {
  it("open the tab the URL names, and write the chosen one into the URL", async () => {
    renderInConsole(<><LinkedTabs tabs={TABS} label="Sections" /><Where /></>, { url: "/settings?tab=queues" });
    expect(screen.getByText("queues pane")).toBeInTheDocument();
    expect(screen.queryByText("hours pane")).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("tab", { name: "KB" }));
    expect(screen.getByText("kb pane")).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("?tab=kb");
  }, 20_000);

  it("hide the tabs the role cannot use and fall back to the first it can", () => {
    renderInConsole(<LinkedTabs tabs={TABS} label="Sections" />, { roles: ["agent"], url: "/settings?tab=hours" });
    expect(screen.queryByRole("tab", { name: "Hours" })).not.toBeInTheDocument();
    expect(screen.queryByRole("tab", { name: "KB" })).not.toBeInTheDocument();
    expect(screen.getByText("queues pane")).toBeInTheDocument();
  });
});
