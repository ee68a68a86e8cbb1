import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useApi } from "../../../lib/auth/context";
import { formatAmount } from "../../../lib/format";
import { useI18n } from "../../../lib/i18nContext";
import { walletApi } from "../api/wallet";

/** The withdrawal limits of the user's KYC level for `asset`, and the KYC step when they are zero. */
export function WithdrawLimits({ asset }: { asset: string }) {
  const api = useApi();
  const { t } = useI18n();
  const limits = useQuery({ queryKey: ["wallet", "limits"], queryFn: () => walletApi.limits(api) });
  const limit = limits.data?.find((l) => l.asset === asset);
  if (!limit) return null;
  return (
    <p className="muted" data-testid="withdraw-limits">
      {t("wallet.limits.line", {
        level: limit.level,
        dailyUsed: formatAmount(limit.dailyUsed, 0),
        daily: formatAmount(limit.daily, 0),
        monthlyUsed: formatAmount(limit.monthlyUsed, 0),
        monthly: formatAmount(limit.monthly, 0),
        asset,
      })}
      {/[1-9]/.test(limit.daily) ? null : (
        <>
          {" "}
          <Link to="/kyc">{t("wallet.limits.kyc")}</Link> {t("wallet.limits.toWithdraw")}
        </>
      )}
    </p>
  );
}
