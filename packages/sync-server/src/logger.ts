import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs; `level: 'silent'` in tests. Child loggers carry a namespace. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'coffre-relay' } });
}
