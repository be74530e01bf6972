import { CheckCircleTwoTone, CloseCircleTwoTone, SafetyCertificateOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Card, Descriptions, Input, List, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { useI18n } from "../../app/i18n";
import { usePageTitle } from "../../app/usePageTitle";
import {
  ASSISTANT_PORT,
  ASSISTANT_PORT_RANGE,
  type AssistantClient,
  assistantCommand,
  type Reader,
  savedPort,
  savePort,
} from "../../lib/assistant";
import { AssistantGate, assistantMessage, useAssistant } from "./AssistantGate";

const { Paragraph, Text, Title } = Typography;

function Check({ ok, text }: { ok: boolean; text: string }) {
  return (
    <Space>
      {ok ? <CheckCircleTwoTone twoToneColor="#52c41a" /> : <CloseCircleTwoTone twoToneColor="#ff4d4f" />}
      <Text>{text}</Text>
    </Space>
  );
}

function Tokens({ client }: { client: AssistantClient }) {
  const { t } = useI18n();
  const readers = useQuery({
    queryKey: ["assistant", "readers", client.base],
    queryFn: () => client.readers(),
  });
  if (readers.isError) return <Alert type="error" showIcon title={assistantMessage(readers.error)} />;
  const rows = (readers.data ?? []).filter((r) => r.token);
  return (
    <Table<Reader>
      size="small"
      rowKey="slot"
      loading={readers.isLoading}
      pagination={false}
      dataSource={rows}
      locale={{ emptyText: t("assistant.noToken") }}
      columns={[
        { title: t("assistant.tokenLabel"), render: (_, r) => r.token!.label },
        { title: t("assistant.tokenSerial"), render: (_, r) => <Text code>{r.token!.serialNumber}</Text> },
        { title: t("assistant.tokenMaker"), render: (_, r) => `${r.token!.manufacturer} ${r.token!.model}` },
        {
          title: t("assistant.pinState"),
          render: (_, r) =>
            r.token!.pinLocked ? (
              <Tag color="red">{t("assistant.locked")}</Tag>
            ) : (
              <Tag color="green">{t("assistant.pinOk")}</Tag>
            ),
        },
      ]}
    />
  );
}

/** The port the page tries first, for an assistant started with --port outside the usual range. */
function PortSetting({ onSaved }: { onSaved: () => void }) {
  const { t } = useI18n();
  const [port, setPort] = useState(savedPort() ?? "");
  return (
    <Space.Compact style={{ maxWidth: 320 }}>
      <Input
        aria-label={t("assistant.port")}
        placeholder={String(ASSISTANT_PORT)}
        value={port}
        onChange={(e) => setPort(e.target.value.replace(/\D/g, "").slice(0, 5))}
      />
      <Button
        onClick={() => {
          savePort(port || null);
          onSaved();
        }}
      >
        {t("common.save")}
      </Button>
    </Space.Compact>
  );
}

/** 证书助手 self-check: is it running, which version, which keys, what is missing and how to install. */
export default function AssistantPage() {
  const { t } = useI18n();
  usePageTitle();
  const located = useAssistant();
  const origin = window.location.origin;
  const hello = located.data?.hello;

  return (
    <Space orientation="vertical" size={16} style={{ width: "100%", maxWidth: 960, margin: "0 auto" }}>
      <Title level={3} style={{ margin: 0 }}>
        <SafetyCertificateOutlined /> {t("assistant.title")}
      </Title>
      <Paragraph type="secondary" style={{ margin: 0 }}>
        {t("assistant.intro")}
      </Paragraph>

      <Card title={t("assistant.selfCheck")} loading={located.isLoading}>
        <Space orientation="vertical" style={{ width: "100%" }}>
          <Check
            ok={!!hello}
            text={
              hello
                ? t("assistant.running", { version: hello.version, url: located.data!.base })
                : located.isError
                  ? assistantMessage(located.error)
                  : t("assistant.missing")
            }
          />
          {hello ? (
            <Check
              ok={hello.module.loaded}
              text={
                hello.module.loaded
                  ? t("assistant.driverOk", { path: hello.module.path ?? "" })
                  : (hello.module.error ?? t("assistant.driverMissing"))
              }
            />
          ) : null}
          {hello ? (
            <Check ok={hello.paired} text={hello.paired ? t("assistant.paired") : t("assistant.notPaired")} />
          ) : null}
          <Button size="small" onClick={() => void located.refetch()}>
            {t("assistant.checkAgain")}
          </Button>
        </Space>
      </Card>

      {hello?.module.loaded ? (
        <Card title={t("assistant.tokens")}>
          <AssistantGate>{(client) => <Tokens client={client} />}</AssistantGate>
        </Card>
      ) : null}

      <Card title={t("assistant.install")}>
        <List
          size="small"
          dataSource={[
            t("assistant.step1"),
            t("assistant.step2"),
            t("assistant.step3"),
            t("assistant.step4"),
          ]}
          renderItem={(item, i) => (
            <List.Item>
              <Text>
                {i + 1}. {item}
              </Text>
            </List.Item>
          )}
        />
        <Paragraph code copyable style={{ wordBreak: "break-all" }}>
          {assistantCommand(origin)}
        </Paragraph>
        <Descriptions
          size="small"
          column={1}
          bordered
          items={[
            { key: "can", label: t("assistant.can"), children: t("assistant.canText") },
            { key: "cannot", label: t("assistant.cannot"), children: t("assistant.cannotText") },
            {
              key: "port",
              label: t("assistant.port"),
              children: (
                <Space orientation="vertical">
                  <Text type="secondary">
                    {t("assistant.portText", {
                      from: ASSISTANT_PORT,
                      to: ASSISTANT_PORT + ASSISTANT_PORT_RANGE - 1,
                    })}
                  </Text>
                  <PortSetting onSaved={() => void located.refetch()} />
                </Space>
              ),
            },
          ]}
        />
      </Card>
    </Space>
  );
}
