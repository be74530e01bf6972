import { type AssistantConfig, ConfigError, loadConfig } from "./config";
import { type AssistantLog, startAssistant } from "./server";
import { VERSION } from "./version";

const HELP = `证书助手 certhall-assistant ${VERSION}
让证书服务门户的网页在本机使用 USB Key（PKCS#11）：读取介质和证书、在介质中生成密钥、写入证书、修改与解锁 PIN 码。

用法: certhall-assistant --origin https://门户地址 [--origin …] [--port 17517] [--module /path/libxxx.so]

  --origin     允许使用证书助手的门户地址（可多次；或 ASSISTANT_ORIGINS，逗号分隔）
  --port       首选端口（ASSISTANT_PORT，默认 17517，被占用时依次尝试其后 9 个端口）
  --module     USB Key 厂商的 PKCS#11 驱动库（CERTHALL_PKCS11_MODULE）
  --state-dir  证书助手的状态目录（ASSISTANT_STATE_DIR，默认 ~/.config/certhall-assistant）
`;

function consoleLog(quiet: boolean): AssistantLog {
  return {
    info(line) {
      if (!quiet) process.stderr.write(`${new Date().toISOString()} ${line}\n`);
    },
    pairing(origin, code) {
      // stdout carries exactly this line per pairing, so a supervising program can show it too.
      process.stdout.write(`配对码 ${code}（来自 ${origin}，请在网页中输入，2 分钟内有效）\n`);
    },
  };
}

/** Starts the assistant; resolves when it stops (SIGINT/SIGTERM). Returns the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(HELP);
    return 0;
  }
  if (argv.includes("--version")) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  let config: AssistantConfig;
  try {
    config = loadConfig(argv, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`错误：${error.message}\n\n${HELP}`);
    return 2;
  }
  const running = await startAssistant(config, consoleLog(argv.includes("--quiet")));
  process.stdout.write(
    `证书助手 ${VERSION} 已启动：${running.url}（仅本机），允许的门户：${config.origins.join("、")}；` +
      `驱动：${config.modulePath ?? "未找到"}\n`,
  );
  await new Promise<void>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
  });
  await running.close();
  return 0;
}
