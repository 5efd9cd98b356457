import { Typography } from "antd";

export default function CasesPage() {
  return <Typography.Title level={2}>CasesPage</Typography.Title>;
}
