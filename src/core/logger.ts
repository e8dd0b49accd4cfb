import { pino, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

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
