import { useQuery } from "@tanstack/react-query";
import { Alert, Button, List, Space, Typography } from "antd";
import { useState } from "react";
import { useI18n } from "../../app/i18n";
import type { AssistantClient, TokenCertificateView } from "../../lib/assistant";
import { formatDateTime } from "../../lib/time";
import { AssistantGate, assistantMessage, TokenSelect } from "./AssistantGate";

const { Text } = Typography;

function CertificatesOn({
  client,
  onPick,
}: {
  client: AssistantClient;
  onPick: (certificate: TokenCertificateView, tokenSerial: string) => void;
}) {
  const { t } = useI18n();
  const [serial, setSerial] = useState<string>();
  const certificates = useQuery({
    queryKey: ["assistant", "certificates", client.base, serial],
    enabled: !!serial,
    retry: false,
    queryFn: () => client.certificates(serial!),
  });
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <TokenSelect client={client} value={serial} onChange={(s) => setSerial(s)} />
      {certificates.isError ? (
        <Alert type="error" showIcon title={assistantMessage(certificates.error)} />
      ) : null}
      {serial && certificates.isSuccess ? (
        <List
          size="small"
          bordered
          locale={{ emptyText: t("assistant.noCertificate") }}
          dataSource={certificates.data}
          renderItem={(c) => (
            <List.Item
              actions={[
                <Button key="pick" size="small" type="primary" onClick={() => onPick(c, serial)}>
                  {t("assistant.useCertificate")}
                </Button>,
              ]}
            >
              <Space orientation="vertical" size={0}>
                <Text>{c.subject.replace(/\n/g, ", ")}</Text>
                <Text type="secondary">
                  {t("assistant.certIssuer", { issuer: c.issuer.replace(/\n/g, ", ") })} ·{" "}
                  {t("assistant.certUntil", { at: formatDateTime(c.notAfter) })}
                </Text>
              </Space>
            </List.Item>
          )}
        />
      ) : null}
    </Space>
  );
}

/** Reads a certificate from the inserted medium (no PIN: certificates are public objects on a key). */
export function TokenCertificateRead({
  onPick,
}: {
  onPick: (certificate: TokenCertificateView, tokenSerial: string) => void;
}) {
  return <AssistantGate>{(client) => <CertificatesOn client={client} onPick={onPick} />}</AssistantGate>;
}
