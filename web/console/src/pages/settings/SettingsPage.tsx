import { Typography } from "antd";

export default function SettingsPage() {
  return <Typography.Title level={2}>SettingsPage</Typography.Title>;
}
