import { createContext, useContext, useSyncExternalStore, type ReactNode } from "react";
import type { Api } from "../api/client";
import type { Session, SessionState } from "./session";

interface Services {
  session: Session;
  api: Api;
}

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider({ value, children }: { value: Services; children: ReactNode }) {
  return <ServicesContext.Provider value={value}>{children}</ServicesContext.Provider>;
}

function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error("ServicesProvider is missing");
  return services;
}

/** The typed API client (adds the access token, refreshes silently). */
export function useApi(): Api {
  return useServices().api;
}

export function useSession(): Session {
  return useServices().session;
}

/** The session's state; re-renders on sign-in, refresh and sign-out. */
export function useSessionState(): SessionState {
  const session = useSession();
  return useSyncExternalStore(session.subscribe, session.getState);
}

export function hasAnyRole(state: SessionState, roles: readonly string[]): boolean {
  return (state.claims?.roles ?? []).some((r) => roles.includes(r));
}
