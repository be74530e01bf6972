// Signing in, registering and resetting the password: the smallest chunk of the portal (app/pages.tsx),
// without the business catalogue the home page lists.
export { LoginPage } from "./LoginPage";
export { RegisterPage } from "./RegisterPage";
export { ResetPasswordPage } from "./ResetPasswordPage";
