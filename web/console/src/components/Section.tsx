// A titled part of a page: a card that is a landmark region named by its own heading (level 2
// under the page's level-1 title), as tall as its grid cell so a row of them lines up.
import { Card, Typography } from "antd";
import type { ReactNode } from "react";

export function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Card
      role="region"
      aria-labelledby={id}
      title={
        <Typography.Title level={2} id={id} style={{ fontSize: 16, margin: 0 }}>
          {title}
        </Typography.Title>
      }
      style={{ height: "100%" }}
    >
      {children}
    </Card>
  );
}
