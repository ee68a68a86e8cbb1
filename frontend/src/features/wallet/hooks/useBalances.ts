import { useQuery } from "@tanstack/react-query";
import { useApi } from "../../../lib/auth/context";
import { walletApi } from "../api/wallet";

export interface BalanceRow {
  asset: string;
  fundingAvailable: string;
  fundingHeld: string;
  spotFree: string;
  spotLocked: string;
}

/** Funding (banking) and spot (trading) balances side by side, one row per asset. */
export function mergeBalances(
  funding: readonly { asset: string; available: string; held: string }[],
  spot: readonly { asset: string; free: string; locked: string }[],
): BalanceRow[] {
  const rows = new Map<string, BalanceRow>();
  const row = (asset: string): BalanceRow => {
    let r = rows.get(asset);
    if (!r) {
      r = { asset, fundingAvailable: "0", fundingHeld: "0", spotFree: "0", spotLocked: "0" };
      rows.set(asset, r);
    }
    return r;
  };
  for (const a of funding) Object.assign(row(a.asset), { fundingAvailable: a.available, fundingHeld: a.held });
  for (const b of spot) Object.assign(row(b.asset), { spotFree: b.free, spotLocked: b.locked });
  return [...rows.values()].sort((a, b) => (a.asset === "AED" ? -1 : b.asset === "AED" ? 1 : a.asset.localeCompare(b.asset)));
}

export function useBalances() {
  const api = useApi();
  const funding = useQuery({ queryKey: ["wallet", "funding"], queryFn: () => walletApi.fundingAccounts(api) });
  const spot = useQuery({ queryKey: ["wallet", "spot"], queryFn: () => walletApi.spotBalances(api), retry: false });
  return {
    rows: mergeBalances(funding.data ?? [], spot.data?.items ?? []),
    isPending: funding.isPending,
    error: funding.error ?? spot.error,
  };
}
