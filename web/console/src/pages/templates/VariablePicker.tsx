// The variable picker: the text box last focused (of those that take variables) is the target; a
// click puts `{variable}` (or `{variable|fallback}`) where its cursor was, and the syntax is
// explained beside it.
import { Button, Card, Flex, Input, Typography, type FormInstance } from "antd";
import { useCallback, useRef, useState, type FocusEvent } from "react";
import { insertAt, VARIABLES, variableToken, type Variable } from "./model";
import { useTemplatesT } from "./messages";

type FieldPath = (string | number)[];
type TextControl = HTMLInputElement | HTMLTextAreaElement;

interface Target {
  name: FieldPath;
  label: string;
  element: TextControl;
}

/** The picker's state: `focusProps(name, label)` goes on each text box that takes variables. */
export function useVariableTarget(form: FormInstance) {
  const target = useRef<Target | null>(null);
  const [label, setLabel] = useState<string | null>(null);
  const focusProps = useCallback(
    (name: FieldPath, fieldLabel: string) => ({
      onFocus: (event: FocusEvent<TextControl>) => {
        target.current = { name, label: fieldLabel, element: event.currentTarget };
        setLabel(fieldLabel);
      },
    }),
    [],
  );
  const insert = useCallback(
    (token: string) => {
      const current = target.current;
      if (!current) return;
      const text = String(form.getFieldValue(current.name) ?? "");
      const element = current.element;
      const start = element.selectionStart ?? text.length;
      const end = element.selectionEnd ?? start;
      const next = insertAt(text, start, end, token);
      form.setFieldValue(current.name, next.text);
      void form.validateFields([current.name]).catch(() => undefined);
      requestAnimationFrame(() => {
        element.focus();
        element.setSelectionRange(next.cursor, next.cursor);
      });
    },
    [form],
  );
  return { focusProps, insert, label };
}

export function VariablePicker({ target, onInsert }: { target: string | null; onInsert: (token: string) => void }) {
  const t = useTemplatesT();
  const [fallback, setFallback] = useState("");
  return (
    <Card size="small" role="group" aria-labelledby="variable-picker-title" style={{ marginBottom: 16 }}>
      <Typography.Title level={3} id="variable-picker-title" style={{ fontSize: 14, marginTop: 0 }}>
        {t("variablePicker")}
      </Typography.Title>
      <Typography.Paragraph style={{ marginBottom: 8 }}>{target ? t("variableTarget", { field: target }) : t("variableTargetNone")}</Typography.Paragraph>
      <Input aria-label={t("fallback")} placeholder={t("fallback")} value={fallback} onChange={(event) => setFallback(event.target.value)} style={{ maxWidth: 240, marginBottom: 8 }} />
      <Flex wrap gap={6} style={{ marginBottom: 8 }}>
        {VARIABLES.map((variable: Variable) => {
          const token = variableToken(variable, fallback);
          return (
            <Button key={variable} size="small" disabled={!target} title={t("insertVariable", { token })} onMouseDown={(event) => event.preventDefault()} onClick={() => onInsert(token)}>
              {`{${variable}}`} {t(`var_${variable}`)}
            </Button>
          );
        })}
      </Flex>
      <Typography.Paragraph style={{ marginBottom: 0, fontSize: 13 }}>{t("syntaxHelp")}</Typography.Paragraph>
    </Card>
  );
}
