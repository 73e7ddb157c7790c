import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  /** True only before the first answer: a reload keeps showing the data it has. */
  isLoading: boolean;
  isReloading: boolean;
  reload(): Promise<void>;
  setData(update: T | ((previous: T | undefined) => T)): void;
}

/**
 * Loads something from the API and keeps it: loading, error and data, a reload that does not blank the
 * screen, and answers that arrive out of order (a slow old request) ignored.
 */
export function useResource<T>(load: () => Promise<T>, deps: DependencyList): Resource<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [isLoading, setIsLoading] = useState(true);
  const [isReloading, setIsReloading] = useState(false);
  const generation = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const run = useCallback(async (isFirst: boolean) => {
    const mine = ++generation.current;
    if (isFirst) setIsLoading(true);
    else setIsReloading(true);
    try {
      const result = await loadRef.current();
      if (mine !== generation.current) return;
      setDataState(result);
      setError(null);
    } catch (caught) {
      if (mine !== generation.current) return;
      setError(caught);
    } finally {
      if (mine === generation.current) {
        setIsLoading(false);
        setIsReloading(false);
      }
    }
  }, []);

  useEffect(
    () => {
      setDataState(undefined);
      void run(true);
    },
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to load again.
    deps,
  );

  const reload = useCallback(() => run(false), [run]);
  const setData = useCallback((update: T | ((previous: T | undefined) => T)) => {
    setDataState((previous) =>
      typeof update === 'function' ? (update as (previous: T | undefined) => T)(previous) : update,
    );
  }, []);
  return { data, error, isLoading, isReloading, reload, setData };
}

/** Calls `callback` at most once per `waitMs`, trailing: bursts of live events cause one refetch. */
export function throttle(callback: () => void, waitMs: number): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastRun = 0;
  return () => {
    if (timer) return;
    const wait = Math.max(0, lastRun + waitMs - Date.now());
    timer = setTimeout(() => {
      timer = null;
      lastRun = Date.now();
      callback();
    }, wait);
  };
}
