// problem+json on the form: a 422's errors go onto the fields they name, anything else (409's
// reason, 403, a 422 on the query) shows above the form.
import { Alert, type FormInstance } from "antd";
import { useCallback, useState } from "react";
import { ApiError } from "@shared/api/client";
import { fieldErrors } from "@shared/api/fields";

export function useProblemForm(form: FormInstance) {
  const [general, setGeneral] = useState<string[]>([]);
  const onError = useCallback(
    (error: unknown) => {
      if (!(error instanceof ApiError)) {
        setGeneral([error instanceof Error ? error.message : String(error)]);
        return;
      }
      const { fields, general: rest } = fieldErrors(error.problem);
      const known = new Set(Object.keys(form.getFieldsValue(true) ?? {}));
      const onForm = fields.filter((field) => known.has(String(field.name[0])));
      const elsewhere = fields.filter((field) => !known.has(String(field.name[0])));
      form.setFields(onForm.map((field) => ({ name: field.name, errors: field.errors })));
      setGeneral([...rest, ...elsewhere.map((field) => `${field.name.join(".")}: ${field.errors.join("; ")}`)]);
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
      message={messages.length === 1 ? messages[0] : <ul style={{ margin: 0, paddingLeft: 16 }}>{messages.map((m) => <li key={m}>{m}</li>)}</ul>}
    />
  );
}
