// The runtime settings a build reads at start-up from `config.json` beside its index.html: the
// same build runs on the local stack (which writes this file) and behind CloudFront (where CDK
// writes it), so nothing about a stage is baked into the JavaScript.
export interface CognitoAuth {
  mode: "cognito";
  region: string;
  userPoolId: string;
  clientId: string;
  domain: string; // the hosted UI's base URL, https://<prefix>.auth.<region>.amazoncognito.com
  redirectUri?: string; // as registered on the app client (default: this origin's /console/auth/callback)
  logoutUri?: string;
  scopes?: string[];
}
export interface DevAuth {
  mode: "dev";
}
export interface WecomAuth {
  mode: "wecom";
}
export interface WechatAuth {
  mode: "wechat";
  appId?: string; // absent until the stage names its WeChat official account
}
export interface RuntimeConfig<Auth> {
  apiBaseUrl: string; // "" when the API is on the same origin (the local stack)
  stage: string;
  auth: Auth;
}

export async function loadConfig<Auth>(base: string): Promise<RuntimeConfig<Auth>> {
  const answer = await fetch(`${base}config.json`, { cache: "no-store" });
  if (!answer.ok) throw new Error(`config.json: ${answer.status}`);
  return (await answer.json()) as RuntimeConfig<Auth>;
}
