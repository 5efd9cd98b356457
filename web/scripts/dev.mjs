// `make web-dev`: both Vite dev servers (console on :5173/console/, H5 on :5174/m/), each
// proxying /v1 to the local stack that `make run` started (SIYU_API overrides its address).
import { createServer } from "vite";

for (const app of ["console", "member"]) {
  const server = await createServer({ configFile: new URL(`../${app}/vite.config.ts`, import.meta.url).pathname });
  await server.listen();
  server.printUrls();
}
