import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

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
  },
});
