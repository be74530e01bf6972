import { PlusOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { App, Button, Input, Popconfirm, Segmented, Space, Switch, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { Navigate } from "react-router";
import {
  archiveSubject,
  getSubject,
  listSubjects,
  restoreSubject,
  type Subject,
  type SubjectKind,
  type SubjectSummary,
} from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { useMe } from "../../app/queries";
import { useApiError } from "../../app/useApiError";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { formatDateTime } from "../../lib/time";
import { SubjectFormModal } from "./SubjectForm";

export const subjectKeys = {
  all: ["subjects"] as const,
  list: (kind: SubjectKind | undefined, archived: boolean, q: string) =>
    ["subjects", kind ?? "all", archived, q] as const,
};

/** 「我的主体」: the account's companies and persons; add, edit, archive (never deleted), restore. */
export function SubjectsPage() {
  const me = useMe();
  if (me.isPending) return <PageLoading />;
  if (me.isError) return <LoadError error={me.error} onRetry={() => me.refetch()} />;
  if (!me.data) return <Navigate to="/login?next=%2Fsubjects" replace />;
  return <SubjectsView />;
}

function SubjectsView() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const onError = useApiError();
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<SubjectKind | "all">("all");
  const [archived, setArchived] = useState(false);
  const [q, setQ] = useState("");
  const [editing, setEditing] = useState<Subject | null>(null);
  const [modalOpen, setModalOpen] = useState(false);
  const [busyId, setBusyId] = useState<string | null>(null);

  const list = useQuery({
    queryKey: subjectKeys.list(kind === "all" ? undefined : kind, archived, q),
    queryFn: () => listSubjects({ kind: kind === "all" ? undefined : kind, archived, q }),
  });

  async function openEdit(s: SubjectSummary) {
    setBusyId(s.id);
    try {
      // The list masks 身份证号; the form needs the full record.
      const { subject } = await getSubject(s.id);
      setEditing(subject);
      setModalOpen(true);
    } catch (err) {
      onError(err);
    } finally {
      setBusyId(null);
    }
  }

  async function toggleArchive(s: SubjectSummary) {
    setBusyId(s.id);
    try {
      if (s.archived) await restoreSubject(s.id);
      else await archiveSubject(s.id);
      message.success(s.archived ? t("subj.restored") : t("subj.archived"));
      await queryClient.invalidateQueries({ queryKey: subjectKeys.all });
    } catch (err) {
      onError(err);
    } finally {
      setBusyId(null);
    }
  }

  return (
    <div className="page">
      <Space style={{ width: "100%", justifyContent: "space-between", marginBottom: 16 }} wrap>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t("subj.title")}
        </Typography.Title>
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => {
            setEditing(null);
            setModalOpen(true);
          }}
        >
          {t("subj.add")}
        </Button>
      </Space>
      <Typography.Paragraph type="secondary">{t("subj.subtitle")}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 16 }}>
        <Segmented
          value={kind}
          onChange={(v) => setKind(v as SubjectKind | "all")}
          options={[
            { value: "all", label: t("subj.all") },
            { value: "company", label: t("subj.company") },
            { value: "person", label: t("subj.person") },
          ]}
        />
        <Input.Search
          allowClear
          placeholder={t("subj.search")}
          onSearch={(v) => setQ(v.trim())}
          style={{ width: 220 }}
        />
        <Space>
          <Switch checked={archived} onChange={setArchived} size="small" />
          <span>{t("subj.showArchived")}</span>
        </Space>
      </Space>
      {list.isError ? (
        <LoadError error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Table<SubjectSummary>
          rowKey="id"
          loading={list.isPending}
          dataSource={list.data?.subjects ?? []}
          pagination={false}
          scroll={{ x: 640 }}
          locale={{ emptyText: t("subj.empty") }}
          columns={[
            {
              title: t("subj.name"),
              dataIndex: "name",
              render: (name: string, s) => (
                <Space wrap size={4}>
                  <span>{name}</span>
                  <Tag>{s.kind === "company" ? t("subj.company") : t("subj.person")}</Tag>
                  {s.archived ? <Tag color="default">{t("subj.archivedTag")}</Tag> : null}
                </Space>
              ),
            },
            {
              title: t("subj.code"),
              render: (_: unknown, s) => (
                <Typography.Text code>{s.kind === "company" ? s.uscc : s.idNumberMasked}</Typography.Text>
              ),
            },
            { title: t("subj.legalRep"), dataIndex: "legalRep", render: (v: string | null) => v ?? "—" },
            { title: t("subj.updatedAt"), dataIndex: "updatedAt", render: (v: string) => formatDateTime(v) },
            {
              title: t("common.actions"),
              fixed: "right",
              render: (_: unknown, s) => (
                <Space size={0}>
                  {!s.archived ? (
                    <Button type="link" size="small" loading={busyId === s.id} onClick={() => openEdit(s)}>
                      {t("common.edit")}
                    </Button>
                  ) : null}
                  {s.archived ? (
                    <Button type="link" size="small" onClick={() => toggleArchive(s)}>
                      {t("subj.restore")}
                    </Button>
                  ) : (
                    <Popconfirm title={t("subj.archiveConfirm")} onConfirm={() => toggleArchive(s)}>
                      <Button type="link" size="small" danger>
                        {t("subj.archive")}
                      </Button>
                    </Popconfirm>
                  )}
                </Space>
              ),
            },
          ]}
        />
      )}
      <SubjectFormModal
        open={modalOpen}
        subject={editing}
        onClose={() => setModalOpen(false)}
        onSaved={async () => {
          setModalOpen(false);
          await queryClient.invalidateQueries({ queryKey: subjectKeys.all });
        }}
      />
    </div>
  );
}
