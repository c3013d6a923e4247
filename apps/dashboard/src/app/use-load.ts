import { useCallback, useEffect, useRef, useState } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Loads again now. */
  reload(): void;
  /** Loads again soon, once for a burst of calls (live events arrive in bursts). */
  reloadSoon(): void;
}

/** Loads data with `load` when `deps` change; keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[], debounceMs = 250): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const loader = useRef(load);
  loader.current = load;

  const reload = useCallback(() => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    loader.current().then(
      (data) => mine === generation.current && setState({ data, loading: false }),
      (error: Error) => mine === generation.current && setState((s) => ({ data: s.data, error, loading: false })),
    );
  }, []);

  const reloadSoon = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(reload, debounceMs);
  }, [reload, debounceMs]);

  // The caller's deps decide when to load again (the loader itself changes every render).
  useEffect(() => {
    reload();
    return () => clearTimeout(timer.current);
  }, deps);

  return { data: state.data, error: state.error, loading: state.loading, reload, reloadSoon };
}
