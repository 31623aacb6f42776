/** ISO-8601 UTC with milliseconds: sortable as text, identical in both dialects. */
export const isoNow = (): string => new Date().toISOString();

/** Where time-dependent behaviour (retention, purge) reads the time: tests inject a fixed or moving clock. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
