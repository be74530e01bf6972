import { Alert } from "antd";
import { useI18n } from "../../../app/i18n";
import type { MessageKey } from "../../../app/messages";

/** The one line a business without item choices shows under the certificate. */
export function ItemHint({ type, text }: { type: "info" | "warning"; text: MessageKey }) {
  const { t } = useI18n();
  return <Alert type={type} showIcon title={t(text)} />;
}
