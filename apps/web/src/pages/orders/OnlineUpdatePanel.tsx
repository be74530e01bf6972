import { CloudSyncOutlined, DownloadOutlined, KeyOutlined, UsbOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Collapse, Descriptions, Segmented, Space, Spin, Typography } from "antd";
import { useState } from "react";
import { errorDetail } from "../../api/client";
import {
  certificateDownloadUrl,
  fetchCertificatePem,
  type OnlineUpdateResult,
  type OrderDetail,
  type OrderItemView,
  onlineUpdate,
  requestUpdateCode,
} from "../../api/orders";
import { useI18n } from "../../app/i18n";
import {
  buildCsrPem,
  createIndexedDbKeyStore,
  findKeyForCertificate,
  generateUpdateKey,
  isOnlineUpdateSupported,
  OnlineUpdateError,
  requestPersistentKeyStorage,
} from "../../lib/online-update";
import { formatSerial } from "../../lib/serial";
import { formatDateTime } from "../../lib/time";
import { TokenRenew } from "../assistant/TokenRenew";
import {
  browserUpdatePlan,
  certificateFileName,
  csrCommonName,
  pendingKeyId,
  renewedPemFile,
  tokenRenewCommand,
} from "../business/logic";
import { KeyChoiceNotice } from "./BusinessItemDetails";

const { Text, Paragraph } = Typography;

function problemText(err: unknown): string {
  return err instanceof OnlineUpdateError ? err.message : errorDetail(err);
}

/** Saves text as a file through a temporary link (the certificate never leaves the browser otherwise). */
export function saveText(text: string, fileName: string, type = "application/x-pem-file") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The self-check, once per page view: can this browser make, use and keep a key? */
function useSupport() {
  return useQuery({
    queryKey: ["online-update", "support"],
    queryFn: () => isOnlineUpdateSupported(),
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
}

/** Keep-key needs the old certificate's private key in this browser's key store: is it there? */
function useOldKey(serial: string | null | undefined, enabled: boolean) {
  return useQuery({
    queryKey: ["online-update", "old-key", serial],
    enabled: enabled && !!serial,
    retry: false,
    queryFn: async () => {
      const pem = await fetchCertificatePem(serial!);
      const key = await findKeyForCertificate(createIndexedDbKeyStore(), pem);
      return key ? { id: key.id } : null;
    },
  });
}

function Renewed({ result, onToken }: { result: OnlineUpdateResult; onToken: boolean }) {
  const { t } = useI18n();
  return (
    <Alert
      type="success"
      showIcon
      title={t("biz.renew.done")}
      description={
        <Space orientation="vertical" size={8}>
          <Descriptions size="small" column={1}>
            <Descriptions.Item label={t("biz.newSerial")}>
              <Text code copyable={{ text: result.serialHex }} style={{ fontSize: 12 }}>
                {formatSerial(result.serialHex)}
              </Text>
            </Descriptions.Item>
            <Descriptions.Item label={t("biz.renew.validUntil")}>
              {formatDateTime(result.notAfter)}
            </Descriptions.Item>
          </Descriptions>
          <Button
            type="primary"
            icon={<DownloadOutlined />}
            onClick={() => saveText(renewedPemFile(result), certificateFileName(result.serialHex))}
          >
            {t("biz.renew.download")}
          </Button>
          <Text type="secondary">{onToken ? t("assistant.renewOnToken") : t("biz.renew.keyKept")}</Text>
        </Space>
      }
    />
  );
}

/** In this browser: the kept key from the key store, or a new non-extractable P-256 key. */
function BrowserUpdate({
  order,
  item,
  keepKey,
  onDone,
  onUseToken,
}: {
  order: OrderDetail;
  item: OrderItemView;
  keepKey: boolean;
  onDone: (r: OnlineUpdateResult) => void;
  onUseToken: () => void;
}) {
  const { t } = useI18n();
  const support = useSupport();
  const oldKey = useOldKey(item.targetSerial, keepKey && support.data?.supported === true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const plan = browserUpdatePlan({
    supported: support.isError ? false : support.data?.supported,
    keepKey,
    oldKeyFound: oldKey.isError ? false : oldKey.isSuccess ? oldKey.data !== null : undefined,
  });

  async function update() {
    setBusy(true);
    setError(null);
    try {
      const store = createIndexedDbKeyStore();
      const label = item.subject.name;
      let keyPair: CryptoKeyPair;
      let pending: string | null = null;
      if (keepKey) {
        const stored = oldKey.data ? await store.loadKey(oldKey.data.id) : null;
        if (!stored) throw new OnlineUpdateError("KEY_STORE", t("biz.renew.oldKeyGone"));
        keyPair = stored.keyPair;
      } else {
        keyPair = await generateUpdateKey();
        // Kept before the request goes out: a certificate granted for a key we then lost would be useless.
        pending = pendingKeyId(order.id, item.id);
        await store.saveKey(pending, keyPair, {
          label,
          orderId: order.id,
          certificateSerial: item.targetSerial ?? undefined,
          pending: true,
        });
      }
      const csrPem = await buildCsrPem(keyPair, { cn: csrCommonName(item.subject.name) });
      const result = await onlineUpdate(order.id, item.id, csrPem);
      await store.saveKey(result.serialHex, keyPair, {
        label,
        orderId: order.id,
        certificateSerial: result.serialHex,
        renewedFrom: item.targetSerial ?? undefined,
      });
      if (pending) await store.deleteKey(pending);
      void requestPersistentKeyStorage();
      onDone(result);
    } catch (err) {
      setError(problemText(err));
    } finally {
      setBusy(false);
    }
  }

  if (plan === "checking") return <Spin description={t("biz.renew.checking")} />;
  if (plan === "unsupported") {
    const missing = support.data?.missing ?? [t("biz.renew.checkFailed")];
    return (
      <Alert
        type="warning"
        showIcon
        title={t("biz.renew.unsupported")}
        description={
          <>
            <ul style={{ paddingInlineStart: 18, margin: "4px 0" }}>
              {missing.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
            <Button size="small" onClick={onUseToken}>
              {t("biz.renew.useToken")}
            </Button>
          </>
        }
      />
    );
  }
  if (plan === "no_old_key") {
    return (
      <Alert
        type="warning"
        showIcon
        title={t("biz.renew.noOldKey")}
        description={
          <>
            <Paragraph style={{ marginBottom: 8 }}>{t("biz.renew.noOldKeyText")}</Paragraph>
            <Button size="small" type="primary" onClick={onUseToken}>
              {t("biz.renew.useToken")}
            </Button>
          </>
        }
      />
    );
  }
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Paragraph style={{ marginBottom: 0 }}>
        {keepKey ? t("biz.renew.browserKeep") : t("biz.renew.browserRekey")}
      </Paragraph>
      {error ? <Alert type="error" showIcon title={t("biz.renew.failed")} description={error} /> : null}
      <Button type="primary" icon={<CloudSyncOutlined />} loading={busy} onClick={update}>
        {t("biz.renew.start")}
      </Button>
    </Space>
  );
}

/** The advanced fallback without the assistant: a one-time code and the exact command-line call. */
function TokenUpdate({
  order,
  item,
  keepKey,
}: {
  order: OrderDetail;
  item: OrderItemView;
  keepKey: boolean;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [code, setCode] = useState<{ code: string; expiresAt: string } | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function issue() {
    setBusy(true);
    setError(null);
    try {
      setCode(await requestUpdateCode(order.id, item.id));
    } catch (err) {
      setError(errorDetail(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      <Paragraph style={{ marginBottom: 0 }}>{t("biz.renew.tokenIntro")}</Paragraph>
      {error ? <Alert type="error" showIcon title={error} /> : null}
      {code ? (
        <Alert
          type="info"
          showIcon
          icon={<KeyOutlined />}
          title={t("biz.renew.codeTitle")}
          description={
            <Space orientation="vertical" size={6} style={{ width: "100%" }}>
              <Text strong copyable style={{ fontSize: 18, letterSpacing: 1, wordBreak: "break-all" }}>
                {code.code}
              </Text>
              <Text type="secondary">
                {t("biz.renew.codeExpires", { at: formatDateTime(code.expiresAt) })}
              </Text>
              <Text>{t("biz.renew.runCommand")}</Text>
              <Paragraph
                code
                copyable={{ text: tokenRenewCommand(window.location.origin, code.code, keepKey) }}
                style={{ marginBottom: 0, wordBreak: "break-all" }}
              >
                {tokenRenewCommand(window.location.origin, code.code, keepKey)}
              </Paragraph>
              <Text type="secondary">{t("biz.renew.labelHint")}</Text>
            </Space>
          }
        />
      ) : null}
      <Button icon={<UsbOutlined />} loading={busy} onClick={issue}>
        {code ? t("biz.renew.newCode") : t("biz.renew.getCode")}
      </Button>
    </Space>
  );
}

/**
 * 【证书在线更新】 for one item of a 延期 order that is ready: in this browser, or with the USB Key
 * client by a one-time code. Once renewed: the new certificate and its download.
 */
export function OnlineUpdatePanel({
  order,
  item,
  onChanged,
}: {
  order: OrderDetail;
  item: OrderItemView;
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const keepKey = item.details?.keepKey === true;
  const [mode, setMode] = useState<"browser" | "token">("browser");
  const [result, setResult] = useState<OnlineUpdateResult | null>(null);
  const title = `${t("biz.renew.title")} · ${item.subject.name}`;

  if (result) {
    return (
      <Card title={title} style={{ marginBottom: 16 }}>
        <Renewed result={result} onToken={mode === "token"} />
      </Card>
    );
  }
  if (item.certificateSerial) {
    return (
      <Card title={title} style={{ marginBottom: 16 }}>
        <Alert
          type="success"
          showIcon
          title={t("biz.renew.alreadyDone", { serial: formatSerial(item.certificateSerial) })}
          action={
            <a href={certificateDownloadUrl(item.certificateSerial, "pem", true)} download>
              <Button size="small" icon={<DownloadOutlined />}>
                {t("wallet.pem")}
              </Button>
            </a>
          }
        />
      </Card>
    );
  }
  return (
    <Card title={title} style={{ marginBottom: 16 }}>
      <Space orientation="vertical" style={{ width: "100%" }} size={12}>
        <KeyChoiceNotice keepKey={keepKey} />
        <Segmented<"browser" | "token">
          block
          value={mode}
          onChange={setMode}
          options={[
            { value: "browser", label: t("biz.renew.inBrowser"), icon: <CloudSyncOutlined /> },
            { value: "token", label: t("biz.renew.withToken"), icon: <UsbOutlined /> },
          ]}
        />
        {mode === "browser" ? (
          <BrowserUpdate
            order={order}
            item={item}
            keepKey={keepKey}
            onUseToken={() => setMode("token")}
            onDone={(r) => {
              setResult(r);
              onChanged();
            }}
          />
        ) : (
          <Space orientation="vertical" style={{ width: "100%" }}>
            <TokenRenew
              order={order}
              item={item}
              keepKey={keepKey}
              onDone={(r) => {
                setResult(r);
                onChanged();
              }}
            />
            <Collapse
              size="small"
              ghost
              items={[
                {
                  key: "cli",
                  label: t("assistant.advancedCli"),
                  children: <TokenUpdate order={order} item={item} keepKey={keepKey} />,
                },
              ]}
            />
          </Space>
        )}
      </Space>
    </Card>
  );
}
