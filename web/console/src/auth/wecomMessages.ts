import { defineMessages } from "@shared/i18n";

// The WeCom sign-in's words (企业微信扫码登录, and its local simulation).
export const useWeComSignInT = defineMessages(
  {
    signInWecomQr: "企业微信扫码登录",
    signInWecomHint: "输入租户，然后用企业微信扫码。",
    tenantId: "租户",
    scan: "前往企业微信扫码",
    localSimulation: "本地模拟",
    localSimulationHint: "本地环境没有真实的企业微信二维码：输入员工的企业微信 userid 模拟扫码。",
    userid: "企业微信 userid",
    simulateScan: "模拟扫码",
    required: "必填",
  },
  {
    signInWecomQr: "Sign in with WeCom (QR)",
    signInWecomHint: "Enter the tenant, then scan with WeCom.",
    tenantId: "Tenant",
    scan: "Scan with WeCom",
    localSimulation: "Local simulation",
    localSimulationHint: "The local stack has no real WeCom QR code: enter a staff member's WeCom userid to simulate the scan.",
    userid: "WeCom userid",
    simulateScan: "Simulate the scan",
    required: "Required",
  },
);
