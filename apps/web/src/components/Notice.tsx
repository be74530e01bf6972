import { CloseCircleFilled, ExclamationCircleFilled } from "@ant-design/icons";
import type { ReactNode } from "react";
import "./notice.css";

/**
 * A failed load or a broken page, drawn like antd's Result (icon, title, sentence, actions) without
 * loading Result itself: its 403/404/500 illustrations would come with every first page, since the
 * frame needs this for a chunk that fails to arrive.
 */
export function Notice({
  status,
  title,
  subTitle,
  extra,
}: {
  status: "warning" | "error";
  title: ReactNode;
  subTitle?: ReactNode;
  extra?: ReactNode;
}) {
  return (
    <div className={`notice notice-${status}`} role={status === "error" ? "alert" : "status"}>
      <div className="notice-icon" aria-hidden>
        {status === "error" ? <CloseCircleFilled /> : <ExclamationCircleFilled />}
      </div>
      <div className="notice-title">{title}</div>
      {subTitle ? <div className="notice-subtitle">{subTitle}</div> : null}
      {extra ? <div className="notice-extra">{extra}</div> : null}
    </div>
  );
}
