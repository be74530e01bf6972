import { RENEWAL_WINDOW_LIMITS } from "@certhall/domain";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Form, InputNumber, Radio } from "antd";
import { useEffect, useState } from "react";
import { getAdminSettings, type PlatformSettings, updateAdminSettings } from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";
import { useApiError } from "../../app/useApiError";
import { LoadError } from "../../components/PageLoading";

const SETTINGS_KEY = ["admin", "settings"] as const;

/**
 * 延期办理窗口 (DESIGN §4, admin-set): from how many days before expiry 延期 may be applied for. The
 * server stores it (platform_settings), audits the edit and checks the bounds; the order rules and
 * the wallet's 「即将到期」 go by it. Beside it, whether a 延期 revokes the certificate it renews
 * (superseded, the default) or keeps it valid until it expires (DESIGN §8).
 */
export function RenewalWindowCard() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const queryClient = useQueryClient();
  const q = useQuery({ queryKey: SETTINGS_KEY, queryFn: getAdminSettings });
  const [form] = Form.useForm<PlatformSettings>();
  const [saving, setSaving] = useState(false);
  const { min, max } = RENEWAL_WINDOW_LIMITS;

  useEffect(() => {
    if (q.data) form.setFieldsValue(q.data);
  }, [q.data, form]);

  async function save(v: PlatformSettings) {
    setSaving(true);
    try {
      const saved = await updateAdminSettings({
        renewalWindowDays: v.renewalWindowDays,
        renewalKeepsPredecessor: v.renewalKeepsPredecessor,
      });
      message.success(t("catalog.settingsSaved", { n: saved.renewalWindowDays }));
      await queryClient.invalidateQueries({ queryKey: SETTINGS_KEY });
      await queryClient.invalidateQueries({ queryKey: ["settings"] });
    } catch (err) {
      onError(err, form);
    } finally {
      setSaving(false);
    }
  }

  if (q.isError) return <LoadError error={q.error} onRetry={() => q.refetch()} />;
  return (
    <Card title={t("catalog.settingsTitle")} loading={q.isPending} style={{ marginTop: 16 }}>
      <Form<PlatformSettings> form={form} layout="vertical" requiredMark={false} onFinish={save}>
        <Form.Item
          name="renewalWindowDays"
          label={t("catalog.renewalWindow")}
          extra={t("catalog.renewalWindowHint", { min, max })}
          rules={[
            { required: true, message: t("common.required") },
            { type: "integer", min, max, message: t("catalog.renewalWindowHint", { min, max }) },
          ]}
        >
          <InputNumber<number>
            min={min}
            max={max}
            precision={0}
            suffix={t("catalog.days")}
            style={{ width: 160 }}
          />
        </Form.Item>
        {/* DESIGN §8: what a 延期 does to the certificate it renews (default: revoked superseded). */}
        <Form.Item
          name="renewalKeepsPredecessor"
          label={t("catalog.keepPredecessor")}
          extra={t("catalog.keepPredecessorHint")}
        >
          <Radio.Group
            options={[
              { value: false, label: t("catalog.keepPredecessorNo") },
              { value: true, label: t("catalog.keepPredecessorYes") },
            ]}
          />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={saving}>
          {t("common.save")}
        </Button>
      </Form>
    </Card>
  );
}
