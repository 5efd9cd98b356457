// The WeCom staff of a contact way's rotation (a Form.Item control: value / onChange of userids):
// picked from the synced WeCom directory when the role may read it and it has members, else typed
// as userids (tags).
import { useQuery } from "@tanstack/react-query";
import { Select } from "antd";
import { unwrap } from "@shared/api/client";
import { useApi, useCan } from "../../app";
import { WordsInput } from "../../components/WordsInput";
import { useCampaignsT } from "./messages";
import { staffIds } from "./wecomCode";

const DIRECTORY_PAGE = 200; // the API's largest page: a rotation names at most 100 members

export function WeComStaffInput({ value, onChange, id, ...aria }: { value?: string[]; onChange?: (ids: string[]) => void; id?: string; "aria-invalid"?: boolean }) {
  const t = useCampaignsT();
  const api = useApi();
  const canRead = useCan()("GET /v1/wecom/staff");
  const directory = useQuery({
    queryKey: ["wecom", "staff", "active-picker"],
    queryFn: () => unwrap(api.GET("/v1/wecom/staff", { params: { query: { status: "active", limit: DIRECTORY_PAGE } } })),
    enabled: canRead,
    staleTime: 60_000,
  });
  const members = directory.data?.items ?? [];
  if (!canRead || directory.isError || (directory.isSuccess && members.length === 0)) {
    return <WordsInput id={id} value={value} onChange={onChange} placeholder={t("wecomStaffTyped")} {...aria} />;
  }
  // Members picked before (or no longer active) stay shown by their userid.
  const known = new Set(members.map((member) => member.staff_id));
  const options = [
    ...members.map((member) => ({ value: member.staff_id, label: `${member.name} (${member.staff_id})` })),
    ...(value ?? []).filter((userid) => !known.has(userid)).map((userid) => ({ value: userid, label: userid })),
  ];
  return (
    <Select
      id={id}
      mode="multiple"
      value={value ?? []}
      onChange={(ids: string[]) => onChange?.(staffIds(ids))}
      options={options}
      loading={directory.isPending}
      placeholder={t("wecomStaffPick")}
      optionFilterProp="label"
      maxCount={100}
      style={{ minWidth: 220 }}
      {...aria}
    />
  );
}
