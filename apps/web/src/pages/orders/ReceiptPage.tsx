import { ArrowLeftOutlined, FilePdfOutlined, PrinterOutlined } from "@ant-design/icons";
import { formatFen } from "@certhall/domain";
import { useQuery } from "@tanstack/react-query";
import { Button, Space } from "antd";
import { Link, Navigate, useParams } from "react-router";
import { getReceipt, type Receipt, receiptPdfUrl } from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { useMe } from "../../app/queries";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { formatCalendarDate, formatDateTime } from "../../lib/time";
import { formatMailing } from "./DeliveryPanel";
import { orderKeys } from "./queries";
import "./receipt.css";

/** /orders/:id/receipt — the 回执单 as an A4 page to print (the PDF is the same content, server-made). */
export function ReceiptPage() {
  const { id = "" } = useParams();
  const me = useMe();
  if (me.isPending) return <PageLoading />;
  if (me.isError) return <LoadError error={me.error} onRetry={() => me.refetch()} />;
  if (!me.data) return <Navigate to={`/login?next=${encodeURIComponent(`/orders/${id}/receipt`)}`} replace />;
  return <ReceiptLoader id={id} />;
}

function ReceiptLoader({ id }: { id: string }) {
  const receipt = useQuery({ queryKey: orderKeys.receipt(id), queryFn: () => getReceipt(id), retry: false });
  if (receipt.isPending) return <PageLoading />;
  if (receipt.isError) return <LoadError error={receipt.error} onRetry={() => receipt.refetch()} />;
  return <ReceiptSheet receipt={receipt.data} />;
}

export function ReceiptSheet({ receipt: r }: { receipt: Receipt }) {
  const { t, lang } = useI18n();
  const materials = r.materials.map((m) => (lang === "zh" ? m.zh : m.en));
  return (
    <>
      <div className="receipt-toolbar">
        <Link to={`/orders/${r.orderId}`}>
          <Button icon={<ArrowLeftOutlined />}>{t("receipt.back")}</Button>
        </Link>
        <Space wrap>
          <a href={receiptPdfUrl(r.orderId)} target="_blank" rel="noreferrer">
            <Button icon={<FilePdfOutlined />}>{t("receipt.pdf")}</Button>
          </a>
          <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()}>
            {t("receipt.print")}
          </Button>
        </Space>
      </div>
      <article className="receipt-sheet">
        <div className="receipt-head">
          <div>
            <h1>{r.title || t("receipt.docTitle")}</h1>
            <div>{r.issuer}</div>
            <div>
              {t("receipt.orderNo")}：<strong>{r.orderNo}</strong>
            </div>
            <div>
              {t("receipt.business")}：{r.businessName}（{r.subjectKindLabel}）
            </div>
            <div>{t("receipt.printedAt", { at: formatDateTime(r.printedAt) })}</div>
          </div>
          <div className="receipt-qr">
            <img src={r.verification.qrDataUrl} alt={r.verification.url} />
            {t("receipt.scan")}
          </div>
        </div>

        <h2>{t("receipt.subjects")}</h2>
        <table>
          <tbody>
            {r.subjects.map((s) => (
              <tr key={`${s.kind}-${s.identity}`}>
                <td>{s.name}</td>
                <td>
                  {s.identityLabel}：{s.identity}
                </td>
                <td>{s.legalRep ? `${t("subj.legalRep")}：${s.legalRep}` : ""}</td>
              </tr>
            ))}
          </tbody>
        </table>

        <h2>{t("receipt.caTypes")}</h2>
        <table>
          <thead>
            <tr>
              <th>#</th>
              <th>{t("order.subject")}</th>
              <th>{t("apply.caType")}</th>
              <th>{t("apply.years")}</th>
              <th>{t("apply.eseal")}</th>
              <th>{t("order.fees")}</th>
              <th className="num">{t("order.amount")}</th>
            </tr>
          </thead>
          <tbody>
            {r.items.map((i) => (
              <tr key={i.position}>
                <td>{i.position}</td>
                <td>
                  {i.subjectName}
                  {i.what ? <div className="receipt-what">{i.what}</div> : null}
                </td>
                <td>{i.caTypeName}</td>
                <td>{i.years}</td>
                <td>{i.eseal ? t("common.yes") : t("common.no")}</td>
                <td>{i.feeLines.map((l) => `${l.labelZh} ${formatFen(l.amount)}`).join("；")}</td>
                <td className="num">{formatFen(i.amountFen)}</td>
              </tr>
            ))}
            <tr>
              <td colSpan={6} className="num">
                {t("receipt.feesPaid")}
                {r.payments.length > 0 ? `（${r.payments.map((p) => p.methodLabel).join("、")}）` : ""}
              </td>
              <td className="num">
                <strong>{formatFen(r.paidFen)}</strong>
              </td>
            </tr>
          </tbody>
        </table>

        <h2>{t("receipt.handler")}</h2>
        <div>
          {r.handler.name}　{t("subj.idNumber")}：{r.handler.idNumberMasked}　{t("field.phone")}：
          {r.handler.phoneMasked}
        </div>

        <h2>{t("receipt.materials")}</h2>
        <ol>
          {materials.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ol>

        {r.delivery.method ? (
          <>
            <h2>{t("delivery.title")}</h2>
            <div>
              {r.delivery.method === "mail"
                ? `${t("delivery.mail")}　${t("delivery.returnAddress")}：${formatMailing(r.delivery.returnAddress)}`
                : `${t("delivery.window")}　${r.delivery.window ? `【${r.delivery.window.city}】${r.delivery.window.name}` : ""}　${
                    r.delivery.appointmentDate ? formatCalendarDate(r.delivery.appointmentDate, lang) : ""
                  }`}
            </div>
          </>
        ) : null}

        <h2>{t("receipt.windows")}</h2>
        <div className="receipt-windows">
          {r.windows.map((w) => (
            <div key={w.id}>
              <strong>
                【{w.city}】{w.name}
              </strong>
              <div>{w.address}</div>
              <div>{w.phone}</div>
              <div>{w.hoursText}</div>
            </div>
          ))}
        </div>

        <h2>{t("receipt.mailTo")}</h2>
        <div>{formatMailing(r.mailing)}</div>

        {r.notes.length > 0 ? (
          <ul style={{ marginTop: 12, paddingLeft: 18, fontSize: 12 }}>
            {r.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        ) : null}
      </article>
    </>
  );
}
