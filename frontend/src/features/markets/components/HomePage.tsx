import { Navigate } from "react-router";
import { useSessionState } from "../../../lib/auth/context";
import { MarketsPage } from "./MarketsPage";

/** `/`: the markets for a visitor, the wallet for a signed-in user. */
export function HomePage() {
  const state = useSessionState();
  if (state.status === "loading") return null;
  if (state.status === "signedIn") return <Navigate to="/wallet" replace />;
  return <MarketsPage />;
}
