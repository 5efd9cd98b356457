// problem+json on a form (antd-mobile's Form): a 422's errors go onto the fields they name — or,
// for a value with no control of its own, onto the nearest enclosing control — and anything else
// (an error no control encloses, 409, 403, a network failure) shows above the form.
import type { FormInstance } from "antd-mobile/es/components/form";
import { useCallback, useState } from "react";
import { ApiError } from "@shared/api/client";
import { fieldErrors, placeFieldErrors, type FieldName } from "@shared/api/fields";
import { problemText } from "@shared/api/problems";
import { useCommonT } from "../messages";

/** A form's own wording for an API error on one of its fields (else the API's message shows). */
export type Localize = (field: string, message: string) => string | undefined;

export function useProblemForm(form: FormInstance, localize?: Localize) {
  const t = useCommonT();
  const [general, setGeneral] = useState<string[]>([]);
  const onError = useCallback(
    (error: unknown) => {
      if (!(error instanceof ApiError) || error.status === 0) {
        setGeneral([problemText(error, t("networkError"))]);
        return;
      }
      const { fields, general: rest } = fieldErrors(error.problem);
      const worded = fields.map((f) => ({ name: f.name, errors: f.errors.map((m) => localize?.(f.name.join("."), m) ?? m) }));
      const registered = form.getFieldsError().map((field) => field.name as FieldName);
      const { onControls, above } = placeFieldErrors(worded, registered);
      form.setFields(onControls.map((field) => ({ name: field.name, errors: field.errors })));
      setGeneral([...rest, ...above]);
    },
    [form, localize, t],
  );
  const clear = useCallback(() => setGeneral([]), []);
  return { general, onError, clear };
}

export function FormProblems({ messages }: { messages: string[] }) {
  if (!messages.length) return null;
  return (
    <div className="m-card m-error" role="alert">
      {messages.map((message) => (
        <div key={message}>{message}</div>
      ))}
    </div>
  );
}
