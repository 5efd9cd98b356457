// The conditions of an auto-tag or scoring rule (a Form.List of {field, op, value} rows).
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Flex, Form, Input, Select } from "antd";
import type { NamePath } from "antd/es/form/interface";
import { useContactSettingsT } from "./contactSettingsMessages";
import { FACT_OPS } from "./factConditions";

export function FactConditionsEditor({ name, prefix = "" }: { name: NamePath; prefix?: string }) {
  const t = useContactSettingsT();
  return (
    <Form.List name={name}>
      {(rows, { add, remove }) => (
        <>
          {rows.map((row, index) => {
            const n = `${prefix}${index + 1}`;
            return (
              <Flex key={row.key} wrap gap={8} align="flex-start">
                <Form.Item name={[row.name, "field"]} rules={[{ required: true, message: t("required") }]} style={{ flex: "1 1 160px", marginBottom: 8 }}>
                  <Input aria-label={t("conditionField", { n })} placeholder={t("fieldHint")} />
                </Form.Item>
                <Form.Item name={[row.name, "op"]} style={{ flex: "0 1 100px", marginBottom: 8 }}>
                  <Select aria-label={t("conditionOp", { n })} options={FACT_OPS.map((op) => ({ value: op, label: op }))} />
                </Form.Item>
                <Form.Item name={[row.name, "value"]} style={{ flex: "1 1 140px", marginBottom: 8 }}>
                  <Input aria-label={t("conditionValue", { n })} />
                </Form.Item>
                <Button icon={<DeleteOutlined />} aria-label={t("removeCondition", { n })} onClick={() => remove(row.name)} />
              </Flex>
            );
          })}
          <Button icon={<PlusOutlined />} onClick={() => add({ field: "", op: "eq", value: "" })} style={{ marginBottom: 16 }}>
            {t("addCondition")}
          </Button>
        </>
      )}
    </Form.List>
  );
}
