import Toast from "antd-mobile/es/components/toast";
import { useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { useNavigate } from "react-router-dom";
import { ApiError, idempotencyKey, unwrap } from "@shared/api/client";
import { useApi, useMemberApp } from "../../app";
import { CaseForm } from "./CaseForm";
import { useCasesT } from "./messages";

export default function NewCasePage() {
  const t = useCasesT();
  const api = useApi();
  const navigate = useNavigate();
  const client = useQueryClient();
  const { session } = useMemberApp();
  // One key for this filing: a retry after a lost answer does not file a second case.
  const key = useRef(idempotencyKey());
  return (
    <>
      <h1 className="m-title">{t("newTitle")}</h1>
      <CaseForm
        onSubmit={async (body) => {
          let filed;
          try {
            filed = await unwrap(api.POST("/v1/me/cases", { params: { header: { "Idempotency-Key": key.current } }, body }));
          } catch (error) {
            // Refused (not lost): the corrected form is a new request, with a new key.
            if (error instanceof ApiError && error.status >= 400 && error.status < 500) key.current = idempotencyKey();
            throw error;
          }
          await client.invalidateQueries({ queryKey: ["me", session?.contactId, "cases"] });
          Toast.show({ content: t("filed") });
          navigate(`/cases/${filed.case_id}`, { replace: true });
        }}
      />
    </>
  );
}
