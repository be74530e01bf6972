import type { BusinessCode } from "@certhall/domain";
import { useQuery } from "@tanstack/react-query";
import { Alert, Input, Modal, Table, Tag, Typography } from "antd";
import { useEffect, useMemo, useState } from "react";
import { type CandidateCertificate, listCandidates, type SubjectKind } from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { LoadError } from "../../components/PageLoading";
import { formatDate } from "../../lib/time";
import { formatSerial } from "../wallet/WalletPage";
import type { CertPick } from "./businesses/define";
import { candidateBlock, pickFromCandidate } from "./logic";

const { Text } = Typography;

export const candidateKeys = {
  list: (business: BusinessCode, q: string) => ["orders", "candidates", business, q] as const,
};

/**
 * 【添加其他证书】: search my certificates by company or person name (or serial), tick one or more. A
 * certificate this business cannot act on now is shown with the reason and cannot be ticked.
 */
export function CandidatePicker({
  business,
  open,
  kind,
  chosen,
  onClose,
  onAdd,
}: {
  business: BusinessCode;
  open: boolean;
  /** The order's subject kind once it has items (or is being edited); null = the first tick decides. */
  kind: SubjectKind | null;
  chosen: ReadonlySet<string>;
  onClose: () => void;
  onAdd: (picks: CertPick[]) => void;
}) {
  const { t } = useI18n();
  const [text, setText] = useState("");
  const [term, setTerm] = useState("");
  const [selected, setSelected] = useState<CandidateCertificate[]>([]);
  const list = useQuery({
    queryKey: candidateKeys.list(business, term),
    queryFn: () => listCandidates(business, term),
    enabled: open,
  });

  // A fresh start every time the dialog opens.
  useEffect(() => {
    if (open) setSelected([]);
  }, [open]);

  const effectiveKind: SubjectKind | null =
    kind ?? (selected[0] ? (selected[0].subject.kind === "person" ? "person" : "company") : null);
  const rows = list.data?.certificates ?? [];
  const blocks = useMemo(
    () => new Map(rows.map((c) => [c.serialHex, candidateBlock(c, { kind: effectiveKind, chosen })])),
    [rows, effectiveKind, chosen],
  );

  return (
    <Modal
      open={open}
      width={960}
      title={t("biz.addCerts")}
      onCancel={onClose}
      okText={t("biz.addSelected", { n: selected.length })}
      okButtonProps={{ disabled: selected.length === 0 }}
      cancelText={t("common.cancel")}
      onOk={() => {
        onAdd(selected.map(pickFromCandidate));
        onClose();
      }}
      destroyOnHidden
    >
      <Input.Search
        allowClear
        value={text}
        onChange={(e) => setText(e.target.value)}
        onSearch={(v) => setTerm(v.trim())}
        placeholder={t("biz.searchPlaceholder")}
        enterButton={t("biz.search")}
        maxLength={60}
        style={{ marginBottom: 12 }}
        loading={list.isFetching}
      />
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Table<CandidateCertificate>
          rowKey="serialHex"
          size="small"
          loading={list.isPending}
          dataSource={rows}
          pagination={rows.length > 10 ? { pageSize: 10, showSizeChanger: false } : false}
          scroll={{ x: 940 }}
          locale={{
            emptyText: term ? t("biz.noMatch", { q: term }) : t("biz.noCertificates"),
          }}
          rowSelection={{
            selectedRowKeys: selected.map((c) => c.serialHex),
            onChange: (_keys, picked) => setSelected(picked),
            getCheckboxProps: (c) => ({ disabled: blocks.get(c.serialHex) !== null }),
          }}
          columns={[
            {
              title: t("order.subject"),
              width: 220,
              render: (_: unknown, c) => (
                <div>
                  <div>{c.subject.name}</div>
                  <Text type="secondary" style={{ fontSize: 12 }}>
                    {c.subject.identity}
                  </Text>
                </div>
              ),
            },
            { title: t("apply.caType"), width: 140, render: (_: unknown, c) => c.caType.name },
            {
              title: t("wallet.serial"),
              width: 240,
              render: (_: unknown, c) => (
                <Text code style={{ fontSize: 12, wordBreak: "break-all" }}>
                  {formatSerial(c.serialHex)}
                </Text>
              ),
            },
            {
              title: t("wallet.validity"),
              width: 200,
              render: (_: unknown, c) => (
                <span style={{ whiteSpace: "nowrap" }}>
                  {formatDate(c.notBefore)} — {formatDate(c.notAfter)}
                </span>
              ),
            },
            {
              title: t("biz.eligibility"),
              render: (_: unknown, c) => {
                const why = blocks.get(c.serialHex);
                return why ? (
                  <Text type="danger" style={{ fontSize: 12 }}>
                    {why}
                  </Text>
                ) : (
                  <Tag color="green">{t("biz.eligible")}</Tag>
                );
              },
            },
          ]}
        />
      )}
      {rows.length >= 100 ? (
        <Alert type="info" showIcon style={{ marginTop: 12 }} title={t("biz.narrowSearch")} />
      ) : null}
    </Modal>
  );
}
