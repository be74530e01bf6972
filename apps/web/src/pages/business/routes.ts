// The businesses on existing certificates (延期, 变更, …): one chunk (app/pages.tsx).
export { BusinessApplyPage } from "./BusinessApplyPage";
export { BusinessListPage } from "./BusinessListPage";
