import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, vi } from "vitest";

// findBy*/waitFor give up after 1 s by default. In `make test` these files run beside the Python
// suite's workers on two cores, where an Ant Design form's validation alone has taken longer: wait up
// to 5 s (a passing check still returns as soon as it holds).
configure({ asyncUtilTimeout: 5_000 });

// The test files share their worker's modules and DOM (`isolate: false` in vitest.config.ts), and
// this file runs again before each of them. Testing Library unmounts what a test rendered through
// an afterEach it registers when it is first imported, i.e. in the first file of a worker only:
// register it for every file here (unmounting twice does nothing).
afterEach(() => {
  cleanup();
});

// What one file may leave behind for the next in the same worker, put back as a fresh worker had it
// (within a file, tests see each other's leftovers as before). A stub or fake clock a file forgot to
// undo:
vi.useRealTimers();
vi.unstubAllGlobals();
vi.unstubAllEnvs();

// The stubs below are for the DOM tests (jsdom); a pure-logic test file runs without a DOM
// (`// @vitest-environment node` on its first line), which starts faster.
if (typeof window !== "undefined") {
  // ...and the DOM's state: stored sessions and languages, the URL (jsdom starts at
  // http://localhost:3000/), the <html lang> the language provider sets.
  localStorage.clear();
  sessionStorage.clear();
  window.history.replaceState(null, "", "/");
  document.documentElement.removeAttribute("lang");

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
