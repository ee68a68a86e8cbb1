import { useI18n } from "../../../lib/i18nContext";
import { PAGE } from "../api/admin";

interface Paged {
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
}

/**
 * "Load more" under a paged list while the API has a next page, with how many rows are
 * shown; "All N shown." once a list longer than one page (`pageSize`) is complete.
 */
export function LoadMore({ list, count, pageSize = PAGE }: { list: Paged; count: number; pageSize?: number }) {
  const { t } = useI18n();
  if (!list.hasMore) return count > pageSize ? <p className="muted paging">{t("admin.allShown", { count })}</p> : null;
  return (
    <p className="paging">
      <span className="muted" aria-live="polite">
        {t("admin.shown", { count })}
      </span>{" "}
      <button type="button" className="button" disabled={list.loadingMore} onClick={list.loadMore}>
        {list.loadingMore ? t("admin.loadingMore") : t("admin.loadMore")}
      </button>
    </p>
  );
}
