import { Tag } from "antd";
import type { MaterialUpload } from "../../api/materials";
import { useI18n } from "../../app/i18n";

/** The reviewer's verdict on one file: 待审核 / 已通过 / 已退回. */
export function MaterialStatus({ upload }: { upload: MaterialUpload | null }) {
  const { t } = useI18n();
  if (!upload) return <Tag>{t("mat.notUploaded")}</Tag>;
  const color = { pending: "processing", accepted: "success", rejected: "error" }[upload.reviewStatus];
  return <Tag color={color}>{t(`mat.status.${upload.reviewStatus}`)}</Tag>;
}
