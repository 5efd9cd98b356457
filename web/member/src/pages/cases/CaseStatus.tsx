import Tag from "antd-mobile/es/components/tag";
import type { Schemas } from "@shared/api/client";
import { useCasesT } from "./messages";

type Status = Schemas["MemberCaseView"]["status"];
const COLOR: Record<Status, "primary" | "warning" | "success" | "default"> = {
  new: "warning",
  assigned: "primary",
  in_progress: "primary",
  waiting_on_customer: "warning",
  resolved: "success",
  closed: "default",
};

export function CaseStatus({ status }: { status: Status }) {
  const t = useCasesT();
  return (
    <Tag color={COLOR[status]} fill="outline">
      {t(`st_${status}`)}
    </Tag>
  );
}
