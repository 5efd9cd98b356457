import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { renderInConsole } from "../../components/testing";
import type { Definition } from "./graph";
import { JourneyGraph } from "./JourneyGraph";

const definition: Definition = {
  name: "Win-back",
  trigger: { kind: "lifecycle_changed", to_stage: "dormant" },
  entry: "wait_1d",
  steps: [
    { type: "wait", id: "wait_1d", minutes: 1440, next: "branch" },
    { type: "branch", id: "branch", condition: { kind: "segment", segment_id: "s-1" }, yes: "send", no: "done" },
    { type: "send", id: "send", template_id: "choose-a-template", next: "done" },
    { type: "exit", id: "done" },
  ],
};

describe("JourneyGraph", () => {
  it("draws each step with its summary, stats, links and problems, and selects on click", () => {
    const onSelect = vi.fn();
    const { container } = renderInConsole(
      <JourneyGraph
        definition={definition}
        stats={[{ step_id: "wait_1d", entered: 5, waiting: 2, passed: 3, exited: 0 }]}
        names={{ template: (id) => id, segment: (id) => (id === "s-1" ? "VIP" : id) }}
        selected="branch"
        problems={{ send: ["send: no such template"] }}
        onSelect={onSelect}
      />,
    );
    expect(screen.getByTestId("step-trigger")).toHaveTextContent("Lifecycle became Dormant");
    expect(screen.getByTestId("step-wait_1d")).toHaveTextContent("Wait 1 d");
    expect(within(screen.getByTestId("stats-wait_1d")).getAllByText(/^\d+$/).map((n) => n.textContent)).toEqual(["5", "2", "3", "0"]);
    expect(screen.getByTestId("step-branch")).toHaveTextContent("In segment VIP?");
    expect(screen.getByTestId("step-branch")).toHaveAttribute("aria-pressed", "true");
    expect(screen.getByTestId("step-send")).toHaveAttribute("data-error", "true");
    const links = [...container.querySelectorAll("[data-link]")].map((g) => g.getAttribute("data-link"));
    expect(links).toEqual(["__trigger__->wait_1d", "wait_1d->branch", "branch->send", "branch->done", "send->done"]);
    expect(screen.getByText("yes")).toBeInTheDocument();
    fireEvent.click(screen.getByTestId("step-send"));
    expect(onSelect).toHaveBeenCalledWith("send");
  });
});
