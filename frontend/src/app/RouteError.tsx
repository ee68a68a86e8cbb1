import { isRouteErrorResponse, useRouteError } from "react-router";
import { useI18n } from "../lib/i18nContext";

const RELOADED = "burency.reloadedForChunk";

/** A page's code that cannot be loaded: a new version was deployed while this tab was open. */
function isChunkError(error: unknown): boolean {
  return error instanceof Error && /dynamically imported module|Importing a module script failed/i.test(error.message);
}

/**
 * What a route shows when it fails: after a deploy, the old page's chunks are gone, so
 * the tab reloads itself once to get the new version; anything else is said plainly,
 * with a way back.
 */
export function RouteError() {
  const error = useRouteError();
  const { t } = useI18n();
  if (isChunkError(error) && !window.sessionStorage.getItem(RELOADED)) {
    window.sessionStorage.setItem(RELOADED, "1");
    window.location.reload();
    return null;
  }
  window.sessionStorage.removeItem(RELOADED);
  const notFound = isRouteErrorResponse(error) && error.status === 404;
  return (
    <main id="main" className="route-error">
      <section className="card" role="alert">
        <h1>{t(notFound ? "routeError.notFoundTitle" : "routeError.failedTitle")}</h1>
        <p>
          {t(
            isChunkError(error)
              ? "routeError.newVersion"
              : notFound
                ? "routeError.nothingHere"
                : "routeError.tryAgain",
          )}
        </p>
        <p>
          <button type="button" className="button button--primary" onClick={() => window.location.reload()}>
            {t("routeError.reload")}
          </button>{" "}
          <a href="/">{t("routeError.start")}</a>
        </p>
      </section>
    </main>
  );
}
