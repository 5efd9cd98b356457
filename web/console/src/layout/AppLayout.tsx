import {
  ApartmentOutlined,
  AppstoreOutlined,
  BarChartOutlined,
  CheckSquareOutlined,
  CloudUploadOutlined,
  CommentOutlined,
  CustomerServiceOutlined,
  DashboardOutlined,
  FileTextOutlined,
  GiftOutlined,
  MenuOutlined,
  NodeIndexOutlined,
  NotificationOutlined,
  QrcodeOutlined,
  SettingOutlined,
  ShareAltOutlined,
  TeamOutlined,
  WechatWorkOutlined,
} from "@ant-design/icons";
import { Button, Drawer, Grid, Layout, Menu, Space, Tag, Typography } from "antd";
import { Suspense, useState, type ReactNode } from "react";
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
  koc: <ShareAltOutlined />,
  points: <GiftOutlined />,
  cases: <CustomerServiceOutlined />,
  segments: <ApartmentOutlined />,
  imports: <CloudUploadOutlined />,
  wecom: <WechatWorkOutlined />,
  groups: <CommentOutlined />,
  kpis: <BarChartOutlined />,
  templates: <FileTextOutlined />,
  broadcasts: <NotificationOutlined />,
  journeys: <NodeIndexOutlined />,
  tasks: <CheckSquareOutlined />,
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
  const [menuOpen, setMenuOpen] = useState(false);
  const phone = !screens.md;
  const menu = (
    <nav aria-label={t("product")}>
      <Menu mode="inline" selectedKeys={[current]} items={items} onClick={() => setMenuOpen(false)} />
    </nav>
  );
  const brand = (
    <div style={{ padding: 16, fontWeight: 600, whiteSpace: "nowrap", overflow: "hidden" }}>
      <AppstoreOutlined /> {t("product")}
    </div>
  );
  return (
    <Layout style={{ minHeight: "100vh" }}>
      {/* On a phone the menu is a drawer opened from the header, so nothing covers the page. */}
      {phone ? (
        <Drawer placement="left" open={menuOpen} onClose={() => setMenuOpen(false)} width={240} title={t("product")} styles={{ body: { padding: 0 } }}>
          {menu}
        </Drawer>
      ) : (
        <Layout.Sider breakpoint="lg" collapsedWidth={80} theme="light" width={208}>
          {brand}
          {menu}
        </Layout.Sider>
      )}
      <Layout>
        <Layout.Header
          style={{
            background: "#fff",
            padding: phone ? "8px" : "8px 16px",
            height: "auto",
            lineHeight: "normal",
            display: "flex",
            justifyContent: "space-between",
            alignItems: "center",
            gap: 8,
          }}
        >
          {phone ? <Button icon={<MenuOutlined />} aria-label={t("menu")} aria-expanded={menuOpen} onClick={() => setMenuOpen(true)} /> : <span />}
          <Space wrap size={phone ? 4 : 8} style={{ justifyContent: "flex-end" }}>
            {session && (
              <Typography.Text>
                {!phone && `${t("tenant")}: ${session.tenantId} · `}
                {session.name ?? session.staffId}{" "}
                {session.roles.map((role) => (
                  <Tag key={role}>{t(`role_${role}`)}</Tag>
                ))}
              </Typography.Text>
            )}
            <Button type="text" size={phone ? "small" : "middle"} onClick={() => setLanguage(language === "en" ? "zh-CN" : "en")}>
              {t("language")}
            </Button>
            <Button size={phone ? "small" : "middle"} onClick={signOut}>
              {t("signOut")}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ margin: phone ? 8 : 24 }}>
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
