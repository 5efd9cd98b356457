import Button from "antd-mobile/es/components/button";
import { useNavigate } from "react-router-dom";
import { defineMessages } from "@shared/i18n";

const useT = defineMessages(
  { title: "页面不存在", home: "回到积分首页" },
  { title: "Page not found", home: "Back to my points" },
);

export default function NotFoundPage() {
  const t = useT();
  const navigate = useNavigate();
  return (
    <section className="m-card m-stack">
      <h1 className="m-title">{t("title")}</h1>
      <Button color="primary" block onClick={() => navigate("/")}>
        {t("home")}
      </Button>
    </section>
  );
}
