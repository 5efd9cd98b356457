import react from "@vitejs/plugin-react";
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

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

// A worker that has run a file keeps running files only while the next one in the queue wants the
// same environment; otherwise it is stopped and a new one started. The pure-logic files (`//
// @vitest-environment node`) are short, so by duration they fall among the short DOM files, and
// each switch cost a fresh jsdom worker (Ant Design imported again). Keep Vitest's order (failed,
// then slowest, first) within each environment, and run the DOM files first, then the others.
class ByEnvironment extends BaseSequencer {
  async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const environments = await Promise.all(
      sorted.map(async (spec) => (await readFile(spec.moduleId, "utf-8")).match(/@(?:vitest|jest)-environment\s+([\w-]+)/)?.[1] ?? ""),
    );
    const order = [...new Set(environments)].sort(); // "" (the configured one: jsdom) first
    return order.flatMap((environment) => sorted.filter((_, index) => environments[index] === environment));
  }
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
    // Each test file used to get a fresh worker: spawn it, build a jsdom, import React, Ant Design and
    // the page anew — about two thirds of the run, and every file's first render ran unoptimised
    // code. A worker now runs file after file with the modules it has loaded (and the JIT's work on
    // them): on two idle cores 188 s went to 53 s; beside two busy processes, 388 s to 93 s. What a
    // file could leave behind for the next (rendered trees, storage, the URL, stubs, fake timers)
    // vitest.setup.ts puts back before each. One thing it cannot: `vi.mock` only reaches modules
    // imported after it, and a module an earlier file in the same worker loaded keeps the imports it
    // got then. So mock a module only in a file that is the sole importer of its users (a page and
    // its test), as the member pages' tests mock antd-mobile's Toast and Dialog.
    isolate: false,
    sequence: { sequencer: ByEnvironment },
    // One worker per core: Vitest's default started five on two cores, and the workers (each
    // importing Ant Design and building a jsdom) thrashed — 187 s for what one per core runs in 98 s.
    // Still one per core, not a single shared worker: 53 s against 78 s on two idle cores, 93 s
    // against 117–127 s beside two busy processes, for ~10% more CPU (each worker warms up alone).
    maxWorkers: availableParallelism(),
    // A test's 5 s default is too short beside the Python suite's workers on two cores (an Ant Design
    // page's first render alone has taken 3 s there); a stuck test still fails, later.
    testTimeout: 20_000,
  },
});
