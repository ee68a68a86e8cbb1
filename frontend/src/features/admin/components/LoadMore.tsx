import { useI18n } from "../../../lib/i18nContext";

/** "Load more" under a paged list while the API has a next page; says how many rows are shown. */
export function LoadMore({ list, count }: { list: { hasMore: boolean; loadingMore: boolean; loadMore: () => void }; count: number }) {
  const { t } = useI18n();
  if (!list.hasMore) return count > 0 ? <p className="muted paging">{t("admin.allShown", { count })}</p> : null;
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
