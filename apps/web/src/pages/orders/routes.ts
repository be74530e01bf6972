// The applicant's orders and subjects: one chunk (app/pages.tsx).
export { SubjectsPage } from "../subjects/SubjectsPage";
export { ApplyChooserPage, ApplyNewPage } from "./ApplyPage";
export { EditOrderPage } from "./EditOrderPage";
export { OrderDetailPage } from "./OrderDetailPage";
export { OrdersPage } from "./OrdersPage";
export { ReceiptPage } from "./ReceiptPage";
