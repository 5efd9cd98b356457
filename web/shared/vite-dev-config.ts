import type { Plugin } from "vite";

/** `make web-dev`: the dev server answers `<base>config.json` as the local stack does (API on
 * this origin through the proxy, development sign-in); builds carry no config of their own. */
export function devConfig(base: string, config: Record<string, unknown>): Plugin {
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
