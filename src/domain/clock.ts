/** ISO-8601 UTC with milliseconds: sortable as text, identical in both dialects. */
export const isoNow = (): string => new Date().toISOString();
