import { useInfiniteQuery, type QueryKey } from "@tanstack/react-query";
import { useMemo } from "react";
import { mergePages, nextCursorOf, type CursorPage } from "./paging";

export interface Paged<T> {
  rows: T[];
  isPending: boolean;
  error: Error | null;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
}

/**
 * A cursor-paged list: the first page, then `loadMore()` fetches the next with the
 * previous page's `nextCursor`. A refetch (an invalidation after a new order) reads the
 * loaded pages again from the first, each with the cursor the fresh page before it gave.
 */
export function usePaged<T>(options: {
  queryKey: QueryKey;
  fetchPage: (cursor: string | null) => Promise<CursorPage<T>>;
  keyOf: (item: T) => string | number;
  enabled?: boolean;
  staleTime?: number;
  retry?: boolean;
  /** read the loaded pages again every N ms while this says so (given the rows so far) */
  refetchEvery?: (rows: T[]) => number | false;
}): Paged<T> {
  const { queryKey, fetchPage, keyOf, enabled = true, staleTime, retry, refetchEvery } = options;
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => nextCursorOf(last),
    enabled,
    staleTime,
    ...(retry === undefined ? {} : { retry }),
    ...(refetchEvery
      ? { refetchInterval: (q: { state: { data?: { pages: CursorPage<T>[] } } }) => refetchEvery(mergePages(q.state.data?.pages ?? [], keyOf)) }
      : {}),
  });
  const pages = query.data?.pages;
  // keyOf is a pure key function: a new closure each render must not redo the merge
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const rows = useMemo(() => mergePages(pages ?? [], keyOf), [pages]);
  return {
    rows,
    isPending: enabled && query.isPending,
    error: query.error,
    hasMore: query.hasNextPage,
    loadingMore: query.isFetchingNextPage,
    loadMore: () => void query.fetchNextPage(),
  };
}
