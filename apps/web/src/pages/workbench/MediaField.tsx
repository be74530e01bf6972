import { App, Button, Form, Input, Space } from "antd";
import { useEffect, useState } from "react";
import { MEDIA_SERIAL, type OrderItem, recordMedia, type StaffOrderDetail } from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";

/** The USB key (介质) serial of an item: typed or scanned, saved on its own. */
export function MediaField({
  order,
  item,
  editable,
  onDone,
  onError,
}: {
  order: StaffOrderDetail;
  item: OrderItem;
  editable: boolean;
  onDone: () => Promise<void>;
  onError: (err: unknown) => Promise<void>;
}) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [media, setMedia] = useState(item.mediaSerial ?? "");
  // The serial may also be recorded from the key itself (证书助手 in TokenIssue): show what was saved.
  useEffect(() => setMedia(item.mediaSerial ?? ""), [item.mediaSerial]);
  const [busy, setBusy] = useState(false);
  const mediaOk = MEDIA_SERIAL.test(media.trim());

  async function saveMedia() {
    setBusy(true);
    try {
      await recordMedia(order.id, item.id, media.trim());
      message.success(t("wb.mediaSaved"));
      await onDone();
    } catch (err) {
      await onError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Form.Item
      label={t("wb.media")}
      // The item is not a form field (no name), so the label is tied to the input by id.
      htmlFor={`media-${item.id}`}
      validateStatus={media && !mediaOk ? "error" : undefined}
      help={media && !mediaOk ? t("wb.mediaRule") : undefined}
    >
      <Space.Compact style={{ width: "100%", maxWidth: 420 }}>
        <Input
          id={`media-${item.id}`}
          value={media}
          onChange={(e) => setMedia(e.target.value)}
          placeholder={t("wb.mediaPlaceholder")}
          maxLength={64}
          disabled={!editable}
          onPressEnter={() => mediaOk && void saveMedia()}
        />
        <Button
          onClick={saveMedia}
          loading={busy}
          disabled={!editable || !mediaOk || media.trim() === (item.mediaSerial ?? "")}
        >
          {t("common.save")}
        </Button>
      </Space.Compact>
    </Form.Item>
  );
}
