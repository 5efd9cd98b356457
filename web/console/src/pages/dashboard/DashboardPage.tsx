import { Typography } from "antd";

export default function DashboardPage() {
  return <Typography.Title level={2}>DashboardPage</Typography.Title>;
}
