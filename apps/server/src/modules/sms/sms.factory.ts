import type { Config } from "../../config";
import { createAliyunSmsProvider } from "./aliyun-sms.provider";
import { createDevSmsProvider } from "./dev-sms.provider";
import type { SmsProvider } from "./sms.provider";

export function createSmsProvider(config: Pick<Config, "sms" | "env">): SmsProvider {
  const { sms } = config;
  if (sms.provider === "aliyun" && sms.aliyun) {
    return createAliyunSmsProvider({ ...sms.aliyun, signName: sms.signName });
  }
  return createDevSmsProvider({ outboxVisible: config.env !== "production" });
}
