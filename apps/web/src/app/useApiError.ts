import { App, type FormInstance } from "antd";
import { useCallback } from "react";
import { useLocation, useNavigate } from "react-router";
import { ApiError, errorDetail } from "../api/client";
import { splitProblem } from "../lib/problem-fields";

/**
 * One place that decides how a failed API call shows itself:
 * 401 → the right login page (staff or applicant), 403 → 「无权限」, field problems on the field
 * (`form.setFields`), everything else as a toast with the server's Chinese `detail`.
 */
export function useApiError() {
  const { message } = App.useApp();
  const navigate = useNavigate();
  const location = useLocation();

  return useCallback(
    (err: unknown, form?: FormInstance) => {
      if (!(err instanceof ApiError)) {
        console.error(err);
        message.error(errorDetail(err));
        return;
      }
      // A 401 that names an input (wrong password at login, wrong current password) is a form error;
      // only a 401 about the session itself means "log in again".
      if (err.status === 401 && !(form && (err.field || err.errors.length > 0))) {
        const admin = location.pathname.startsWith("/admin");
        const next = encodeURIComponent(location.pathname + location.search);
        message.warning(err.detail);
        navigate(admin ? `/admin/login?next=${next}` : `/login?next=${next}`, { replace: true });
        return;
      }
      if (err.status === 403 && !err.code.toLowerCase().includes("csrf")) {
        message.error(err.detail && err.detail !== "无权限" ? `无权限：${err.detail}` : "无权限");
        return;
      }
      if (form) {
        const names = Object.keys(form.getFieldsValue() as Record<string, unknown>);
        const { fields, message: rest } = splitProblem(err, names);
        if (fields.length > 0) form.setFields(fields);
        if (rest) message.error(rest);
        return;
      }
      message.error(err.detail);
    },
    [message, navigate, location],
  );
}
