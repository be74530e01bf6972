import type { BusinessCode } from "@certhall/domain";
import { useQuery } from "@tanstack/react-query";
import { Alert, Checkbox, Grid, Input, Modal, Table, Tag, Typography } from "antd";
import { useEffect, useMemo, useState } from "react";
import { type CandidateCertificate, listCandidates, type SubjectKind } from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { CardList } from "../../components/CardList";
import { LoadError } from "../../components/PageLoading";
import { SerialText } from "../../components/SerialText";
import { displaySerials } from "../../lib/serial";
import { formatDate } from "../../lib/time";
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
  // A phone gets cards (all a row says, and a tick box, on screen); wider screens the table.
  const wide = Grid.useBreakpoint().md ?? true;
  const isSelected = (c: CandidateCertificate) => selected.some((x) => x.serialHex === c.serialHex);
  const toggle = (c: CandidateCertificate, on: boolean) =>
    setSelected((cur) => (on ? [...cur, c] : cur.filter((x) => x.serialHex !== c.serialHex)));
  const eligibility = (c: CandidateCertificate) => {
    const why = blocks.get(c.serialHex);
    // The server's reasons name serials in raw hex: shown in the form the rest of the page uses.
    return why ? (
      <Text type="danger" style={{ fontSize: 12 }}>
        {displaySerials(why)}
      </Text>
    ) : (
      <Tag color="green">{t("biz.eligible")}</Tag>
    );
  };
  const emptyText = term ? t("biz.noMatch", { q: term }) : t("biz.noCertificates");

  return (
    <Modal
      open={open}
      width={wide ? 1100 : undefined}
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
      ) : wide ? (
        <Table<CandidateCertificate>
          rowKey="serialHex"
          size="small"
          loading={list.isPending}
          dataSource={rows}
          pagination={rows.length > 10 ? { pageSize: 10, showSizeChanger: false } : false}
          scroll={{ x: 1000 }}
          locale={{ emptyText }}
          rowSelection={{
            selectedRowKeys: selected.map((c) => c.serialHex),
            onChange: (_keys, picked) => setSelected(picked),
            getCheckboxProps: (c) => ({ disabled: blocks.get(c.serialHex) !== null }),
          }}
          columns={[
            {
              title: t("order.subject"),
              width: 210,
              render: (_: unknown, c) => (
                <div>
                  <div>{c.subject.name}</div>
                  <Text type="secondary" style={{ fontSize: 12 }}>
                    {c.subject.identity}
                  </Text>
                </div>
              ),
            },
            { title: t("apply.caType"), width: 130, render: (_: unknown, c) => c.caType.name },
            {
              title: t("wallet.serial"),
              width: 200,
              render: (_: unknown, c) => <SerialText hex={c.serialHex} />,
            },
            {
              title: t("wallet.validity"),
              width: 190,
              render: (_: unknown, c) => (
                <span style={{ whiteSpace: "nowrap" }}>
                  {formatDate(c.notBefore)} — {formatDate(c.notAfter)}
                </span>
              ),
            },
            // Wide enough for the longest reason in two lines: at 1366 px nothing of it is cut.
            { title: t("biz.eligibility"), width: 270, render: (_: unknown, c) => eligibility(c) },
          ]}
        />
      ) : (
        <CardList<CandidateCertificate>
          items={rows}
          rowKey={(c) => c.serialHex}
          loading={list.isPending}
          empty={emptyText}
          label={t("biz.addCerts")}
          className={(c) =>
            blocks.get(c.serialHex) ? "is-blocked" : isSelected(c) ? "is-selected" : undefined
          }
          card={(c) => (
            <>
              <div className="list-card-head">
                <Checkbox
                  checked={isSelected(c)}
                  disabled={blocks.get(c.serialHex) !== null}
                  onChange={(e) => toggle(c, e.target.checked)}
                >
                  <span className="list-card-title">{c.subject.name}</span>
                </Checkbox>
                {blocks.get(c.serialHex) ? null : eligibility(c)}
              </div>
              <div className="list-card-meta">
                {c.caType.name} · {c.subject.identity}
              </div>
              <SerialText hex={c.serialHex} />
              <div>
                {t("wallet.validity")} {formatDate(c.notBefore)} — <strong>{formatDate(c.notAfter)}</strong>
              </div>
              {blocks.get(c.serialHex) ? eligibility(c) : null}
            </>
          )}
        />
      )}
      {rows.length >= 100 ? (
        <Alert type="info" showIcon style={{ marginTop: 12 }} title={t("biz.narrowSearch")} />
      ) : null}
    </Modal>
  );
}
