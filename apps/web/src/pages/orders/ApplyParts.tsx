// The parts every apply form shares (新证, the seven businesses on own certificates, vendor swap):
// the title with the reviewer's reason, a row's fee lines, the total and save bar, and saving itself.
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { formatFen } from "@certhall/domain";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Divider,
  Form,
  type FormInstance,
  Row,
  Select,
  Space,
  Typography,
} from "antd";
import { type ReactNode, useState } from "react";
import { useNavigate } from "react-router";
import {
  type BusinessOrderInput,
  createOrder,
  listCaTypes,
  listSubjects,
  type OrderDetail,
  type OrderInput,
  orderStep,
  type SubjectKind,
  updateOrder,
} from "../../api/orders";
import { useI18n } from "../../app/i18n";
import { submittedMessage } from "../business/logic";
import { SubjectFormModal } from "../subjects/SubjectForm";
import { subjectKeys } from "../subjects/SubjectsPage";
import { newClientToken, type RowFee } from "./logic";
import { orderKeys } from "./queries";

const { Title, Text, Paragraph } = Typography;

export type SaveBusy = "draft" | "submit" | null;

/**
 * Saves an apply form: a new order (one client token per form, so a double click makes one order) or
 * the order being edited, submitted when asked; then opens the order page. `onFailed` places the
 * server's field problems on the form.
 */
export function useOrderSave(order: OrderDetail | null) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [clientToken] = useState(newClientToken);
  const [busy, setBusy] = useState<SaveBusy>(null);

  async function save(
    submit: boolean,
    input: OrderInput | BusinessOrderInput,
    onFailed: (err: unknown) => void,
  ) {
    setBusy(submit ? "submit" : "draft");
    try {
      let saved: OrderDetail;
      if (!order) {
        saved = await createOrder({ ...input, clientToken, submit });
      } else {
        saved = await updateOrder(order.id, { ...input, version: order.version });
        if (submit && saved.actions.includes("submit")) {
          saved = await orderStep(order.id, "submit", { version: saved.version });
        }
      }
      queryClient.setQueryData(orderKeys.detail(saved.id), saved);
      await queryClient.invalidateQueries({ queryKey: orderKeys.lists });
      await queryClient.invalidateQueries({ queryKey: ["handlers"] });
      await queryClient.invalidateQueries({ queryKey: ["orders", "candidates"] });
      message.success(submit ? submittedMessage(t, saved) : t("apply.draftSaved"));
      navigate(`/orders/${saved.id}`);
    } catch (err) {
      onFailed(err);
    } finally {
      setBusy(null);
    }
  }

  return { busy, save };
}

/** The form's title (查看订单信息 when editing), its description, and why the reviewer sent it back. */
export function ApplyHeading({
  order,
  title,
  description,
}: {
  order: OrderDetail | null;
  title: string;
  description?: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <>
      <Title level={3} style={{ marginTop: 0 }}>
        {order ? t("apply.editTitle", { no: order.orderNo }) : title}
      </Title>
      {description ? <Paragraph type="secondary">{description}</Paragraph> : null}
      {order?.state === "returned" && order.lastNote ? (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={t("order.returnedReason")}
          description={order.lastNote}
        />
      ) : null}
    </>
  );
}

/**
 * One row's fee lines and its subtotal; `unknown` when the price is not known yet; `showZero` keeps a
 * free row's 「小计 ¥0.00」 (解锁, 注销) instead of hiding the block.
 */
export function RowFeeLines({
  fee,
  unknown,
  showZero,
}: {
  fee: RowFee | undefined;
  unknown?: boolean;
  showZero?: boolean;
}) {
  const { t } = useI18n();
  if (!fee || (fee.lines.length === 0 && !unknown && !showZero)) return null;
  return (
    <div className="fee-lines" style={{ marginTop: 12 }}>
      {fee.lines.map((l) => (
        <span key={l.code}>
          {l.labelZh} {formatFen(l.amount)}
        </span>
      ))}
      {unknown ? (
        <Text type="secondary">{t("biz.feeUnknown")}</Text>
      ) : (
        <Text strong>
          {t("apply.rowTotal")} {formatFen(fee.total)}
        </Text>
      )}
    </div>
  );
}

/** 「删除」 on an item card. */
export function RemoveItemButton({ onClick }: { onClick: () => void }) {
  const { t } = useI18n();
  return (
    <Button type="text" danger size="small" icon={<DeleteOutlined />} onClick={onClick}>
      {t("common.delete")}
    </Button>
  );
}

/** The total (live, as the server will compute it), a hint under it, and 取消 / 保存草稿 / 提交订单. */
export function SubmitBar({
  order,
  total,
  hint,
  busy,
  onSave,
}: {
  order: OrderDetail | null;
  total: number;
  hint: string;
  busy: SaveBusy;
  onSave: (submit: boolean) => void;
}) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const canSubmit = !order || order.actions.includes("submit");
  return (
    <Card>
      <Row align="middle" gutter={[16, 16]} justify="space-between">
        <Col xs={24} md={12}>
          <Text>{t("apply.total")}</Text>{" "}
          <Text strong style={{ fontSize: 24, color: "#cf1322" }} data-testid="order-total">
            {formatFen(total)}
          </Text>
          <div>
            <Text type="secondary">{hint}</Text>
          </div>
        </Col>
        <Col xs={24} md={12} style={{ textAlign: "right" }}>
          <Space wrap style={{ justifyContent: "flex-end" }}>
            {order ? (
              <Button onClick={() => navigate(`/orders/${order.id}`)}>{t("common.cancel")}</Button>
            ) : null}
            <Button onClick={() => onSave(false)} loading={busy === "draft"} disabled={busy === "submit"}>
              {order ? t("apply.saveChanges") : t("apply.saveDraft")}
            </Button>
            {canSubmit ? (
              <Button
                type="primary"
                onClick={() => onSave(true)}
                loading={busy === "submit"}
                disabled={busy === "draft"}
              >
                {t("apply.submit")}
              </Button>
            ) : null}
          </Space>
        </Col>
      </Row>
    </Card>
  );
}

/**
 * What an item row picks from when the form names its subject (新证, vendor swap): the account's
 * subjects of `kind` and the CA types for that kind, as queries and as the selects' options.
 */
export function useSubjectChoices(kind: SubjectKind) {
  const subjects = useQuery({
    queryKey: subjectKeys.list(kind, false, ""),
    queryFn: () => listSubjects({ kind, archived: false }),
  });
  const caTypes = useQuery({ queryKey: ["catalog", "ca-types", kind], queryFn: () => listCaTypes(kind) });
  const subjectList = subjects.data?.subjects ?? [];
  return {
    subjects,
    caTypes,
    subjectList,
    subjectOptions: {
      options: subjectList.map((s) => ({
        value: s.id,
        label: `${s.name}（${s.kind === "company" ? s.uscc : s.idNumberMasked}）`,
      })),
      loading: subjects.isPending,
    },
    caTypeOptions: {
      options: (caTypes.data?.caTypes ?? []).map((c) => ({ value: c.id, label: c.name })),
      loading: caTypes.isPending,
    },
  };
}

type Choices = ReturnType<typeof useSubjectChoices>;

/** Says the account has no subject of `kind` yet (the list of 「新增主体」 still offers to add one). */
export function NoSubjectsAlert({ kind, choices }: { kind: SubjectKind; choices: Choices }) {
  const { t } = useI18n();
  if (choices.subjectList.length > 0 || choices.subjects.isPending) return null;
  return (
    <Alert
      type="info"
      showIcon
      style={{ marginBottom: 16 }}
      title={kind === "company" ? t("apply.noCompany") : t("apply.noPerson")}
    />
  );
}

/**
 * 「新增主体」 opened from item row `row` (null: closed): the new subject is saved, the subject lists
 * reload, and the row picks it.
 */
export function AddSubjectModal({
  kind,
  row,
  form,
  onClose,
}: {
  kind: SubjectKind;
  row: number | null;
  // biome-ignore lint/suspicious/noExplicitAny: any form with an items list whose rows have subjectId
  form: FormInstance<any>;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  return (
    <SubjectFormModal
      open={row !== null}
      fixedKind={kind}
      onClose={onClose}
      onSaved={async (s) => {
        onClose();
        await queryClient.invalidateQueries({ queryKey: subjectKeys.all });
        if (row !== null) form.setFieldValue(["items", row, "subjectId"], s.id);
      }}
    />
  );
}

/**
 * An item's subject (with 「新增主体」 in its list) and CA type, as two columns of the item's row.
 * `name` is the Form.List field name; `md` the columns' width on a desktop.
 */
export function SubjectAndCaTypeCols({
  name,
  kind,
  md,
  choices,
  onAddSubject,
}: {
  name: number;
  kind: SubjectKind;
  md: number;
  choices: Choices;
  onAddSubject: () => void;
}) {
  const { t } = useI18n();
  const subjects = choices.subjectOptions;
  const caTypes = choices.caTypeOptions;
  return (
    <>
      <Col xs={24} md={md}>
        <Form.Item
          name={[name, "subjectId"]}
          label={kind === "company" ? t("subj.company") : t("subj.person")}
          rules={[{ required: true, message: t("apply.pickSubject") }]}
        >
          <Select
            showSearch={{ optionFilterProp: "label" }}
            loading={subjects.loading}
            placeholder={t("apply.pickSubject")}
            options={subjects.options}
            popupRender={(menu) => (
              <>
                {menu}
                <Divider style={{ margin: "4px 0" }} />
                <Button type="link" icon={<PlusOutlined />} onClick={onAddSubject}>
                  {t("subj.add")}
                </Button>
              </>
            )}
          />
        </Form.Item>
      </Col>
      <Col xs={24} md={md}>
        <Form.Item
          name={[name, "caTypeId"]}
          label={t("apply.caType")}
          rules={[{ required: true, message: t("apply.pickCaType") }]}
        >
          <Select loading={caTypes.loading} placeholder={t("apply.pickCaType")} options={caTypes.options} />
        </Form.Item>
      </Col>
    </>
  );
}
