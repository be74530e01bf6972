import { CloudSyncOutlined } from "@ant-design/icons";
import { Alert, Button, Form, Space, Typography } from "antd";
import {
  type OnlineUpdateResult,
  type OrderDetail,
  type OrderItemView,
  onlineUpdate,
} from "../../api/orders";
import { useI18n } from "../../app/i18n";
import type { AssistantClient } from "../../lib/assistant";
import { csrCommonName } from "../business/logic";
import { AssistantGate, PinInput, TokenSelect } from "./AssistantGate";
import { useIssueOnToken } from "./useIssueOnToken";

const { Paragraph } = Typography;

/**
 * 证书在线更新 onto the USB key in one click: the assistant signs the request on the key (the kept
 * key, found by the old certificate, or a new pair made on the key), the portal issues, and the
 * assistant writes the new certificate beside its key. The order completes with the issue.
 */
function RenewOnToken({
  client,
  order,
  item,
  keepKey,
  onDone,
}: {
  client: AssistantClient;
  order: OrderDetail;
  item: OrderItemView;
  keepKey: boolean;
  onDone: (r: OnlineUpdateResult) => void;
}) {
  const { t } = useI18n();
  const { serial, setSerial, pin, setPin, busy, error, issued, run } = useIssueOnToken(client, {
    request:
      keepKey && item.targetSerial
        ? { keyOfCertificate: item.targetSerial }
        : { subject: { commonName: csrCommonName(item.subject.name) } },
    issue: (csrPem) => onlineUpdate(order.id, item.id, csrPem),
    pemOf: (r) => r.certificatePem,
    replace: keepKey,
    onDone,
  });

  return (
    <Form layout="vertical" requiredMark={false} onFinish={run}>
      <Paragraph style={{ marginBottom: 8 }}>
        {keepKey ? t("assistant.renewKeep") : t("assistant.renewRekey")}
      </Paragraph>
      <TokenSelect client={client} value={serial} onChange={setSerial} />
      <PinInput id={`renew-pin-${item.id}`} label={t("assistant.pin")} value={pin} onChange={setPin} />
      {error ? (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 8 }}
          title={issued ? t("assistant.writeFailed") : t("biz.renew.failed")}
          description={error}
        />
      ) : null}
      <Space>
        <Button
          type="primary"
          htmlType="submit"
          icon={<CloudSyncOutlined />}
          loading={busy}
          disabled={!serial || pin.length === 0}
        >
          {issued ? t("assistant.writeAgain") : t("assistant.renewStart")}
        </Button>
      </Space>
    </Form>
  );
}

export function TokenRenew(props: {
  order: OrderDetail;
  item: OrderItemView;
  keepKey: boolean;
  onDone: (r: OnlineUpdateResult) => void;
}) {
  return <AssistantGate>{(client) => <RenewOnToken client={client} {...props} />}</AssistantGate>;
}
