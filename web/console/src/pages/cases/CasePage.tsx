import { Typography } from "antd";

export default function CasePage() {
  return <Typography.Title level={2}>CasePage</Typography.Title>;
}
