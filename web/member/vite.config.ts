import { appConfig } from "../shared/vite-app.ts";

// The member H5: /m/ on the local stack and behind CloudFront (the local stack's development app id).
export default appConfig({ root: import.meta.url, base: "/m/", port: 5174, devAuth: { mode: "dev", appId: "wx-local-h5" } });
