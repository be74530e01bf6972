// The reviewer's pages: one chunk (app/pages.tsx).
export { ReviewDetailPage } from "./ReviewDetailPage";
export { ReviewQueuePage } from "./ReviewQueuePage";
