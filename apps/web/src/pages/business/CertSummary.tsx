import { Descriptions, Typography } from "antd";
import { useI18n } from "../../app/i18n";
import { SerialText } from "../../components/SerialText";
import { formatDate } from "../../lib/time";
import type { CertPick } from "./businesses/define";

const { Text } = Typography;

/** The certificate an item acts on; the Form.Item around it carries the server's errors about it. */
export function CertSummary({
  value,
  certs,
  showMedia,
}: {
  value?: string;
  certs: ReadonlyMap<string, CertPick>;
  showMedia?: boolean;
}) {
  const { t } = useI18n();
  const c = value ? certs.get(value) : undefined;
  if (!value) return null;
  return (
    <Descriptions size="small" column={{ xs: 1, sm: 2 }} bordered>
      <Descriptions.Item label={t("order.subject")}>
        {c ? (
          <>
            {c.subjectName}{" "}
            <Text type="secondary" style={{ fontSize: 12 }}>
              {c.subjectIdentity}
            </Text>
          </>
        ) : (
          "—"
        )}
      </Descriptions.Item>
      <Descriptions.Item label={t("apply.caType")}>{c?.caTypeName ?? "—"}</Descriptions.Item>
      <Descriptions.Item label={t("wallet.serial")}>
        <SerialText hex={value} />
      </Descriptions.Item>
      {c?.notAfter ? (
        <Descriptions.Item label={t("wallet.validity")}>
          {formatDate(c.notBefore)} — {formatDate(c.notAfter)}
        </Descriptions.Item>
      ) : null}
      {showMedia ? (
        <Descriptions.Item label={t("biz.mediaSerial")}>
          {c?.mediaSerial ?? t("biz.mediaUnknown")}
        </Descriptions.Item>
      ) : null}
    </Descriptions>
  );
}
