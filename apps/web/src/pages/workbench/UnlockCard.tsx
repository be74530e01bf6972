import { KeyOutlined } from "@ant-design/icons";
import { stepAllowed } from "@certhall/domain";
import { Alert, App, Button, Form, Popconfirm, Space, Typography } from "antd";
import { useState } from "react";
import { createUnlockCode, getSoPin, markUnlockedAtWindow, type OrderItem } from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";
import { formatDateTime } from "../../lib/time";
import { ItemCard, PerItemCard, type StepProps } from "./ItemCardShell";
import { MediaField } from "./MediaField";
import { unlockOf } from "./workbench-rules";

/**
 * 解锁: per key, either 「发放解锁授权码」 (the one-time code is shown here once and sent by SMS; the
 * applicant's token client does the rest and the order completes itself), or 「已在窗口解锁」, which
 * shows the key's SO PIN to the clerk (audited by the server).
 */
export function UnlockCard({ order, onDone, onError }: StepProps) {
  const { t } = useI18n();
  return (
    <PerItemCard
      order={order}
      title={t("wb.unlockSection")}
      renderItem={(item, index) => (
        <UnlockItem key={item.id} index={index} order={order} item={item} onDone={onDone} onError={onError} />
      )}
    />
  );
}

function UnlockItem({ index, order, item, onDone, onError }: StepProps & { index: number; item: OrderItem }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [code, setCode] = useState<{ code: string; expiresAt: string } | null>(null);
  const [soPin, setSoPin] = useState<string | null>(null);
  const [busy, setBusy] = useState<"code" | "window" | "pin" | null>(null);
  const unlocked = unlockOf(item);
  const editable = stepAllowed(order, "unlock") && !unlocked;
  const serial = item.mediaSerial ?? "";

  async function step(which: "code" | "window" | "pin", run: () => Promise<void>) {
    setBusy(which);
    try {
      await run();
    } catch (err) {
      await onError(err);
    } finally {
      setBusy(null);
    }
  }

  const issueCode = () =>
    step("code", async () => {
      setCode(await createUnlockCode(order.id, item.id));
    });

  const showPin = () =>
    step("pin", async () => {
      setSoPin((await getSoPin(order.id, item.id)).soPin);
    });

  const unlockHere = () =>
    step("window", async () => {
      const { unlock } = await markUnlockedAtWindow(order.id, item.id);
      setCode(null);
      setSoPin((await getSoPin(order.id, item.id)).soPin);
      message.success(t("wb.unlockedWindow", { at: formatDateTime(unlock.unlockedAt) }));
      await onDone();
    });

  return (
    <ItemCard
      index={index}
      item={item}
      done={
        unlocked
          ? t(unlocked.via === "window" ? "wb.unlockedWindow" : "wb.unlockedOnline", {
              at: formatDateTime(unlocked.at),
            })
          : null
      }
    >
      <Form layout="vertical" requiredMark={false}>
        <MediaField order={order} item={item} editable={editable} onDone={onDone} onError={onError} />
      </Form>
      {!serial && editable ? <Alert type="info" showIcon title={t("wb.unlockNeedsMedia")} /> : null}
      {serial && editable ? (
        <Space wrap>
          {code ? (
            <Popconfirm title={t("wb.unlockCodeAgainConfirm")} onConfirm={issueCode}>
              <Button loading={busy === "code"}>{t("wb.unlockCodeAgain")}</Button>
            </Popconfirm>
          ) : (
            <Button type="primary" icon={<KeyOutlined />} loading={busy === "code"} onClick={issueCode}>
              {t("wb.unlockCode")}
            </Button>
          )}
          <Popconfirm title={t("wb.unlockAtWindowConfirm", { serial })} onConfirm={unlockHere}>
            <Button loading={busy === "window"}>{t("wb.unlockAtWindow")}</Button>
          </Popconfirm>
        </Space>
      ) : null}
      {code && editable ? (
        <Alert
          style={{ marginTop: 12 }}
          type="warning"
          showIcon
          title={t("wb.unlockCodeTitle")}
          description={
            <Space orientation="vertical" size={4}>
              <Typography.Text code copyable style={{ fontSize: 18, letterSpacing: 1 }}>
                {code.code}
              </Typography.Text>
              <span>{t("wb.unlockCodeExpires", { at: formatDateTime(code.expiresAt), serial })}</span>
              <span>
                {t("wb.unlockCodeHint")}
                <Typography.Text code copyable>
                  {`certhall token unlock --url ${window.location.origin} --code ${code.code} --new-pin …`}
                </Typography.Text>
              </span>
            </Space>
          }
        />
      ) : null}
      {unlocked?.via === "window" && stepAllowed(order, "unlock") && !soPin ? (
        <Button style={{ marginTop: 12 }} loading={busy === "pin"} onClick={showPin}>
          {t("wb.showSoPin")}
        </Button>
      ) : null}
      {soPin ? (
        <Alert
          style={{ marginTop: 12 }}
          type="info"
          showIcon
          title={t("wb.soPin")}
          description={
            <Space orientation="vertical" size={4}>
              <Typography.Text code copyable style={{ fontSize: 18, letterSpacing: 1 }}>
                {soPin}
              </Typography.Text>
              <Typography.Text type="secondary">{t("wb.soPinHint")}</Typography.Text>
            </Space>
          }
          closable
          onClose={() => setSoPin(null)}
        />
      ) : null}
    </ItemCard>
  );
}
