import "@testing-library/jest-dom/vitest";
import { configure } from "@testing-library/react";

// findBy*/waitFor give up after 1 s by default. In `make test` these files run beside the Python
// suite's workers on two cores, where an Ant Design form's validation alone has taken longer: wait up
// to 5 s (a passing check still returns as soon as it holds).
configure({ asyncUtilTimeout: 5_000 });

// The stubs below are for the DOM tests (jsdom); a pure-logic test file runs without a DOM
// (`// @vitest-environment node` on its first line), which starts faster.
if (typeof window !== "undefined") {
  // jsdom has no matchMedia; Ant Design's responsive pieces ask for it.
  if (!window.matchMedia) {
    window.matchMedia = (query: string) =>
      ({
        matches: false,
        media: query,
        onchange: null,
        addListener: () => undefined,
        removeListener: () => undefined,
        addEventListener: () => undefined,
        removeEventListener: () => undefined,
        dispatchEvent: () => false,
      }) as MediaQueryList;
  }

  // Nor ResizeObserver, which Ant Design's tables, tabs, selects, text areas and overflow menus create.
  if (!("ResizeObserver" in window)) {
    class ResizeObserver {
      observe(): void {}
      unobserve(): void {}
      disconnect(): void {}
    }
    Object.assign(window, { ResizeObserver });
  }
}
