import { type BusinessCode, REISSUE_CAUSES, type ReissueCause, revokeReasonOf } from "@certhall/domain";
import { Alert, Descriptions, Typography } from "antd";
import type { OrderItemView } from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { formatSerial } from "../../lib/serial";
import { formatDate, formatDateTime } from "../../lib/time";
import { VENDOR_RULE_TEXT } from "../business/logic";

const { Text } = Typography;

/**
 * DESIGN §4: what keeping or changing the key means for documents encrypted to the old certificate
 * (bids above all). Shown while choosing and again before paying.
 */
export function KeyChoiceNotice({
  keepKey,
  compact = false,
}: {
  keepKey: boolean | undefined;
  compact?: boolean;
}) {
  const { t } = useI18n();
  if (keepKey === undefined) {
    return compact ? null : (
      <Alert type="info" showIcon title={t("biz.keyChoose")} description={t("biz.keyChooseText")} />
    );
  }
  return (
    <Alert
      type={keepKey ? "info" : "warning"}
      showIcon
      title={keepKey ? t("biz.keepKeyTitle") : t("biz.rekeyTitle")}
      description={keepKey ? t("biz.keepKeyText") : t("biz.rekeyText")}
    />
  );
}

const str = (v: unknown): string | null => (typeof v === "string" && v ? v : null);

/** Under an order item: what this business does with it (the key choice, the seal, the changes, ...). */
export function ItemBusinessDetails({ business, item }: { business: string; item: OrderItemView }) {
  const { t } = useI18n();
  const d = item.details ?? {};
  const rows: { key: string; label: string; value: React.ReactNode }[] = [];
  const own = item.targetSerial && !item.targetSerial.startsWith("vendor:");
  if (own) {
    rows.push({
      key: "target",
      label: t("biz.targetSerial"),
      value: (
        <Text code copyable={{ text: item.targetSerial! }} style={{ fontSize: 12 }}>
          {formatSerial(item.targetSerial!)}
        </Text>
      ),
    });
  }
  switch (business as BusinessCode) {
    case "renew":
      rows.push({ key: "years", label: t("biz.renewYears"), value: t("biz.yearsN", { n: item.years }) });
      if (typeof d.keepKey === "boolean") {
        rows.push({ key: "key", label: t("biz.key"), value: d.keepKey ? t("biz.keepKey") : t("biz.rekey") });
      }
      break;
    case "eseal":
      rows.push({ key: "seal", label: t("biz.sealName"), value: str(d.sealName) ?? "—" });
      rows.push({ key: "kind", label: t("biz.sealKind"), value: str(d.sealKind) ?? "—" });
      break;
    case "change": {
      const c = (d.changes ?? {}) as Record<string, unknown>;
      const s = item.subject;
      if (str(c.name)) rows.push({ key: "name", label: t("biz.changeName"), value: `${s.name} → ${c.name}` });
      if (str(c.legalRep)) {
        rows.push({
          key: "rep",
          label: t("biz.changeLegalRep"),
          value: `${s.legalRep ?? "—"} → ${c.legalRep}`,
        });
      }
      if (str(c.address)) {
        rows.push({
          key: "addr",
          label: t("biz.changeAddress"),
          value: `${s.address ?? "—"} → ${c.address}`,
        });
      }
      if (str(d.reason)) rows.push({ key: "reason", label: t("biz.changeReason"), value: str(d.reason) });
      break;
    }
    case "reissue":
      if (d.cause === "lost" || d.cause === "broken") {
        rows.push({ key: "cause", label: t("biz.cause"), value: REISSUE_CAUSES[d.cause as ReissueCause] });
      }
      break;
    case "revoke":
      rows.push({
        key: "reason",
        label: t("biz.revokeReason"),
        value: t(`biz.revokeReason.${revokeReasonOf(d)}`),
      });
      break;
    case "unlock":
      rows.push({ key: "media", label: t("biz.mediaSerial"), value: item.mediaSerial ?? "—" });
      if (str(d.unlockedAt)) {
        rows.push({ key: "unlocked", label: t("biz.unlockedAt"), value: formatDateTime(str(d.unlockedAt)) });
      }
      break;
    case "vendor_swap": {
      const v = (d.vendor ?? null) as Record<string, unknown> | null;
      if (v) {
        rows.push({ key: "vsub", label: t("biz.vendorSubject"), value: str(v.subject) ?? "—" });
        rows.push({ key: "viss", label: t("biz.vendorIssuer"), value: str(v.issuer) ?? "—" });
        rows.push({
          key: "vser",
          label: t("wallet.serial"),
          value: (
            <Text code style={{ fontSize: 12 }}>
              {str(v.serialHex) ? formatSerial(str(v.serialHex)!) : "—"}
            </Text>
          ),
        });
        rows.push({
          key: "vval",
          label: t("wallet.validity"),
          value: `${formatDate(str(v.notBefore))} — ${formatDate(str(v.notAfter))}`,
        });
      }
      if (str(d.estimatedEnd)) {
        const rule = d.rule === "plus_one_year" || d.rule === "two_years_from_processing" ? d.rule : null;
        rows.push({
          key: "end",
          label: t("biz.serviceEnd"),
          value: (
            <span>
              {formatDate(str(d.estimatedEnd))}
              {rule ? (
                <Text type="secondary" style={{ fontSize: 12 }}>
                  {" "}
                  （{VENDOR_RULE_TEXT[rule]}）
                </Text>
              ) : null}
            </span>
          ),
        });
      }
      break;
    }
    default:
      break;
  }
  if (item.certificateSerial && business !== "new") {
    rows.push({
      key: "new",
      label: t("biz.newSerial"),
      value: (
        <Text code copyable={{ text: item.certificateSerial }} style={{ fontSize: 12 }}>
          {formatSerial(item.certificateSerial)}
        </Text>
      ),
    });
  }
  if (rows.length === 0) return null;
  return (
    <Descriptions size="small" column={{ xs: 1, md: 2 }} style={{ marginTop: 4 }}>
      {rows.map((r) => (
        <Descriptions.Item key={r.key} label={r.label}>
          {r.value}
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}
