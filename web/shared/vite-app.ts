// One Vite configuration for both apps: each is built for its base path (/console/, /m/), with a
// manifest (the JavaScript budgets read it), and `make web-dev` serves it on its own port with /v1
// proxied to the local stack (SIYU_API, default http://127.0.0.1:8000) and a config.json answered
// as the local stack answers it (the builds carry no config of their own).
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin, type UserConfig } from "vite";

function devConfig(base: string, config: Record<string, unknown>): Plugin {
  return {
    name: "siyu-dev-config",
    configureServer(server) {
      server.middlewares.use(`${base}config.json`, (_request, response) => {
        response.setHeader("Content-Type", "application/json");
        response.end(JSON.stringify(config));
      });
    },
  };
}

export function appConfig(app: { root: string; base: string; port: number; devAuth: Record<string, unknown> }): UserConfig {
  return defineConfig({
    root: fileURLToPath(new URL(".", app.root)),
    base: app.base,
    plugins: [react(), devConfig(app.base, { apiBaseUrl: "", stage: "dev", auth: app.devAuth })],
    resolve: { alias: { "@shared": fileURLToPath(new URL(".", import.meta.url)) } },
    build: { outDir: "dist", emptyOutDir: true, manifest: true, chunkSizeWarningLimit: 1200 },
    server: { port: app.port, proxy: { "/v1": process.env.SIYU_API ?? "http://127.0.0.1:8000" } },
  });
}
