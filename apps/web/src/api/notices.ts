/** 公告、常见问题与客服热线 (apps/server/src/modules/notices). */
import { api } from "./client";

export interface Announcement {
  title: string;
  body: string;
  date: string;
  pinned: boolean;
}

export interface Notices {
  announcements: Announcement[];
  faq: { question: string; answer: string }[];
  hotline: { phone: string; hours: string } | null;
}

export function getNotices() {
  return api.get<Notices>("/notices");
}

export function saveNotices(n: Notices & { hotline: { phone: string; hours: string } }) {
  return api.put<Notices>("/admin/notices", n);
}
