// A page's or a tab's title with its actions (create, a period or status switch…) to the right,
// wrapping under it on a narrow screen; the create button those bars carry, shown only to the roles
// that may; and the link back to the list a detail page came from.
import { ArrowLeftOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Typography } from "antd";
import type { CSSProperties, ReactNode } from "react";
import { Link } from "react-router-dom";
import type { Operation } from "@shared/api/access";
import { Can } from "../app";

const SIZE = { 1: 24, 2: 20, 3: 16 } as const;

/** Level 1 is the page's title (one a page), 2 a tab's or section's, 3 a part's within it. */
export function TitleBar({ title, extra, level = 1, style }: { title: ReactNode; extra?: ReactNode; level?: 1 | 2 | 3; style?: CSSProperties }) {
  return (
    <div style={{ display: "flex", flexWrap: "wrap", gap: level === 1 ? 12 : 8, justifyContent: "space-between", alignItems: "center", ...style }}>
      <Typography.Title level={level} style={{ fontSize: SIZE[level], margin: 0 }}>
        {title}
      </Typography.Title>
      {extra}
    </div>
  );
}

export function CreateButton({ op, onClick, children }: { op: Operation; onClick: () => void; children: ReactNode }) {
  return (
    <Can op={op}>
      <Button type="primary" icon={<PlusOutlined />} onClick={onClick}>
        {children}
      </Button>
    </Can>
  );
}

export function BackLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <Link to={to}>
      <ArrowLeftOutlined /> {children}
    </Link>
  );
}
