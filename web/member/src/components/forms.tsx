// problem+json on a form (antd-mobile's Form): a 422's errors go onto the fields they name, the
// rest (and any other error) above the form.
import type { FormInstance } from "antd-mobile/es/components/form";
import { useCallback, useState } from "react";
import { ApiError } from "@shared/api/client";
import { fieldErrors } from "@shared/api/fields";
import { useCommonT } from "../messages";
import { errorText } from "./QueryState";

/** A form's own wording for an API error on one of its fields (else the API's message shows). */
export type Localize = (field: string, message: string) => string | undefined;

export function useProblemForm(form: FormInstance, localize?: Localize) {
  const t = useCommonT();
  const [general, setGeneral] = useState<string[]>([]);
  const onError = useCallback(
    (error: unknown) => {
      if (error instanceof ApiError && error.status === 422) {
        const { fields, general: rest } = fieldErrors(error.problem);
        const known = new Set(form.getFieldsError().map((field) => String(field.name[0])));
        form.setFields(
          fields
            .filter((f) => known.has(String(f.name[0])))
            .map((f) => ({ name: f.name, errors: f.errors.map((m) => localize?.(f.name.join("."), m) ?? m) })),
        );
        const unknown = fields.filter((f) => !known.has(String(f.name[0]))).map((f) => `${f.name.join(".")}: ${f.errors.join(", ")}`);
        setGeneral([...rest, ...unknown]);
        return;
      }
      setGeneral([errorText(error, t("networkError"))]);
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
