import { Typography } from "antd";

export default function ContactPage() {
  return <Typography.Title level={2}>ContactPage</Typography.Title>;
}
