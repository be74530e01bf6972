import { UsbOutlined } from "@ant-design/icons";
import { Alert, Button, Form, Typography } from "antd";
import { useState } from "react";
import {
  type IssuedCertificate,
  issueItem,
  type OrderItem,
  recordMedia,
  type StaffOrderDetail,
} from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";
import type { AssistantClient } from "../../lib/assistant";
import { csrCommonName } from "../business/logic";
import { AssistantGate, assistantMessage, PinInput, TokenSelect } from "./AssistantGate";

/**
 * The window's issue step with the applicant's new medium in the window PC's reader: the medium
 * serial is read from the key and recorded, the key pair is made on the key, the platform issues
 * from the key's request, and the certificate is written beside the key.
 */
function IssueOnToken({
  client,
  order,
  item,
  onIssued,
}: {
  client: AssistantClient;
  order: StaffOrderDetail;
  item: OrderItem;
  onIssued: (c: IssuedCertificate) => Promise<void>;
}) {
  const { t } = useI18n();
  const [serial, setSerial] = useState<string>();
  const [pin, setPin] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [issued, setIssued] = useState<IssuedCertificate | null>(null);

  async function run() {
    if (!serial) return;
    setBusy(true);
    setError(null);
    try {
      let certificate = issued;
      if (!certificate) {
        if ((item.mediaSerial ?? "").toUpperCase() !== serial.toUpperCase()) {
          await recordMedia(order.id, item.id, serial);
        }
        const csr = await client.csr({
          tokenSerial: serial,
          pin,
          subject: { commonName: csrCommonName(item.subject.name) },
        });
        certificate = (await issueItem(order.id, item.id, csr.csrPem)).certificate;
        setIssued(certificate);
      }
      await client.writeCertificate({ tokenSerial: serial, pin, certificatePem: certificate.certificatePem });
      setPin("");
      await onIssued(certificate);
    } catch (err) {
      setError(assistantMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Form layout="vertical" requiredMark={false} onFinish={run} component="div">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {t("assistant.issueIntro")}
      </Typography.Paragraph>
      <TokenSelect client={client} value={serial} onChange={(s) => setSerial(s)} />
      <PinInput id={`issue-pin-${item.id}`} label={t("assistant.pin")} value={pin} onChange={setPin} />
      {error ? (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 8 }}
          title={issued ? t("assistant.writeFailed") : error}
          description={issued ? error : undefined}
        />
      ) : null}
      <Button
        type="primary"
        icon={<UsbOutlined />}
        loading={busy}
        disabled={!serial || pin.length === 0}
        onClick={() => void run()}
      >
        {issued ? t("assistant.writeAgain") : t("assistant.issueStart")}
      </Button>
    </Form>
  );
}

export function TokenIssue(props: {
  order: StaffOrderDetail;
  item: OrderItem;
  onIssued: (c: IssuedCertificate) => Promise<void>;
}) {
  return <AssistantGate>{(client) => <IssueOnToken client={client} {...props} />}</AssistantGate>;
}
