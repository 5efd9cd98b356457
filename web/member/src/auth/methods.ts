// Member sign-in behind one interface: WeChat's web OAuth in AWS (the H5 opens inside WeChat;
// snsapi_base needs no consent screen), and locally a development sign-in where the member types
// a name that stands for their WeChat account (the local WeChat fake accepts `dev:<name>`).
export interface MemberDevAuth {
  mode: "dev";
  appId: string;
}
export interface MemberWechatAuth {
  mode: "wechat";
  appId?: string; // absent until the stage names its WeChat official account (CDK's member_wechat_app_id)
}
export type MemberAuth = MemberDevAuth | MemberWechatAuth;

/** WeChat's OAuth page: it comes back to `returnTo` with `code` and `state`. */
export function wechatAuthorizeUrl(appId: string, returnTo: string, state: string): string {
  const query = new URLSearchParams({
    appid: appId,
    redirect_uri: returnTo,
    response_type: "code",
    scope: "snsapi_base",
    state,
  });
  return `https://open.weixin.qq.com/connect/oauth2/authorize?${query}#wechat_redirect`;
}
