// Value-level rules shared by the write codec and the PATCH engine: boolean coercion,
// xsd:dateTime checks, string limits and the single-primary invariant.
import { isJsonObject, type JsonValue } from '../../domain/json.js';

/**
 * R-GEN-10: JSON booleans, or the strings "true"/"false" in any letter case (Entra sends
 * "True"/"False"). Surrounding whitespace is tolerated. Anything else → undefined.
 */
export const coerceBoolean = (v: unknown): boolean | undefined => {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'string') return undefined;
  const s = v.trim().toLowerCase();
  return s === 'true' ? true : s === 'false' ? false : undefined;
};

/** R-GEN-09 / R-ENTRA-22: `null` and `""` mean "no value"; they are never stored. */
export const isNoValue = (v: unknown): boolean => v === null || v === undefined || v === '';

/** Length in Unicode code points, so a limit in "characters" does not punish astral text. */
export const charLength = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** The cheap check first: UTF-16 length is never below the code-point count. */
export const exceedsChars = (s: string, max: number): boolean => s.length > max && charLength(s) > max;

// xsd:dateTime (RFC 7643 §2.3.5): yyyy-mm-ddThh:mm:ss[.fff][Z|±hh:mm]; a leading '-' and
// years beyond 9999 are legal xsd but not something a client sends, so they are refused.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))?$/;

export const isXsdDateTime = (s: string): boolean => {
  const m = DATE_TIME.exec(s);
  if (m === null) return false;
  const [y, mo, d, h, mi, sec, tzh, tzm] = m.slice(1).map((p) => (p === undefined ? 0 : Number(p)));
  if (y === undefined || mo === undefined || d === undefined) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return false;
  // xsd allows 24:00:00 as the end of a day.
  const endOfDay = h === 24 && mi === 0 && sec === 0;
  return (endOfDay || (h ?? 0) <= 23) && (mi ?? 0) <= 59 && (sec ?? 0) <= 59 && (tzh ?? 0) <= 14 && (tzm ?? 0) <= 59;
};

const isPrimary = (v: JsonValue | undefined): boolean => isJsonObject(v) && v['primary'] === true;

/**
 * RFC 7643 §2.4: "The primary attribute value 'true' MUST appear no more than once."
 * Decision: the first element marked primary wins, unless `preferIndex` names an element that
 * is itself marked primary — the PATCH engine passes the element it just wrote, so a newly set
 * primary clears the others (R-CORE-18). Losers get `primary: false` (not deleted), so the
 * client can see what happened. Returns a new array; input elements are not mutated.
 */
export const ensureSinglePrimary = (values: JsonValue[], preferIndex?: number): JsonValue[] => {
  const winner = preferIndex !== undefined && isPrimary(values[preferIndex]) ? preferIndex : values.findIndex(isPrimary);
  if (winner < 0) return [...values];
  return values.map((v, i) => (i !== winner && isPrimary(v) && isJsonObject(v) ? { ...v, primary: false } : v));
};
