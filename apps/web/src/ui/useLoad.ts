import { useCallback, useEffect, useState } from 'react';
import { describeError } from './describeError.ts';

export type Loaded<T> = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; data: T };

/** Runs `load` on mount (and on `reload()`), keeping the last answer or the failure in plain words. */
export function useLoad<T>(load: () => Promise<T>): [Loaded<T>, () => void] {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (data) => {
        if (current) setState({ status: 'ready', data });
      },
      (error: unknown) => {
        if (current) setState({ status: 'error', message: describeError(error) });
      },
    );
    return () => {
      current = false;
    };
    // `load` is recreated on every render; `generation` decides when to load again.
  }, [generation]);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  return [state, reload];
}
