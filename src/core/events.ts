// The bus's event catalogue. Each capability adds its own topics here by declaration
// merging (`declare module '../core/events.js' { interface LurkEvents { ... } }`), so a
// publisher and its subscribers always agree on a payload's shape. Payloads are plain
// JSON values: a Redis bus carries them between processes unchanged.

export interface JobRunEvent {
  job: string;
  startedAt: number;
  finishedAt?: number;
  durationMs?: number;
  outcome?: 'ok' | 'error';
  error?: string;
  trigger: 'schedule' | 'manual';
}

export interface LurkEvents {
  'job.started': JobRunEvent;
  'job.finished': JobRunEvent;
}

export type Topic = keyof LurkEvents;
