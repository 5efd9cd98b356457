import react from "@vitejs/plugin-react";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Vitest's reporter calls Map.groupBy (Node 21+) when it reports a failure; Node 20 lacks it.
if (!("groupBy" in Map)) {
  Object.defineProperty(Map, "groupBy", {
    value<K, T>(items: Iterable<T>, key: (item: T, index: number) => K): Map<K, T[]> {
      const groups = new Map<K, T[]>();
      let index = 0;
      for (const item of items) {
        const k = key(item, index++);
        groups.set(k, [...(groups.get(k) ?? []), item]);
      }
      return groups;
    },
  });
}

// Component tests (Vitest + Testing Library in jsdom) for the logic-bearing pieces of both apps.
export default defineConfig({
  plugins: [react()],
  resolve: { alias: { "@shared": fileURLToPath(new URL("./shared", import.meta.url)) } },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./vitest.setup.ts"],
    include: ["console/src/**/*.test.{ts,tsx}", "member/src/**/*.test.{ts,tsx}", "shared/**/*.test.{ts,tsx}"],
    css: false,
    // One worker per core: Vitest's default started five on two cores, and the workers (each
    // importing Ant Design and building a jsdom) thrashed — 187 s for what one per core runs in 98 s.
    maxWorkers: availableParallelism(),
    // A test's 5 s default is too short beside the Python suite's workers on two cores (an Ant Design
    // page's first render alone has taken 3 s there); a stuck test still fails, later.
    testTimeout: 20_000,
  },
});
