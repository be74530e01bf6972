import { stepAllowed } from "@certhall/domain";
import { useQuery } from "@tanstack/react-query";
import { App, Button, Card, Checkbox, Space, Typography } from "antd";
import { useEffect, useState } from "react";
import { getMaterials, receiveMaterials, saveMaterials } from "../../api/staff-orders";
import { useI18n } from "../../app/i18n";
import { formatDateTime } from "../../lib/time";
import { OriginalsCheck } from "../materials/OriginalsCheck";
import type { StepProps } from "./ItemCardShell";
import { sameSet } from "./workbench-rules";

/** The materials checklist of the order's business and subject kind (packages/domain materials.ts). */
export function MaterialsCard({ order, onDone, onError }: StepProps) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const open = stepAllowed(order, "receive_materials");
  const q = useQuery({
    queryKey: ["admin", "materials", order.id],
    queryFn: () => getMaterials(order.id),
    enabled: open || order.state === "processing" || order.state === "completed",
  });
  const [ticked, setTicked] = useState<string[]>([]);
  const [busy, setBusy] = useState<"save" | "receive" | null>(null);
  const serverTicked = q.data?.materials.filter((m) => m.received).map((m) => m.code);

  // The server's ticks replace local ones whenever they change (a save, a refresh after a 409); the
  // joined codes are the identity of the set, so a refetch with the same ticks keeps local edits.
  const serverKey = serverTicked?.join(",");
  useEffect(() => {
    if (serverKey !== undefined) setTicked(serverKey ? serverKey.split(",") : []);
  }, [serverKey]);

  if (!q.data) return null;
  const m = q.data;
  const all = m.materials.map((x) => x.code);
  const missing = all.filter((c) => !ticked.includes(c)).length;

  async function save() {
    setBusy("save");
    try {
      await saveMaterials(order.id, m.version, ticked);
      message.success(t("wb.ticksSaved"));
      await onDone();
    } catch (err) {
      await onError(err);
    } finally {
      setBusy(null);
    }
  }

  async function receive() {
    setBusy("receive");
    try {
      // Ticks not yet saved are saved first: `receive` checks the stored set, with the version it bumped.
      const version = sameSet(ticked, serverTicked ?? [])
        ? m.version
        : (await saveMaterials(order.id, m.version, ticked)).version;
      await receiveMaterials(order.id, version);
      message.success(t("wb.received"));
      await onDone();
    } catch (err) {
      await onError(err);
    } finally {
      setBusy(null);
    }
  }

  return (
    <Card
      size="small"
      title={t("wb.materials")}
      extra={open ? <Typography.Text type="secondary">{t("wb.materialsHint")}</Typography.Text> : null}
    >
      <Checkbox.Group
        value={ticked}
        disabled={!open || busy !== null}
        onChange={(v) => setTicked(v as string[])}
        style={{ display: "flex", flexDirection: "column", gap: 8 }}
      >
        {m.materials.map((x) => (
          <Checkbox key={x.code} value={x.code}>
            {x.labelZh}
            {x.received && x.receivedAt ? (
              <Typography.Text type="secondary" style={{ fontSize: 12, marginLeft: 8 }}>
                {formatDateTime(x.receivedAt)}
                {x.receivedBy ? ` · ${x.receivedBy}` : ""}
              </Typography.Text>
            ) : null}
          </Checkbox>
        ))}
      </Checkbox.Group>
      {open ? (
        <Space wrap style={{ marginTop: 16 }}>
          <Button loading={busy === "save"} disabled={sameSet(ticked, serverTicked ?? [])} onClick={save}>
            {t("wb.saveTicks")}
          </Button>
          <Button type="primary" loading={busy === "receive"} disabled={missing > 0} onClick={receive}>
            {t("wb.receiveAll")}
          </Button>
          {missing > 0 ? (
            <Typography.Text type="secondary">{t("wb.notAllTicked", { n: missing })}</Typography.Text>
          ) : null}
        </Space>
      ) : null}
      <OriginalsCheck orderId={order.id} open={open || order.state === "processing"} />
    </Card>
  );
}
