import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "react-router/dom";
import { isApiError } from "./api/errors";
import { bootstrapSession } from "./api/useSession";
import { registerServiceWorker } from "./pwa";
import { createRouter } from "./router";
import { startLocale } from "./i18n";
import { followProfileLocale } from "./i18n/profile";
import { session } from "./api/session";
import "./index.css";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // Always try the request: offline, the service worker may answer from its cache.
      networkMode: "offlineFirst",
      refetchOnWindowFocus: false,
      // Do not retry client errors (4xx): the server's answer will not change.
      retry: (count, error) => !(isApiError(error) && error.status >= 400 && error.status < 500) && count < 2,
    },
  },
});

void bootstrapSession();
registerServiceWorker();

// The language's messages are loaded before the first render, so no page flashes in English first.
void startLocale().then(() => {
  followProfileLocale(session);
  const router = createRouter();
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  );
});
