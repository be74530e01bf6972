// certhall-assistant (证书助手): the local program that lets portal pages use a USB key.
export { type AssistantConfig, DEFAULT_PORT, loadConfig, PORT_RANGE } from "./config";
export { type AssistantLog, type RunningAssistant, startAssistant } from "./server";
export { VERSION } from "./version";
