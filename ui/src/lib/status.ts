import { useEffect, useState } from 'preact/hooks';
import type { StatusSnapshot } from '../../../src/status/types';

export type Connection = 'connecting' | 'live' | 'reconnecting';

interface LiveState {
  status?: StatusSnapshot;
  /** performance.now() when the snapshot arrived, to tick uptime locally */
  receivedAt: number;
  connection: Connection;
}

// One socket for the whole page, shared by every component that shows status.
let state: LiveState = { receivedAt: 0, connection: 'connecting' };
const listeners = new Set<(s: LiveState) => void>();
let socket: WebSocket | undefined;
let retryMs = 500;

function set(next: Partial<LiveState>) {
  state = { ...state, ...next };
  for (const l of listeners) l(state);
}

function connect() {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/status/live`;
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => {
    retryMs = 500;
  };
  ws.onmessage = (event) => {
    const message = JSON.parse(String(event.data)) as { type: string; data?: StatusSnapshot };
    if (message.type === 'status' && message.data) set({ status: message.data, receivedAt: performance.now(), connection: 'live' });
  };
  ws.onclose = () => {
    socket = undefined;
    set({ connection: 'reconnecting' });
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  };
}

export function useStatus(): LiveState {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    listeners.add(setCurrent);
    if (!socket) connect();
    setCurrent(state);
    return () => {
      listeners.delete(setCurrent);
    };
  }, []);
  return current;
}

/** Re-renders every `ms` milliseconds, for clocks and relative times. */
export function useTick(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
