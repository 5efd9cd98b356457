// Create or edit a campaign, standard or a referral (裂变) program with its rules; the API's 422
// lands on the fields it names (the program's "stages must rise" on the stages list), the rest above
// the form. The kind is chosen once: an edit keeps it.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { App, Button, DatePicker, Drawer, Form, Grid, Input, InputNumber, Radio, Space } from "antd";
import { unwrap, type Schemas } from "@shared/api/client";
import { useApi } from "../../app";
import { FormProblems, useProblemForm } from "../../components/forms";
import { useCommonT } from "../../components/messages";
import { campaignValues, createBody, KINDS, largestReward, newCampaignValues, patchBody, stagesProblem, type CampaignValues } from "./campaignForm";
import { useCampaignsT } from "./messages";
import { ReferralFields } from "./ReferralFields";

export function CampaignForm({
  initial,
  onSubmit,
  onCancel,
  submitText,
  kindLocked = false,
}: {
  initial: CampaignValues;
  onSubmit: (values: CampaignValues) => Promise<unknown>;
  onCancel?: () => void;
  submitText: string;
  /** An existing campaign's kind cannot change. */
  kindLocked?: boolean;
}) {
  const t = useCampaignsT();
  const common = useCommonT();
  const [form] = Form.useForm<CampaignValues>();
  const problems = useProblemForm(form);
  const save = useMutation({
    mutationFn: onSubmit,
    onMutate: () => problems.clear(),
    onError: (error) => problems.onError(stagesProblem(error)),
  });
  const kind = Form.useWatch("kind", form) ?? initial.kind;
  const required = { required: true, message: t("required") };
  return (
    // The whole store, not only the fields on screen: a standard campaign's hidden referral rules
    // stay as typed (the bodies send them only for a referral program).
    <Form form={form} layout="vertical" initialValues={initial} onFinish={() => save.mutate(form.getFieldsValue(true) as CampaignValues)} scrollToFirstError>
      <FormProblems messages={problems.general} />
      <Form.Item name="kind" label={t("kind")} extra={kindLocked ? t("kindLocked") : t(`kindHelp_${kind}`)}>
        <Radio.Group aria-label={t("kind")} disabled={kindLocked} optionType="button" buttonStyle="solid" options={KINDS.map((value) => ({ value, label: t(`kind_${value}`) }))} />
      </Form.Item>
      <Form.Item name="name" label={t("name")} rules={[{ ...required, whitespace: true }]}>
        <Input maxLength={100} />
      </Form.Item>
      <Form.Item name="brand" label={t("brand")}>
        <Input maxLength={64} />
      </Form.Item>
      <Space wrap size={16} align="start">
        <Form.Item name="starts_at" label={t("startsAt")} rules={[required]}>
          <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" />
        </Form.Item>
        <Form.Item
          name="ends_at"
          label={t("endsAt")}
          dependencies={["starts_at"]}
          rules={[
            required,
            ({ getFieldValue }) => ({
              validator: (_, value: CampaignValues["ends_at"] | undefined) => {
                const start = getFieldValue("starts_at") as CampaignValues["starts_at"] | undefined;
                return !value || !start || value.isAfter(start) ? Promise.resolve() : Promise.reject(new Error(t("endsAfterStarts")));
              },
            }),
          ]}
        >
          <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" />
        </Form.Item>
      </Space>
      <Space wrap size={16} align="start">
        <Form.Item name="acquisition_points" label={t("acquisitionPoints")} rules={[required]}>
          <InputNumber min={0} max={1_000_000} precision={0} />
        </Form.Item>
        <Form.Item name="engagement_points" label={t("engagementPoints")} rules={[required]}>
          <InputNumber min={0} max={1_000_000} precision={0} />
        </Form.Item>
        <Form.Item
          name="points_budget"
          label={t("pointsBudget")}
          dependencies={["kind", ["referral", "welcome_points"]]}
          rules={[
            required,
            ({ getFieldValue }) => ({
              validator: (_, value: number | null | undefined) => {
                if (getFieldValue("kind") !== "referral" || value === null || value === undefined) return Promise.resolve();
                const largest = largestReward(getFieldValue("referral") as CampaignValues["referral"]);
                return value >= largest ? Promise.resolve() : Promise.reject(new Error(t("budgetBelowReward", { points: largest })));
              },
            }),
          ]}
        >
          <InputNumber min={0} max={1_000_000_000} precision={0} style={{ width: 160 }} />
        </Form.Item>
      </Space>
      <Form.Item name="entry_url" label={t("entryUrl")} extra={t("entryUrlHelp")}>
        <Input maxLength={2048} inputMode="url" />
      </Form.Item>
      {kind === "referral" && <ReferralFields />}
      <Space>
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {submitText}
        </Button>
        {onCancel && <Button onClick={onCancel}>{common("cancel")}</Button>}
      </Space>
    </Form>
  );
}

/** The drawer the list (create) and a campaign's page (edit) open. */
export function CampaignDrawer({
  open,
  onClose,
  campaign,
  onSaved,
}: {
  open: boolean;
  onClose: () => void;
  campaign?: Schemas["CampaignView"];
  onSaved: (view: Schemas["CampaignView"]) => void;
}) {
  const t = useCampaignsT();
  const common = useCommonT();
  const api = useApi();
  const client = useQueryClient();
  const { message } = App.useApp();
  const screens = Grid.useBreakpoint();
  const submit = async (values: CampaignValues) => {
    const view = campaign
      ? await unwrap(api.PATCH("/v1/campaigns/{campaign_id}", { params: { path: { campaign_id: campaign.campaign_id } }, body: patchBody(values) }))
      : await unwrap(api.POST("/v1/campaigns", { body: createBody(values) }));
    client.setQueryData(["campaign", view.campaign_id], view);
    void client.invalidateQueries({ queryKey: ["campaigns"] });
    void message.success(campaign ? t("saved") : t("created"));
    onSaved(view);
    return view;
  };
  return (
    <Drawer open={open} onClose={onClose} title={campaign ? t("editCampaign") : t("newCampaign")} size={screens.sm ? 520 : "100%"} destroyOnHidden>
      <CampaignForm
        initial={campaign ? campaignValues(campaign) : newCampaignValues()}
        onSubmit={submit}
        onCancel={onClose}
        kindLocked={Boolean(campaign)}
        submitText={campaign ? common("save") : common("create")}
      />
    </Drawer>
  );
}
