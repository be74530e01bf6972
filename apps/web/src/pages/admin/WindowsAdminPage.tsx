import { Card, Tabs } from "antd";
import { useSearchParams } from "react-router";
import { useI18n } from "../../app/i18n";
import { CalendarEditor } from "./CalendarEditor";
import { WindowsEditor } from "./WindowsEditor";

/** 网点与节假日: the windows' data and the holiday calendar their opening depends on. */
export function WindowsAdminPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") === "calendar" ? "calendar" : "windows";
  return (
    <Card title={t("win.title")} styles={{ body: { paddingTop: 0 } }}>
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams(key === "calendar" ? { tab: "calendar" } : {}, { replace: true })}
        items={[
          { key: "windows", label: t("win.tabWindows"), children: <WindowsEditor /> },
          { key: "calendar", label: t("win.tabCalendar"), children: <CalendarEditor /> },
        ]}
      />
    </Card>
  );
}
