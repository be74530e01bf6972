import { ApiError, api } from "./client";
import type { Account, SmsOutboxMessage, SmsPurpose, WindowsResponse } from "./types";

/** Applicant (certhall_sid) and public endpoints. */

export function sendSmsCode(phone: string, purpose: SmsPurpose) {
  return api.post<{ retryAfterSeconds: number }>("/auth/sms-codes", { phone, purpose });
}

export function register(input: { phone: string; code: string; password: string }) {
  return api.post<{ account: Account }>("/auth/register", input);
}

export function login(input: { phone: string; password: string }) {
  return api.post<{ account: Account }>("/auth/login", input);
}

export function logout() {
  return api.post<void>("/auth/logout");
}

export function resetPassword(input: { phone: string; code: string; newPassword: string }) {
  return api.post<void>("/auth/password-reset", input);
}

/** The logged-in applicant, or null when nobody is logged in (401 is an answer here, not an error). */
export async function getMe(): Promise<Account | null> {
  try {
    const { account } = await api.get<{ account: Account }>("/me");
    return account;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

export function updateMe(input: { name: string }) {
  return api.patch<{ account: Account }>("/me", input);
}

export function changeMyPassword(input: { currentPassword: string; newPassword: string }) {
  return api.post<void>("/me/password", input);
}

export function getWindows() {
  return api.get<WindowsResponse>("/windows");
}

/** The dev SMS outbox, or null when the server runs without it (404 outside development). */
export async function getSmsOutbox(): Promise<SmsOutboxMessage[] | null> {
  try {
    const { messages } = await api.get<{ messages: SmsOutboxMessage[] }>("/dev/sms-outbox");
    return messages;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** Public platform settings: 延期 opens this many days before a certificate's expiry (admin-set). */
export function getPublicSettings() {
  return api.get<{ renewalWindowDays: number }>("/settings");
}
