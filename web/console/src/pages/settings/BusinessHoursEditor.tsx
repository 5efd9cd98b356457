// Business hours: the week as a grid of working and rest days (one opening time for all of them),
// the time zone, and the holidays that close an otherwise working day. Form items named under
// `business_hours`, so a 422 on `["body", "business_hours", "closes"]` lands on its field.
import { CloseOutlined } from "@ant-design/icons";
import { Button, Checkbox, Flex, Form, Input, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { useSettingsT } from "./messages";

const DAYS = [0, 1, 2, 3, 4, 5, 6] as const;
const DAY_KEYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** "09:00:00" → "09:00", for the time inputs (the API accepts either). */
export function hhmm(value: string | undefined): string {
  return (value ?? "").slice(0, 5);
}

/** The working days (0 = Monday) as a grid: a day per column, ticked when it is a working day. */
export function WeekGrid({
  value,
  onChange,
  opens,
  closes,
}: {
  value?: number[];
  onChange?: (days: number[]) => void;
  opens?: string;
  closes?: string;
}) {
  const t = useSettingsT();
  const working = new Set(value ?? []);
  const toggle = (day: number) => {
    const next = new Set(working);
    if (next.has(day)) next.delete(day);
    else next.add(day);
    onChange?.([...next].sort((a, b) => a - b));
  };
  return (
    <div role="group" aria-label={t("weekdays")} style={{ display: "grid", gridTemplateColumns: "repeat(auto-fit, minmax(84px, 1fr))", gap: 8, maxWidth: 760 }}>
      {DAYS.map((day) => (
        <div
          key={day}
          style={{
            border: "1px solid #d9d9d9",
            borderRadius: 6,
            padding: 8,
            background: working.has(day) ? "#e3f2ec" : "#fafafa",
          }}
        >
          <Checkbox checked={working.has(day)} onChange={() => toggle(day)}>
            {t(DAY_KEYS[day])}
          </Checkbox>
          <Typography.Text style={{ display: "block", fontSize: 12, color: "rgba(0,0,0,0.65)" }}>
            {working.has(day) ? `${hhmm(opens)}–${hhmm(closes)}` : t("restDay")}
          </Typography.Text>
        </div>
      ))}
    </div>
  );
}

/** Holidays as dates (YYYY-MM-DD), kept sorted and without repeats. */
export function HolidayList({ value, onChange, id }: { value?: string[]; onChange?: (dates: string[]) => void; id?: string }) {
  const t = useSettingsT();
  const [draft, setDraft] = useState("");
  const dates = value ?? [];
  const add = () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(draft)) return;
    onChange?.([...new Set([...dates, draft])].sort());
    setDraft("");
  };
  return (
    <Flex vertical gap={8}>
      <Space.Compact style={{ maxWidth: 320 }}>
        <Input id={id} type="date" aria-label={t("holidayDate")} value={draft} onChange={(event) => setDraft(event.target.value)} onPressEnter={(event) => { event.preventDefault(); add(); }} />
        <Button onClick={add} disabled={!draft}>
          {t("addHoliday")}
        </Button>
      </Space.Compact>
      {dates.length === 0 ? (
        <Typography.Text type="secondary">{t("noHolidays")}</Typography.Text>
      ) : (
        <Flex wrap gap={4} role="list" aria-label={t("holidays")}>
          {dates.map((date) => (
            <Tag role="listitem" key={date} style={{ marginInlineEnd: 0 }}>
              {date}
              <Button
                type="text"
                size="small"
                aria-label={t("removeHoliday", { date })}
                icon={<CloseOutlined />}
                onClick={() => onChange?.(dates.filter((d) => d !== date))}
              />
            </Tag>
          ))}
        </Flex>
      )}
    </Flex>
  );
}

/** The business hours' fields, inside a Form whose values hold `business_hours`. */
export function BusinessHoursFields() {
  const t = useSettingsT();
  return (
    <>
      <Form.Item label={t("timeZone")} name={["business_hours", "time_zone"]} extra={t("timeZoneHint")}>
        <Input style={{ maxWidth: 320 }} />
      </Form.Item>
      <Space wrap size="large">
        <Form.Item label={t("opens")} name={["business_hours", "opens"]}>
          <Input type="time" style={{ width: 140 }} />
        </Form.Item>
        <Form.Item label={t("closes")} name={["business_hours", "closes"]}>
          <Input type="time" style={{ width: 140 }} />
        </Form.Item>
      </Space>
      <Form.Item noStyle shouldUpdate>
        {(form) => (
          <Form.Item label={t("weekdays")} name={["business_hours", "weekdays"]}>
            <WeekGrid opens={form.getFieldValue(["business_hours", "opens"])} closes={form.getFieldValue(["business_hours", "closes"])} />
          </Form.Item>
        )}
      </Form.Item>
      <Form.Item label={t("holidays")} name={["business_hours", "holidays"]}>
        <HolidayList />
      </Form.Item>
    </>
  );
}
