import {
  AppstoreOutlined,
  CustomerServiceOutlined,
  DashboardOutlined,
  GiftOutlined,
  QrcodeOutlined,
  SettingOutlined,
  TeamOutlined,
} from "@ant-design/icons";
import { Button, Grid, Layout, Menu, Space, Tag, Typography } from "antd";
import { Suspense, type ReactNode } from "react";
import { Link, Outlet, useLocation } from "react-router-dom";
import { Skeleton } from "antd";
import { useLanguage } from "@shared/i18n";
import { useApp } from "../app";
import { PAGES, mayOpen, type PageRoute } from "../routes";
import { useLayoutT } from "./messages";

const ICONS: Record<PageRoute["key"], ReactNode> = {
  dashboard: <DashboardOutlined />,
  contacts: <TeamOutlined />,
  campaigns: <QrcodeOutlined />,
  points: <GiftOutlined />,
  cases: <CustomerServiceOutlined />,
  settings: <SettingOutlined />,
};

export function AppLayout() {
  const t = useLayoutT();
  const { session, signOut, can } = useApp();
  const { language, setLanguage } = useLanguage();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const current = location.pathname.split("/")[1] || "";
  const items = PAGES.filter((page) => page.menu && mayOpen(page, can)).map((page) => ({
    key: page.path === "/" ? "" : page.path.slice(1),
    icon: ICONS[page.key],
    label: <Link to={page.path}>{t(page.key)}</Link>,
  }));
  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={screens.md ? 80 : 0} theme="light" width={208}>
        <div style={{ padding: 16, fontWeight: 600, whiteSpace: "nowrap", overflow: "hidden" }}>
          <AppstoreOutlined /> {t("product")}
        </div>
        <nav aria-label={t("product")}>
          <Menu mode="inline" selectedKeys={[current]} items={items} />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header
          style={{
            background: "#fff",
            padding: screens.md ? "8px 16px" : "8px 8px 8px 56px", // room for the collapsed menu's button
            height: "auto",
            lineHeight: "normal",
            display: "flex",
            justifyContent: "flex-end",
            alignItems: "center",
          }}
        >
          <Space wrap>
            {session && (
              <Typography.Text>
                {screens.md && `${t("tenant")}: `}
                {session.tenantId} · {session.name ?? session.staffId}{" "}
                {session.roles.map((role) => (
                  <Tag key={role}>{t(`role_${role}`)}</Tag>
                ))}
              </Typography.Text>
            )}
            <Button type="text" onClick={() => setLanguage(language === "en" ? "zh-CN" : "en")}>
              {t("language")}
            </Button>
            <Button onClick={signOut}>{t("signOut")}</Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ margin: screens.md ? 24 : 8 }}>
          <main>
            <Suspense fallback={<Skeleton active />}>
              <Outlet />
            </Suspense>
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
