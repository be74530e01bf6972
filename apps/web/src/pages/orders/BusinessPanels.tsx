import { DownloadOutlined, FileImageOutlined, SafetyCertificateOutlined } from "@ant-design/icons";
import { Alert, App, Button, Card, Space, Typography } from "antd";
import { useState } from "react";
import { errorDetail } from "../../api/client";
import { esealPngUrl, getEseal, type OrderDetail, type OrderItemView, payZero } from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { formatDateTime } from "../../lib/time";
import { TokenUnlock } from "../assistant/TokenUnlock";
import { tokenUnlockCommand } from "../business/logic";
import { KeyChoiceNotice } from "./BusinessItemDetails";
import { isUnlocked, unlockCodeNotice } from "./logic";
import { saveText } from "./OnlineUpdatePanel";

const { Text, Paragraph } = Typography;

/** 解锁 and 注销: 「支付（不扣款）」 records the zero-amount payment and moves the order on. */
export function ZeroPaymentPanel({ order, onChanged }: { order: OrderDetail; onChanged: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const [busy, setBusy] = useState(false);
  if (!order.actions.includes("pay")) return null;

  async function pay() {
    setBusy(true);
    try {
      await payZero(order.id, order.version);
      message.success(t("biz.zeroPaid"));
      onChanged();
    } catch (err) {
      onError(err);
      onChanged();
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={t("pay.title")} style={{ marginBottom: 16 }}>
      <Paragraph>{t("biz.zeroPayText")}</Paragraph>
      <Button type="primary" size="large" block loading={busy} onClick={pay}>
        {t("biz.payZero")}
      </Button>
    </Card>
  );
}

/** Before paying a 延期: what each chosen key option means (DESIGN §4), once per choice. */
export function RenewKeyNotices({ order }: { order: OrderDetail }) {
  const { t } = useI18n();
  const choices = [
    ...new Set(
      order.items.flatMap((i) => (typeof i.details?.keepKey === "boolean" ? [i.details.keepKey] : [])),
    ),
  ];
  if (choices.length === 0) return null;
  return (
    <Card title={t("biz.keyNoticeTitle")} style={{ marginBottom: 16 }}>
      <Space orientation="vertical" style={{ width: "100%" }}>
        {choices.map((keep) => (
          <KeyChoiceNotice key={String(keep)} keepKey={keep} />
        ))}
      </Space>
    </Card>
  );
}

/** 电子签章 enabled: the package for the signing client (certificate, seal image, name, kind) and the PNG. */
export function EsealPanel({
  order,
  item,
  onChanged,
}: {
  order: OrderDetail;
  item: OrderItemView;
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const serial = item.targetSerial;
  if (!serial) return null;

  async function download() {
    setBusy(true);
    setError(null);
    try {
      const pkg = await getEseal(serial!);
      saveText(`${JSON.stringify(pkg, null, 2)}\n`, `eseal-${serial}.json`, "application/json");
      // The first download of a ready order completes it.
      onChanged();
    } catch (err) {
      setError(errorDetail(err));
    } finally {
      setBusy(false);
    }
  }

  const sealName = typeof item.details?.sealName === "string" ? item.details.sealName : "";
  return (
    <Card
      title={`${t("biz.eseal.title")} · ${item.subject.name}`}
      style={{ marginBottom: 16 }}
      extra={<SafetyCertificateOutlined />}
    >
      <Paragraph>
        {order.state === "completed"
          ? t("biz.eseal.readyDone", { name: sealName })
          : t("biz.eseal.ready", { name: sealName })}
      </Paragraph>
      {error ? <Alert type="error" showIcon style={{ marginBottom: 12 }} title={error} /> : null}
      <Space wrap>
        <Button type="primary" icon={<DownloadOutlined />} loading={busy} onClick={download}>
          {t("biz.eseal.downloadPackage")}
        </Button>
        <a
          href={esealPngUrl(serial)}
          download={`eseal-${serial}.png`}
          onClick={() => setTimeout(onChanged, 1500)}
        >
          <Button icon={<FileImageOutlined />}>{t("biz.eseal.downloadPng")}</Button>
        </a>
      </Space>
    </Card>
  );
}

/** 解锁: the code comes by SMS from the window; 证书助手 (or the command-line client) does the rest. */
export function UnlockPanel({ order, onChanged }: { order: OrderDetail; onChanged?: () => void }) {
  const { t } = useI18n();
  const notice = unlockCodeNotice(order.items);
  const done = order.items.filter(isUnlocked).length;
  return (
    <Card title={t("biz.unlock.title")} style={{ marginBottom: 16 }}>
      <Space orientation="vertical" style={{ width: "100%" }}>
        {done > 0 ? (
          <Alert
            type="success"
            showIcon
            title={t("biz.unlock.doneCount", { n: done, total: order.items.length })}
            description={order.items
              .filter(isUnlocked)
              .map(
                (i) =>
                  `${i.subject.name}（${i.mediaSerial ?? "—"}）${formatDateTime(String(i.details?.unlockedAt))}`,
              )
              .join("；")}
          />
        ) : null}
        {notice ? (
          <>
            <Alert
              type="info"
              showIcon
              title={
                notice.kind === "sent"
                  ? t("biz.unlock.smsSent", { at: formatDateTime(notice.at) })
                  : t("biz.unlock.smsLater")
              }
              description={t("biz.unlock.smsTo", { phone: order.handler.phone })}
            />
            {done < order.items.length ? <TokenUnlock onDone={() => onChanged?.()} /> : null}
            <Text type="secondary">{t("assistant.unlockCli")}</Text>
            <Text>{t("biz.unlock.runCommand")}</Text>
            <Paragraph
              code
              copyable={{ text: tokenUnlockCommand(window.location.origin) }}
              style={{ marginBottom: 0, wordBreak: "break-all" }}
            >
              {tokenUnlockCommand(window.location.origin)}
            </Paragraph>
            <Text type="secondary">{t("biz.unlock.hint")}</Text>
          </>
        ) : null}
      </Space>
    </Card>
  );
}
