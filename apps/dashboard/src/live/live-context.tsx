import { createContext, useContext, useEffect, useRef, useState } from 'react';
import type { LiveClient, LiveEvent, LiveStatus } from './live-client.js';

export const LiveContext = createContext<LiveClient | null>(null);

/**
 * Calls `onEvent` for each live event matching `patterns` while the component
 * is mounted, and `onResync` when events may have been missed. The callbacks
 * may change between renders; the subscription follows the patterns only.
 */
export function useLiveEvents(patterns: readonly string[], onEvent: (event: LiveEvent) => void, onResync?: () => void): void {
  const live = useContext(LiveContext);
  const handlers = useRef({ onEvent, onResync });
  handlers.current = { onEvent, onResync };
  const key = patterns.join('\n');
  useEffect(() => {
    if (!live || key === '') return;
    return live.listen({
      patterns: key.split('\n'),
      onEvent: (event) => handlers.current.onEvent(event),
      onResync: () => handlers.current.onResync?.(),
    });
  }, [live, key]);
}

export function useLiveStatus(): LiveStatus {
  const live = useContext(LiveContext);
  const [status, setStatus] = useState<LiveStatus>(live?.status ?? 'closed');
  useEffect(() => {
    if (!live) return;
    setStatus(live.status);
    return live.onStatus(setStatus);
  }, [live]);
  return status;
}
