import { appConfig } from "../shared/vite-app.ts";

// The staff console: /console/ on the local stack and behind CloudFront.
export default appConfig({ root: import.meta.url, base: "/console/", port: 5173, devAuth: { mode: "dev" } });
