// Quick picks for rejecting one uploaded material. A small list of our own: the order-level reasons of
// the review page (api/staff-orders REJECT_REASONS) are about the typed data, these about a file.
export const MATERIAL_REJECT_REASONS = [
  "不清晰，请重新拍摄或扫描",
  "不完整（四角未拍全或缺页）",
  "未加盖公章或未签字",
  "与申请信息不一致",
  "已过有效期",
  "上传的不是所需材料",
] as const;

/** A file's size and what the check read from it, for a one-line caption. */
export function describeFile(u: {
  size: number;
  width: number | null;
  height: number | null;
  pages: number | null;
}) {
  const kb =
    u.size < 1024 * 1024
      ? `${Math.max(1, Math.round(u.size / 1024))} KB`
      : `${(u.size / 1024 / 1024).toFixed(1)} MB`;
  if (u.pages) return `PDF · ${u.pages} 页 · ${kb}`;
  return `${u.width}×${u.height} · ${kb}`;
}
