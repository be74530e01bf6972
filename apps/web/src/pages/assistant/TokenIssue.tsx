import { UsbOutlined } from "@ant-design/icons";
import { Alert, Button, Form, Typography } from "antd";
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
import { AssistantGate, PinInput, TokenSelect } from "./AssistantGate";
import { useIssueOnToken } from "./useIssueOnToken";

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
  const { serial, setSerial, pin, setPin, busy, error, issued, run } = useIssueOnToken(client, {
    request: { subject: { commonName: csrCommonName(item.subject.name) } },
    // The medium serial is the key's own, read from it.
    before: async (tokenSerial) => {
      if ((item.mediaSerial ?? "").toUpperCase() !== tokenSerial.toUpperCase()) {
        await recordMedia(order.id, item.id, tokenSerial);
      }
    },
    issue: async (csrPem) => (await issueItem(order.id, item.id, csrPem)).certificate,
    pemOf: (c) => c.certificatePem,
    onDone: onIssued,
  });

  return (
    <Form layout="vertical" requiredMark={false} onFinish={run} component="div">
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {t("assistant.issueIntro")}
      </Typography.Paragraph>
      <TokenSelect client={client} value={serial} onChange={setSerial} />
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
