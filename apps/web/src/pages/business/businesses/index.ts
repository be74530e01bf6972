// The 业务办理 form of each business on own certificates, by code: the compiler refuses a business
// missing or one too many (新证 and 其他厂商介质证书更换 have their own pages).

import { change } from "./change";
import type { BusinessForm, OwnTargetCode } from "./define";
import { eseal } from "./eseal";
import { reissue } from "./reissue";
import { renew } from "./renew";
import { replace } from "./replace";
import { revoke } from "./revoke";
import { unlock } from "./unlock";

export const BUSINESS_FORMS: Readonly<Record<OwnTargetCode, BusinessForm>> = {
  renew,
  eseal,
  change,
  reissue,
  unlock,
  replace,
  revoke,
};
