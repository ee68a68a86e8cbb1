import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { RouterProvider } from "react-router";
import { ApiError } from "../lib/api/problem";
import { createApi } from "../lib/api/client";
import { ServicesProvider } from "../lib/auth/context";
import { browserSession } from "../lib/auth/session";
import { I18nProvider } from "../lib/i18nContext";
import { createAppRouter } from "./router";

function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        // a 4xx will not change by asking again
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
        refetchOnWindowFocus: false,
      },
    },
  });
}

export function App() {
  const [services] = useState(() => {
    const session = browserSession();
    return { session, api: createApi(session) };
  });
  const [queryClient] = useState(makeQueryClient);
  const [router] = useState(createAppRouter);

  useEffect(() => {
    void services.session.restore();
    // a signed-out user's cached data must not outlive the session
    return services.session.subscribe(() => {
      if (services.session.getState().status === "signedOut") queryClient.clear();
    });
  }, [services, queryClient]);

  return (
    <ServicesProvider value={services}>
      <QueryClientProvider client={queryClient}>
        <I18nProvider>
          <RouterProvider router={router} />
        </I18nProvider>
      </QueryClientProvider>
    </ServicesProvider>
  );
}
