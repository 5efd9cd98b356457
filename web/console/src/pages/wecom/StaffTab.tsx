// 员工: the synced WeCom directory (by department and status), each member's Siyu roles — an admin
// may override them (a drawer) — and the admin's 同步通讯录 and 对账 jobs, followed to their end.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Checkbox, Drawer, Flex, Form, Select, Space, Typography } from "antd";
import { useCallback, useState } from "react";
import { unwrap, type Schemas } from "@shared/api/client";
import { Can, useApi } from "../../app";
import { useCursorPages } from "../../components/cursor";
import { FormActions, FormProblems, useProblemForm } from "../../components/forms";
import { TitleBar } from "../../components/headings";
import { PagedTable } from "../../components/PagedTable";
import { EmptyState } from "../../components/QueryState";
import { ToneTag } from "../../components/Tone";
import { ROLES, type Role } from "../../auth/session";
import { problemText } from "../../components/problems";
import { useWeComT } from "./messages";
import { STAFF_TONES } from "./view";
import { WeComJob } from "./WeComJob";

type Staff = Schemas["StaffView"];
type StaffStatus = Staff["status"];
const STATUSES: StaffStatus[] = ["active", "disabled", "inactive", "departed"];

function RolesDrawer({ staff, onClose }: { staff: Staff | null; onClose: () => void }) {
  const t = useWeComT();
  const api = useApi();
  const queries = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ roles: Role[] }>();
  const problems = useProblemForm(form);
  const save = useMutation({
    mutationFn: (roles: Role[] | null) =>
      unwrap(api.PUT("/v1/wecom/staff/{staff_id}/roles", { params: { path: { staff_id: staff?.staff_id ?? "" } }, body: { roles } })),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ["wecom", "staff"] });
      void message.success(t("editRoles"));
      onClose();
    },
    onError: problems.onError,
  });
  return (
    <Drawer open={staff !== null} onClose={onClose} title={staff ? t("editRolesFor", { name: staff.name }) : t("editRoles")} destroyOnHidden>
      {staff && (
        <Form form={form} layout="vertical" initialValues={{ roles: staff.roles }} onFinish={(values) => { problems.clear(); save.mutate(values.roles); }}>
          <FormProblems messages={problems.general} />
          <Form.Item
            name="roles"
            label={t("roles")}
            rules={[{ validator: (_, value: Role[] | undefined) => (value?.length ? Promise.resolve() : Promise.reject(new Error(t("required")))) }]}
          >
            <Checkbox.Group options={ROLES.map((role) => ({ value: role, label: t(`role_${role}`) }))} />
          </Form.Item>
          <Flex gap={8} wrap>
            <FormActions saving={save.isPending} onCancel={onClose} />
            {staff.roles_overridden && (
              <Button onClick={() => save.mutate(null)} disabled={save.isPending}>
                {t("useSynced")}
              </Button>
            )}
          </Flex>
        </Form>
      )}
    </Drawer>
  );
}

function JobButtons() {
  const t = useWeComT();
  const api = useApi();
  const queries = useQueryClient();
  const [jobId, setJobId] = useState<string | null>(null);
  const sync = useMutation({ mutationFn: () => unwrap(api.POST("/v1/wecom/directory/syncs")), onSuccess: (job) => setJobId(job.job_id) });
  const reconcile = useMutation({ mutationFn: () => unwrap(api.POST("/v1/wecom/reconciliations")), onSuccess: (job) => setJobId(job.job_id) });
  const refresh = useCallback(() => void queries.invalidateQueries({ queryKey: ["wecom"] }), [queries]);
  const failed = sync.error ?? reconcile.error;
  return (
    <Flex vertical gap={8} style={{ marginBottom: 16 }}>
      <Space wrap>
        <Can op="POST /v1/wecom/directory/syncs">
          <Button type="primary" loading={sync.isPending} onClick={() => sync.mutate()}>
            {t("sync")}
          </Button>
        </Can>
        <Can op="POST /v1/wecom/reconciliations">
          <Button loading={reconcile.isPending} onClick={() => reconcile.mutate()}>
            {t("reconcile")}
          </Button>
        </Can>
      </Space>
      {failed && <FormProblems messages={[problemText(failed)]} />}
      {jobId && <WeComJob key={jobId} jobId={jobId} onFinished={refresh} />}
    </Flex>
  );
}

export function StaffTab() {
  const t = useWeComT();
  const api = useApi();
  const [department, setDepartment] = useState<number | undefined>();
  const [status, setStatus] = useState<StaffStatus | undefined>();
  const [editing, setEditing] = useState<Staff | null>(null);
  const departments = useQuery({ queryKey: ["wecom", "departments"], queryFn: () => unwrap(api.GET("/v1/wecom/departments")) });
  const names = new Map((departments.data?.items ?? []).map((d) => [d.department_id, d.name]));
  const pages = useCursorPages(["wecom", "staff", department ?? "", status ?? ""], (cursor) =>
    unwrap(api.GET("/v1/wecom/staff", { params: { query: { department_id: department, status, cursor } } })),
  );
  const columns = [
    { title: t("name"), dataIndex: "name" },
    { title: t("staffId"), dataIndex: "staff_id" },
    { title: t("department"), dataIndex: "department_ids", render: (ids: number[]) => ids.map((id) => names.get(id) ?? id).join("、") || "—" },
    { title: t("position"), dataIndex: "position", render: (p: string | null) => p ?? "—" },
    { title: t("staffStatus"), dataIndex: "status", render: (s: StaffStatus) => <ToneTag tone={STAFF_TONES[s]}>{t(`staffStatus_${s}`)}</ToneTag> },
    {
      title: t("roles"),
      key: "roles",
      render: (_: unknown, row: Staff) => (
        <>
          {row.roles.map((role) => t(`role_${role}`)).join("、") || "—"} {row.roles_overridden && <Typography.Text type="secondary">{t("rolesOverridden")}</Typography.Text>}
        </>
      ),
    },
    {
      title: t("editRoles"),
      key: "actions",
      render: (_: unknown, row: Staff) => (
        <Can op="PUT /v1/wecom/staff/{staff_id}/roles">
          <Button size="small" onClick={() => setEditing(row)} aria-label={`${t("editRoles")} ${row.name}`}>
            {t("editRoles")}
          </Button>
        </Can>
      ),
    },
  ];
  return (
    <>
      <TitleBar level={2} title={t("tab_staff")} style={{ marginBottom: 16 }} />
      <JobButtons />
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          aria-label={t("department")}
          allowClear
          placeholder={t("allDepartments")}
          style={{ width: 200 }}
          value={department}
          onChange={setDepartment}
          loading={departments.isPending}
          options={(departments.data?.items ?? []).map((d) => ({ value: d.department_id, label: d.name }))}
        />
        <Select
          aria-label={t("staffStatus")}
          allowClear
          placeholder={t("staffStatus")}
          style={{ width: 160 }}
          value={status}
          onChange={setStatus}
          options={STATUSES.map((s) => ({ value: s, label: t(`staffStatus_${s}`) }))}
        />
      </Space>
      <PagedTable<Staff> pages={pages} rowKey="staff_id" columns={columns} empty={<EmptyState description={t("noStaff")} />} scrollLabel={t("staffScroller")} />
      <RolesDrawer staff={editing} onClose={() => setEditing(null)} />
    </>
  );
}
