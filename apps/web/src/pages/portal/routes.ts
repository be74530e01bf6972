// The portal's public pages: one chunk, loaded by whichever of them opens first (app/pages.tsx). The
// sign-in pages are a chunk of their own (./auth-routes): the login page must stay light.

export { VerifyPage } from "../verify/VerifyPage";
export { AccountPage } from "./AccountPage";
export { DevSmsPage } from "./DevSmsPage";
export { HomePage } from "./HomePage";
export { WindowsPage } from "./WindowsPage";
