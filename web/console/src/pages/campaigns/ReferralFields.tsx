// A referral (裂变) program's rules inside the campaign form: the stages (invitees the inviter needs
// in all → the points paid once on reaching it), added and removed as rows; the invitee's welcome,
// what qualifies an invitee, the per-inviter cap and the claw-back window. Each group is a fieldset
// named by its legend; the API's errors land on the stage fields and, for the stages as a whole, under
// the list.
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Flex, Form, InputNumber, Select } from "antd";
import type { CSSProperties, ReactNode } from "react";
import { MAX_STAGES, QUALIFYING_ACTIONS, type StageValues } from "./campaignForm";
import { useCampaignsT } from "./messages";

/** A new row: empty numbers for the person to fill (the API checks that the stages rise). */
const EMPTY_STAGE: StageValues = { invitees: null, points: null };

const ITEM: CSSProperties = { width: 190 };
const FIELDSET: CSSProperties = { border: "1px solid #f0f0f0", borderRadius: 8, padding: "8px 16px 0", margin: "0 0 16px", minWidth: 0 };
const PLAIN: CSSProperties = { border: "none", padding: 0, margin: "8px 0 0", minWidth: 0 };
const LEGEND: CSSProperties = { fontSize: 14, fontWeight: 600, padding: "0 4px", width: "auto", margin: 0, border: "none" };

/** A group of fields named by its legend: boxed, or (`plain`, a group inside one) only named. */
function Fieldset({ legend, plain = false, children }: { legend: string; plain?: boolean; children: ReactNode }) {
  return (
    <fieldset style={plain ? PLAIN : FIELDSET}>
      <legend style={plain ? { ...LEGEND, padding: 0, marginBottom: 8 } : LEGEND}>{legend}</legend>
      {children}
    </fieldset>
  );
}

export function ReferralFields() {
  const t = useCampaignsT();
  const required = { required: true, message: t("required") };
  return (
    <Fieldset legend={t("referralRules")}>
      {/* Two numbers and a remove button to a row, on a phone too. */}
      <Fieldset legend={t("stages")} plain>
        <Form.List name={["referral", "stages"]}>
          {(fields, { add, remove }, { errors }) => (
            <Flex vertical gap={0}>
              {fields.map((field, index) => (
                <Flex key={field.key} gap={12} wrap align="flex-start">
                  <Form.Item label={t("stageInvitees", { n: index + 1 })} name={[field.name, "invitees"]} rules={[required]} style={{ marginBottom: 12 }}>
                    <InputNumber min={1} max={10_000} precision={0} style={{ width: 120 }} />
                  </Form.Item>
                  <Form.Item label={t("stagePoints", { n: index + 1 })} name={[field.name, "points"]} rules={[required]} style={{ marginBottom: 12 }}>
                    <InputNumber min={0} max={1_000_000} precision={0} style={{ width: 120 }} />
                  </Form.Item>
                  {fields.length > 1 && (
                    <Button style={{ marginTop: 30 }} icon={<DeleteOutlined />} aria-label={t("removeStage", { n: index + 1 })} onClick={() => remove(field.name)} />
                  )}
                </Flex>
              ))}
              {/* Inside a form item, so the list's errors read as errors (red, under the button). */}
              <Form.Item style={{ marginBottom: 16 }}>
                <Button icon={<PlusOutlined />} disabled={fields.length >= MAX_STAGES} onClick={() => add(EMPTY_STAGE)}>
                  {t("addStage")}
                </Button>
                <Form.ErrorList errors={errors} />
              </Form.Item>
            </Flex>
          )}
        </Form.List>
      </Fieldset>
      {/* Fixed widths, so the pairs share a row in the drawer and their help wraps under them. */}
      <Flex gap={16} wrap>
        <Form.Item style={ITEM} name={["referral", "welcome_points"]} label={t("welcomePoints")} extra={t("welcomePointsHelp")} rules={[required]}>
          <InputNumber min={0} max={1_000_000} precision={0} style={{ width: "100%" }} />
        </Form.Item>
        <Form.Item style={ITEM} name={["referral", "qualifying_action"]} label={t("qualifyingAction")} rules={[required]}>
          <Select style={{ width: "100%" }} options={QUALIFYING_ACTIONS.map((value) => ({ value, label: t(`action_${value}`) }))} />
        </Form.Item>
      </Flex>
      <Flex gap={16} wrap>
        <Form.Item style={ITEM} name={["referral", "per_inviter_cap"]} label={t("perInviterCap")} extra={t("perInviterCapHelp")}>
          <InputNumber min={1} max={10_000} precision={0} placeholder={t("noCap")} style={{ width: "100%" }} />
        </Form.Item>
        <Form.Item style={ITEM} name={["referral", "clawback_days"]} label={t("clawbackDays")} extra={t("clawbackDaysHelp")} rules={[required]}>
          <InputNumber min={0} max={90} precision={0} style={{ width: "100%" }} />
        </Form.Item>
      </Flex>
      <Flex gap={16} wrap>
        <Form.Item style={ITEM} name={["referral", "share_visitor_points"]} label={t("shareVisitorPoints")} extra={t("shareVisitorPointsHelp")} rules={[required]}>
          <InputNumber min={0} max={1_000_000} precision={0} style={{ width: "100%" }} />
        </Form.Item>
        <Form.Item style={ITEM} name={["referral", "share_visitors_per_day"]} label={t("shareVisitorsPerDay")} extra={t("shareVisitorsPerDayHelp")} rules={[required]}>
          <InputNumber min={1} max={1_000} precision={0} style={{ width: "100%" }} />
        </Form.Item>
      </Flex>
    </Fieldset>
  );
}
