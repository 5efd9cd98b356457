// problem+json on the form: a 422's errors go onto the fields they name — or, for a value with no
// control of its own (one word of a keyword list, a business-hours object as a whole), onto the
// nearest enclosing control (the word list) — and anything else (409's reason, 403, a 422 on the
// query, an error no control encloses) shows above the form.
import { Alert, Button, Flex, type FormInstance } from "antd";
import { useCallback, useState, type CSSProperties } from "react";
import { ApiError } from "@shared/api/client";
import { fieldErrors } from "@shared/api/fields";
import { useCommonT } from "./messages";
import { placeFieldErrors, problemText, type FieldName } from "./problems";

export function useProblemForm(form: FormInstance) {
  const [general, setGeneral] = useState<string[]>([]);
  const onError = useCallback(
    (error: unknown) => {
      if (!(error instanceof ApiError)) {
        setGeneral([problemText(error)]);
        return;
      }
      const { fields, general: rest } = fieldErrors(error.problem);
      const registered = form.getFieldsError().map((field) => field.name as FieldName);
      const { onControls, above } = placeFieldErrors(fields, registered);
      form.setFields(onControls.map((field) => ({ name: field.name, errors: field.errors })));
      setGeneral([...rest, ...above]);
    },
    [form],
  );
  const clear = useCallback(() => setGeneral([]), []);
  return { general, onError, clear };
}

export function FormProblems({ messages }: { messages: string[] }) {
  if (!messages.length) return null;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      style={{ marginBottom: 16 }}
      title={messages.length === 1 ? messages[0] : <ul style={{ margin: 0, paddingLeft: 16 }}>{messages.map((m) => <li key={m}>{m}</li>)}</ul>}
    />
  );
}

/** A form's buttons: save (submits), and reset to what was loaded or cancel (closes), when given. */
export function FormActions({ saving, onReset, onCancel, style }: { saving: boolean; onReset?: () => void; onCancel?: () => void; style?: CSSProperties }) {
  const common = useCommonT();
  return (
    <Flex gap={8} style={style}>
      <Button type="primary" htmlType="submit" loading={saving}>
        {common("save")}
      </Button>
      {onReset && (
        <Button htmlType="button" onClick={onReset}>
          {common("reset")}
        </Button>
      )}
      {onCancel && <Button onClick={onCancel}>{common("cancel")}</Button>}
    </Flex>
  );
}
