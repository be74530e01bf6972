import { formatFen } from "@certhall/domain";

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** The sandbox cashier: server-rendered, no script (CSP script-src 'self' and no inline code). */
export function renderCashierPage(p: {
  paymentId: string;
  orderId: string;
  orderNo: string;
  amountFen: number;
  status: string;
  csrfToken: string;
  /** Which provider the cashier stands in for: 支付宝 or 微信支付. */
  channel: "alipay" | "wechat";
}): string {
  const brand = p.channel === "wechat" ? "微信支付" : "支付宝";
  const back = `/orders/${encodeURIComponent(p.orderId)}`;
  const open = p.status === "created";
  const action = open
    ? `<form method="post" action="/sandbox-pay/${encodeURIComponent(p.paymentId)}/confirm">
        <input type="hidden" name="_csrf" value="${esc(p.csrfToken)}">
        <button type="submit" class="pay">确认支付</button>
        <a class="cancel" href="${esc(back)}">取消</a>
      </form>`
    : p.status === "closed"
      ? `<p class="done">该交易已关闭（订单已取消或已修改），不能再支付；如需缴费请返回订单重新发起支付。</p><a class="cancel" href="${esc(back)}">返回订单</a>`
      : `<p class="done">该支付单已处理（${esc(p.status)}），无需重复支付。</p><a class="cancel" href="${esc(back)}">返回订单</a>`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>沙箱收银台（${brand}） - 订单 ${esc(p.orderNo)}</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;background:#f5f5f5;margin:0;padding:48px 16px;color:#222}
main{max-width:420px;margin:0 auto;background:#fff;border-radius:8px;padding:32px;box-shadow:0 1px 4px rgba(0,0,0,.08)}
h1{font-size:20px;margin:0 0 4px}
.note{color:#a15c00;background:#fff7e6;border:1px solid #ffd591;padding:8px 12px;border-radius:4px;font-size:13px}
dl{display:grid;grid-template-columns:auto 1fr;gap:8px 16px;margin:24px 0}
dt{color:#666}
dd{margin:0}
.amount{font-size:28px;color:#1677ff;font-weight:600}
form{display:flex;gap:12px;align-items:center}
button.pay{background:#1677ff;color:#fff;border:0;border-radius:6px;padding:10px 28px;font-size:16px;cursor:pointer}
a.cancel{color:#555;padding:10px 16px}
</style>
</head>
<body>
<main>
<h1>沙箱收银台 · ${brand}</h1>
<p class="note">演示环境：确认后不会真实扣款。沙箱会像${brand}一样向商户发送签名的异步通知${p.channel === "wechat" ? "（APIv3：报文签名，资源 AEAD_AES_256_GCM 加密）" : ""}。</p>
<dl>
<dt>订单号</dt><dd>${esc(p.orderNo)}</dd>
<dt>支付金额</dt><dd class="amount">${esc(formatFen(p.amountFen))}</dd>
</dl>
${action}
</main>
</body>
</html>`;
}
