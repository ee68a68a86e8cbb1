/** The chains banking watches (its DEFAULT_CHAIN_NETWORKS; the API has no list of them). */
export const CHAINS = [
  { asset: "BTC", network: "BTC" },
  { asset: "ETH", network: "ETH" },
  { asset: "USDT", network: "ERC20" },
  { asset: "USDT", network: "TRC20" },
] as const;

export type Chain = (typeof CHAINS)[number];
