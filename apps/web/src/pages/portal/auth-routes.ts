// Registering and resetting the password: one chunk (app/pages.tsx), without the business catalogue
// the home page lists. The login page is a chunk of its own: it must stay light.
export { RegisterPage } from "./RegisterPage";
export { ResetPasswordPage } from "./ResetPasswordPage";
