import { Typography } from "antd";

export default function PointsPage() {
  return <Typography.Title level={2}>PointsPage</Typography.Title>;
}
