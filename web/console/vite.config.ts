import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { devConfig } from "../shared/vite-dev-config.ts";

const root = fileURLToPath(new URL(".", import.meta.url));

// Served at /console/ by the local stack and by CloudFront; `make web-dev` proxies /v1 to the
// local stack (SIYU_API, default http://127.0.0.1:8000).
export default defineConfig({
  root,
  base: "/console/",
  plugins: [react(), devConfig("/console/", { apiBaseUrl: "", stage: "dev", auth: { mode: "dev" } })],
  resolve: { alias: { "@shared": fileURLToPath(new URL("../shared", import.meta.url)) } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    manifest: true,
    chunkSizeWarningLimit: 1200,
  },
  server: {
    port: 5173,
    proxy: { "/v1": process.env.SIYU_API ?? "http://127.0.0.1:8000" },
  },
});
