import { UnlockOutlined } from "@ant-design/icons";
import { Alert, Button, Form, Input } from "antd";
import { useState } from "react";
import { useI18n } from "../../app/i18n";
import type { AssistantClient } from "../../lib/assistant";
import { AssistantGate, assistantMessage, PinInput, TokenSelect } from "./AssistantGate";

/**
 * Remote 解锁: the person types the unlock code from the SMS and a new PIN; the assistant asks this
 * portal for the key's SO PIN with the code, sets the new PIN on the key and reports done. The SO PIN
 * stays inside the assistant; this page never sees it.
 */
function UnlockOnToken({ client, onDone }: { client: AssistantClient; onDone: () => void }) {
  const { t } = useI18n();
  const [serial, setSerial] = useState<string>();
  const [code, setCode] = useState("");
  const [pin, setPin] = useState("");
  const [again, setAgain] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const mismatch = again.length > 0 && again !== pin;

  async function run() {
    if (!serial || mismatch) return;
    setBusy(true);
    setError(null);
    try {
      await client.unlock({ tokenSerial: serial, code: code.trim(), newPin: pin });
      setPin("");
      setAgain("");
      setCode("");
      setDone(true);
      onDone();
    } catch (err) {
      setError(assistantMessage(err));
    } finally {
      setBusy(false);
    }
  }

  if (done) return <Alert type="success" showIcon title={t("assistant.unlocked")} />;
  return (
    <Form layout="vertical" requiredMark={false} onFinish={run}>
      <TokenSelect client={client} value={serial} onChange={setSerial} />
      <Form.Item label={t("assistant.unlockCode")} htmlFor="unlock-code" style={{ marginBottom: 8 }}>
        <Input
          id="unlock-code"
          value={code}
          autoComplete="off"
          maxLength={200}
          style={{ maxWidth: 420 }}
          onChange={(e) => setCode(e.target.value)}
        />
      </Form.Item>
      <PinInput id="unlock-new-pin" label={t("assistant.newPin")} value={pin} onChange={setPin} />
      <PinInput
        id="unlock-new-pin-again"
        label={t("assistant.newPinAgain")}
        value={again}
        onChange={setAgain}
        error={mismatch ? t("assistant.pinMismatch") : undefined}
      />
      {error ? <Alert type="error" showIcon style={{ marginBottom: 8 }} title={error} /> : null}
      <Button
        type="primary"
        htmlType="submit"
        icon={<UnlockOutlined />}
        loading={busy}
        disabled={!serial || !code.trim() || pin.length < 4 || again !== pin}
      >
        {t("assistant.unlockStart")}
      </Button>
    </Form>
  );
}

export function TokenUnlock({ onDone }: { onDone: () => void }) {
  return <AssistantGate>{(client) => <UnlockOnToken client={client} onDone={onDone} />}</AssistantGate>;
}
