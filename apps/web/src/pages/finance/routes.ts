// The finance pages: one chunk (app/pages.tsx).
export { FinancePage } from "./FinancePage";
export { StatementsPage } from "./StatementsPage";
