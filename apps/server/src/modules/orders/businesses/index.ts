// The nine businesses' server definitions, by code: the compiler refuses a missing or an extra one.
import type { BusinessCode } from "@certhall/domain";
import { change } from "./change";
import type { ServerBusiness } from "./define";
import { eseal } from "./eseal";
import { newCertificate } from "./new";
import { reissue } from "./reissue";
import { renew } from "./renew";
import { replace } from "./replace";
import { revoke } from "./revoke";
import { unlock } from "./unlock";
import { vendorSwap } from "./vendor_swap";

export const SERVER_BUSINESSES: { readonly [C in BusinessCode]: ServerBusiness<C> } = {
  new: newCertificate,
  renew,
  eseal,
  change,
  reissue,
  unlock,
  replace,
  vendor_swap: vendorSwap,
  revoke,
};

export const serverBusiness = (code: BusinessCode): ServerBusiness => SERVER_BUSINESSES[code];
