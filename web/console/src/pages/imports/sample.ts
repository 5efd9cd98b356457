// The sample CSV offered for download (built in the browser) and the job's result counts.
export const SAMPLE_CSV = [
  "name,phone,email,tags,attr.size",
  "张三,13800000001,zhangsan@example.com,VIP|母婴,M",
  "李四,13800000002,,新客;活跃,L",
  "Wang Wu,,wangwu@example.com,,S",
].join("\n");

export const RESULT_KEYS = ["created", "updated", "merged", "unchanged", "failed"] as const;

export function resultCounts(result: Record<string, unknown>): Record<(typeof RESULT_KEYS)[number], number> {
  return Object.fromEntries(RESULT_KEYS.map((key) => [key, typeof result[key] === "number" ? result[key] : 0])) as Record<(typeof RESULT_KEYS)[number], number>;
}

export const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
