import { isRouteErrorResponse, useRouteError } from "react-router";

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
        <h1>{notFound ? "Page not found" : "Something went wrong"}</h1>
        <p>
          {isChunkError(error)
            ? "A new version of Burency is available."
            : notFound
              ? "There is nothing at this address."
              : "This page could not be shown. Please try again."}
        </p>
        <p>
          <button type="button" className="button button--primary" onClick={() => window.location.reload()}>
            Reload
          </button>{" "}
          <a href="/">Go to the start page</a>
        </p>
      </section>
    </main>
  );
}
