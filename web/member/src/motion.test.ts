import { isMotionReduced, restoreMotion } from "antd-mobile/es/utils/reduce-and-restore-motion";
import { followMotionPreference } from "./motion";

/** A media query list whose answer the test changes, telling its listeners as a browser would. */
function preference(reduce: boolean) {
  const listeners = new Set<() => void>();
  const media = {
    matches: reduce,
    addEventListener: (_: string, listener: () => void) => listeners.add(listener),
    removeEventListener: (_: string, listener: () => void) => listeners.delete(listener),
  };
  vi.spyOn(window, "matchMedia").mockReturnValue(media as unknown as MediaQueryList);
  return {
    set(next: boolean) {
      media.matches = next;
      listeners.forEach((listener) => listener());
    },
    listening: () => listeners.size,
  };
}

describe("followMotionPreference", () => {
  afterEach(() => {
    restoreMotion(); // antd-mobile's switch is global: the next file in this worker gets motion back
    vi.restoreAllMocks();
  });

  it("stills antd-mobile's motion while the system asks for less, and follows a change live", () => {
    const system = preference(true);
    const stop = followMotionPreference();
    expect(isMotionReduced()).toBe(true);
    system.set(false);
    expect(isMotionReduced()).toBe(false);
    system.set(true);
    expect(isMotionReduced()).toBe(true);
    stop();
    expect(system.listening()).toBe(0);
  });

  it("leaves motion on without the preference", () => {
    preference(false);
    followMotionPreference()();
    expect(isMotionReduced()).toBe(false);
  });
});
