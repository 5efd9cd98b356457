import { Typography } from "antd";

export default function CampaignPage() {
  return <Typography.Title level={2}>CampaignPage</Typography.Title>;
}
