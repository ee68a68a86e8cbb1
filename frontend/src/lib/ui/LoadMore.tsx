import { useI18n } from "../i18nContext";
import type { Paged } from "../usePaged";

/** "Load more" under a cursor-paged list, while the API says there is a next page. */
export function LoadMore({ list, label }: { list: Pick<Paged<unknown>, "hasMore" | "loadingMore" | "loadMore">; label?: string }) {
  const { t } = useI18n();
  if (!list.hasMore) return null;
  return (
    <p className="load-more">
      <button
        type="button"
        className="button button--small"
        onClick={list.loadMore}
        disabled={list.loadingMore}
        aria-label={label ? `${t("list.loadMore")}: ${label}` : undefined}
        data-testid="load-more"
      >
        {list.loadingMore ? t("list.loadingMore") : t("list.loadMore")}
      </button>
    </p>
  );
}
