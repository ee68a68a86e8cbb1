import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { useApi } from "../../../lib/auth/context";
import { formatAmount } from "../../../lib/format";
import { walletApi } from "../api/wallet";

/** The withdrawal limits of the user's KYC level for `asset`, and the KYC step when they are zero. */
export function WithdrawLimits({ asset }: { asset: string }) {
  const api = useApi();
  const limits = useQuery({ queryKey: ["wallet", "limits"], queryFn: () => walletApi.limits(api) });
  const limit = limits.data?.find((l) => l.asset === asset);
  if (!limit) return null;
  return (
    <p className="muted" data-testid="withdraw-limits">
      KYC level {limit.level}: today {formatAmount(limit.dailyUsed, 0)} of {formatAmount(limit.daily, 0)} {asset}, this
      month {formatAmount(limit.monthlyUsed, 0)} of {formatAmount(limit.monthly, 0)} {asset}.
      {/[1-9]/.test(limit.daily) ? null : (
        <>
          {" "}
          <Link to="/kyc">Complete your profile (KYC level 1)</Link> to withdraw.
        </>
      )}
    </p>
  );
}
