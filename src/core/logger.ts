import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/settings.js';

export type { Logger };

/** JSON logs on stdout. Anything that looks like a credential is redacted before it is written. */
export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: 'lurk' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          '*.clientSecret',
          '*.client_secret',
          '*.access_token',
          '*.refresh_token',
          '*.password',
          'clientSecret',
          'password',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? process.stdout,
  );
}
