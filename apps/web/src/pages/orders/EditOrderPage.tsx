import type { BusinessCode } from "@certhall/domain";
import { useQuery } from "@tanstack/react-query";
import { useParams } from "react-router";
import { getOrder, type SubjectKind } from "../../api/orders";
import { NotFound } from "../../app/NotFound";
import { LoadError, PageLoading } from "../../components/PageLoading";
import { BusinessForm } from "../business/BusinessApplyPage";
import { isOwnTargetBusiness } from "../business/logic";
import { VendorSwapForm } from "../business/VendorSwapPage";
import { ApplyForm } from "./ApplyPage";
import { RequireLogin } from "./HandlerCard";
import { orderKeys } from "./queries";

/** /orders/:id/edit — 【查看订单信息】: the order's own business form on the existing order. */
export function EditOrderPage() {
  const { id = "" } = useParams();
  return (
    <RequireLogin next={`/orders/${id}/edit`}>
      <EditOrderLoader id={id} />
    </RequireLogin>
  );
}

function EditOrderLoader({ id }: { id: string }) {
  const order = useQuery({ queryKey: orderKeys.detail(id), queryFn: () => getOrder(id) });
  if (order.isPending) return <PageLoading />;
  if (order.isError) return <LoadError error={order.error} onRetry={() => order.refetch()} />;
  const o = order.data;
  if (o.business === "new") {
    return <ApplyForm business={o.business as BusinessCode} kind={o.subjectKind as SubjectKind} order={o} />;
  }
  if (o.business === "vendor_swap") return <VendorSwapForm order={o} />;
  if (isOwnTargetBusiness(o.business)) return <BusinessForm business={o.business} order={o} />;
  return <NotFound />;
}
