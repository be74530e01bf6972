import { ReloadOutlined, UsbOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Form, Input, Select, Space, Spin, Tag, Typography } from "antd";
import { type ReactNode, useEffect, useState } from "react";
import { Link } from "react-router";
import { errorDetail } from "../../api/client";
import { useI18n } from "../../app/i18n";
import {
  AssistantCallError,
  type AssistantClient,
  type AssistantHello,
  assistantClient,
  locateAssistant,
  type Reader,
} from "../../lib/assistant";

const { Text } = Typography;

/** The assistant's own Chinese message, or the server's problem detail. */
export const assistantMessage = (err: unknown) =>
  err instanceof AssistantCallError ? err.message : errorDetail(err);

/** Where the assistant runs and whether this page is paired with it; shared by every panel. */
export function useAssistant() {
  return useQuery({
    queryKey: ["assistant", "locate"],
    queryFn: locateAssistant,
    retry: false,
    refetchOnWindowFocus: false,
    staleTime: 30_000,
  });
}

/** The pairing step: the assistant shows a code on its own screen, the person types it here. */
function Pairing({ base, onPaired }: { base: string; onPaired: () => void }) {
  const { t } = useI18n();
  const [pairingId, setPairingId] = useState<string | null>(null);
  const [code, setCode] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const client = assistantClient(base);

  async function run(step: () => Promise<void>) {
    setBusy(true);
    setError(null);
    try {
      await step();
    } catch (err) {
      setError(assistantMessage(err));
      if (err instanceof AssistantCallError && err.code !== "PAIRING_CODE_WRONG") setPairingId(null);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Alert
      type="info"
      showIcon
      title={t("assistant.pairTitle")}
      description={
        <Space orientation="vertical" style={{ width: "100%" }}>
          <Text>{pairingId ? t("assistant.pairEnter") : t("assistant.pairIntro")}</Text>
          {error ? <Text type="danger">{error}</Text> : null}
          {pairingId ? (
            <Space.Compact style={{ maxWidth: 320 }}>
              <Input
                aria-label={t("assistant.pairCode")}
                placeholder={t("assistant.pairCode")}
                value={code}
                maxLength={6}
                inputMode="numeric"
                onChange={(e) => setCode(e.target.value.replace(/\D/g, ""))}
                onPressEnter={() =>
                  code.length === 6 && void run(() => client.pair(code, pairingId).then(onPaired))
                }
              />
              <Button
                type="primary"
                loading={busy}
                disabled={code.length !== 6}
                onClick={() => run(() => client.pair(code, pairingId).then(onPaired))}
              >
                {t("assistant.pairConfirm")}
              </Button>
            </Space.Compact>
          ) : (
            <Button
              type="primary"
              loading={busy}
              onClick={() => run(async () => setPairingId((await client.startPairing()).pairingId))}
            >
              {t("assistant.pairStart")}
            </Button>
          )}
        </Space>
      }
    />
  );
}

/**
 * Shows what is missing (the assistant, the pairing) until the assistant is usable, then the children.
 * `compact` leaves out the install hint for the window PC, where IT installs the assistant.
 */
export function AssistantGate({
  children,
}: {
  children: (client: AssistantClient, hello: AssistantHello) => ReactNode;
}) {
  const { t } = useI18n();
  const located = useAssistant();
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["assistant"] });

  if (located.isLoading) return <Spin description={t("assistant.searching")} />;
  if (located.isError || !located.data) {
    return (
      <Alert
        type="warning"
        showIcon
        title={located.isError ? assistantMessage(located.error) : t("assistant.missing")}
        description={
          <Space wrap>
            <Text>{t("assistant.missingText")}</Text>
            <Link to="/assistant">{t("assistant.selfCheckLink")}</Link>
            <Button size="small" icon={<ReloadOutlined />} onClick={() => void located.refetch()}>
              {t("common.retry")}
            </Button>
          </Space>
        }
      />
    );
  }
  const { base, hello } = located.data;
  if (!hello.paired) return <Pairing base={base} onPaired={() => void refresh()} />;
  return <>{children(assistantClient(base), hello)}</>;
}

export function tokenText(reader: Reader): string {
  const token = reader.token!;
  return `${token.label}（${token.serialNumber}）`;
}

/** The inserted USB keys; picks the only one by itself. */
export function TokenSelect({
  client,
  value,
  onChange,
}: {
  client: AssistantClient;
  value: string | undefined;
  onChange: (serial: string | undefined, reader?: Reader) => void;
}) {
  const { t } = useI18n();
  const readers = useQuery({
    queryKey: ["assistant", "readers", client.base],
    queryFn: () => client.readers(),
    retry: false,
  });
  const withTokens = (readers.data ?? []).filter((r) => r.token);
  useEffect(() => {
    if (withTokens.length === 1 && value !== withTokens[0]!.token!.serialNumber) {
      onChange(withTokens[0]!.token!.serialNumber, withTokens[0]);
    }
    if (value && readers.data && !withTokens.some((r) => r.token!.serialNumber === value))
      onChange(undefined);
  });
  return (
    <Form.Item label={t("assistant.token")} htmlFor="assistant-token" style={{ marginBottom: 8 }}>
      <Space.Compact style={{ width: "100%", maxWidth: 520 }}>
        <Select
          id="assistant-token"
          aria-label={t("assistant.token")}
          loading={readers.isLoading}
          value={value}
          placeholder={readers.isError ? assistantMessage(readers.error) : t("assistant.insertToken")}
          notFoundContent={t("assistant.noToken")}
          onChange={(serial) =>
            onChange(
              serial,
              withTokens.find((r) => r.token!.serialNumber === serial),
            )
          }
          options={withTokens.map((r) => ({
            value: r.token!.serialNumber,
            label: (
              <Space>
                <UsbOutlined />
                {tokenText(r)}
                {r.token!.pinLocked ? <Tag color="red">{t("assistant.locked")}</Tag> : null}
              </Space>
            ),
          }))}
        />
        <Button
          icon={<ReloadOutlined />}
          onClick={() => void readers.refetch()}
          aria-label={t("assistant.refresh")}
        />
      </Space.Compact>
    </Form.Item>
  );
}

/** The USB key PIN: kept in this component's state for one action, sent to the assistant only. */
export function PinInput({
  value,
  onChange,
  label,
  id,
  error,
}: {
  value: string;
  onChange: (pin: string) => void;
  label: string;
  id: string;
  /** A message under the field (e.g. the two new PINs differ). */
  error?: string;
}) {
  return (
    <Form.Item
      label={label}
      htmlFor={id}
      validateStatus={error ? "error" : undefined}
      help={error}
      style={{ marginBottom: 8 }}
    >
      <Input.Password
        id={id}
        value={value}
        autoComplete="off"
        maxLength={64}
        style={{ maxWidth: 320 }}
        onChange={(e) => onChange(e.target.value)}
      />
    </Form.Item>
  );
}
