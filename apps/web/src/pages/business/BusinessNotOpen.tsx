import { BUSINESS_TYPES, type BusinessCode } from "@certhall/domain";
import { Button, Result } from "antd";
import { Link } from "react-router";
import { useI18n } from "../../app/i18n";

/** A business that exists but is not open yet: say so instead of a form that cannot be submitted. */
export function BusinessNotOpen({ business }: { business: BusinessCode }) {
  const { t, lang } = useI18n();
  const b = BUSINESS_TYPES[business];
  return (
    <div className="page">
      <Result
        status="info"
        title={t("biz.notOpen", { name: lang === "zh" ? b.name : b.nameEn })}
        subTitle={t("biz.notOpenText")}
        extra={
          <Link to="/business">
            <Button type="primary">{t("biz.backToList")}</Button>
          </Link>
        }
      />
    </div>
  );
}
