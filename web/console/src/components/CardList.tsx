// A Form.List edited as a column of cards — one card an item (keyword rules, routing rules, earning
// rules), each with its remove button — with the list's own errors (a 422 on the list, or on a
// value inside an item with no field of its own) under them and an add button last.
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Card, Flex, Form, Typography, type FormListFieldData } from "antd";
import type { ReactNode } from "react";

export function CardList({
  name,
  empty,
  itemTitle,
  removeLabel,
  addLabel,
  newItem,
  editable = true,
  children,
}: {
  name: string;
  /** Shown when the list has no items. */
  empty: string;
  itemTitle: (n: number) => string;
  /** The remove button's accessible name for item n (from 1). */
  removeLabel: (n: number) => string;
  addLabel: string;
  newItem: () => object;
  /** Read-only: no add or remove buttons. */
  editable?: boolean;
  /** An item's fields (named under `[field.name, …]`). */
  children: (field: FormListFieldData, index: number) => ReactNode;
}) {
  return (
    <Form.List name={name}>
      {(fields, { add, remove }, { errors }) => (
        <Flex vertical gap={12}>
          {fields.length === 0 && <Typography.Text type="secondary">{empty}</Typography.Text>}
          {fields.map((field, index) => (
            <Card
              key={field.key}
              size="small"
              title={itemTitle(index + 1)}
              extra={editable && <Button type="text" danger icon={<DeleteOutlined />} aria-label={removeLabel(index + 1)} onClick={() => remove(field.name)} />}
            >
              {children(field, index)}
            </Card>
          ))}
          <Form.ErrorList errors={errors} />
          {editable && (
            <Button icon={<PlusOutlined />} onClick={() => add(newItem())} style={{ alignSelf: "flex-start" }}>
              {addLabel}
            </Button>
          )}
        </Flex>
      )}
    </Form.List>
  );
}
