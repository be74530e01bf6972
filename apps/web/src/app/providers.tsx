import { QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { App as AntApp, ConfigProvider, theme } from "antd";
import enUS from "antd/es/locale/en_US";
import zhCN from "antd/es/locale/zh_CN";
import { type ReactNode, useEffect, useState } from "react";
import { ApiError } from "../api/client";
import { dayjs } from "../lib/time";
import { I18nProvider, useI18n } from "./i18n";
import { queryKeys } from "./queries";

export function createQueryClient() {
  const client: QueryClient = new QueryClient({
    // A session that expires while a page is open: any admin query answering 401 clears the staff
    // session, any other the applicant's, and the route guards then send the person to the right login
    // page (with ?next=) instead of leaving a "请先登录" error box on a page they can no longer use.
    queryCache: new QueryCache({
      onError: (err, query) => {
        if (!(err instanceof ApiError) || err.status !== 401) return;
        const admin = query.queryKey[0] === "admin";
        client.setQueryData(admin ? queryKeys.adminMe : queryKeys.me, null);
      },
    }),
    defaultOptions: {
      queries: {
        // A 4xx will answer the same on retry; only network and 5xx problems are worth a second try.
        retry: (count, err) =>
          count < 2 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
        refetchOnWindowFocus: false,
        staleTime: 10_000,
      },
    },
  });
  return client;
}

function LocalisedAntd({ children }: { children: ReactNode }) {
  const { lang } = useI18n();
  useEffect(() => {
    dayjs.locale(lang === "zh" ? "zh-cn" : "en");
  }, [lang]);
  return (
    <ConfigProvider
      locale={lang === "zh" ? zhCN : enUS}
      // "登录" rather than "登 录": the same word reads the same in buttons, links and messages.
      button={{ autoInsertSpace: false }}
      theme={{
        algorithm: theme.defaultAlgorithm,
        token: { colorPrimary: "#1456c8", borderRadius: 6 },
      }}
    >
      {/* A burst of actions shows the latest toasts, not a column of them over the form. */}
      {/* Toasts open under the 64 px sticky header, never over its menu: a pointer resting on a toast
          keeps it open, and one over 「我的主体」 would block the very link the person wants next. */}
      <AntApp message={{ maxCount: 3, top: 72 }}>{children}</AntApp>
    </ConfigProvider>
  );
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(createQueryClient);
  return (
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <LocalisedAntd>{children}</LocalisedAntd>
      </I18nProvider>
    </QueryClientProvider>
  );
}
