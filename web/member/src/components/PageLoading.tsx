import DotLoading from "antd-mobile/es/components/dot-loading";
import { useCommonT } from "../messages";

export function PageLoading() {
  const t = useCommonT();
  return (
    <div className="m-center" role="status" style={{ padding: "32px 0" }}>
      <span className="m-muted">{t("loading")}</span>
      <DotLoading color="primary" />
    </div>
  );
}
