// Small formatting helpers for views: dates in UTC with a relative phrase, plurals, statuses.

const pad = (n: number) => String(n).padStart(2, '0');

/** `2025-03-04 14:05 UTC` — unambiguous for admins in any time zone. */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** `14:02 UTC` today, else `2025-03-04 14:02 UTC`. */
export function formatUtcClock(iso: string, now: number = Date.now()): string {
  const full = formatUtc(iso);
  return full.slice(0, 10) === formatUtc(new Date(now).toISOString()).slice(0, 10) ? full.slice(11) : full;
}

/** `just now`, `5 minutes ago`, `3 hours ago`, `2 days ago`, else the date. */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 0) return formatUtc(iso);
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${plural(m, 'minute')} ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${plural(h, 'hour')} ago`;
  const d = Math.round(h / 24);
  if (d < 30) return `${plural(d, 'day')} ago`;
  return formatUtc(iso).slice(0, 10);
}

export const plural = (n: number, word: string, many = `${word}s`): string => `${n.toLocaleString('en')} ${n === 1 ? word : many}`;

export const formatDuration = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

/** Reason phrases for the statuses SCIM answers with. */
export function statusText(status: number): string {
  const texts: Record<number, string> = {
    200: 'OK', 201: 'Created', 204: 'No Content', 304: 'Not Modified', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
    409: 'Conflict', 412: 'Precondition Failed', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 500: 'Internal Server Error',
    501: 'Not Implemented', 503: 'Service Unavailable',
  };
  return texts[status] ?? '';
}
