import { GlobalOutlined } from "@ant-design/icons";
import { Button } from "antd";
import { useI18n } from "../app/i18n";

/** 中文/English toggle; the button names the language it switches to. */
export function LangSwitch({ dark = false }: { dark?: boolean }) {
  const { lang, setLang, t } = useI18n();
  return (
    <Button
      type="text"
      size="small"
      icon={<GlobalOutlined />}
      style={dark ? { color: "rgba(255,255,255,0.85)" } : undefined}
      onClick={() => setLang(lang === "zh" ? "en" : "zh")}
      aria-label={lang === "zh" ? "Switch to English" : "切换到中文"}
    >
      {t("lang.switch")}
    </Button>
  );
}
