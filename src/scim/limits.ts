// Protocol limits. One frozen object is advertised in /ServiceProviderConfig (RFC 7643 §5,
// RFC 9865 `pagination`) and enforced by the codec, PATCH engine, Bulk and list handlers, so
// what we advertise and what we enforce cannot drift apart.

export interface ScimLimits {
  /** `count` used when a list request gives none (RFC 7644 §3.4.2.4; R-OKTA-05 pages by 100). */
  readonly defaultPageSize: number;
  /** Larger `count` values are capped, not rejected (R-CORE-07); also SPC filter.maxResults. */
  readonly maxPageSize: number;
  /** SPC bulk.maxOperations (RFC 7644 §3.7.4: more → 413). */
  readonly bulkMaxOperations: number;
  /** SPC bulk.maxPayloadSize in bytes (RFC 7644 §3.7.4: more → 413). */
  readonly bulkMaxPayloadBytes: number;
  /** Operations in one PATCH request; Entra sends ~6, member syncs more (R-ENTRA-20, R-ENTRA-32). */
  readonly maxPatchOperations: number;
  /** Characters (Unicode code points) in one string value; longer → 400 invalidValue. */
  readonly maxStringLength: number;
  /** Elements in one multi-valued attribute, except Group members (rows, see maxMembersPerRequest). */
  readonly maxMultiValues: number;
  /** Members named in one request (POST/PUT body or the sum over one PATCH's operations). */
  readonly maxMembersPerRequest: number;
  /**
   * Work units one PATCH request may spend in the engine (docs/security.md "Cost model"): per
   * operation, elements examined × value-filter terms (or listed values), plus the document's
   * values × PATCH_CODEC_UNITS when the codec re-checks it. About 0.5 µs per unit.
   */
  readonly maxPatchWork: number;
  /** Value-filter comparisons summed over one PATCH request's paths (parsing them is work too). */
  readonly maxPatchFilterTerms: number;
  /** Lifetime of an RFC 9865 cursor (SPC pagination.cursorTimeout); older → expiredCursor. */
  readonly cursorTimeoutSeconds: number;
}

export const DEFAULT_SCIM_LIMITS: ScimLimits = Object.freeze({
  defaultPageSize: 100,
  maxPageSize: 1000,
  bulkMaxOperations: 1000,
  bulkMaxPayloadBytes: 1_048_576,
  maxPatchOperations: 1000,
  maxStringLength: 8192,
  maxMultiValues: 1000,
  maxMembersPerRequest: 10_000,
  maxPatchWork: 25_000,
  maxPatchFilterTerms: 1_000,
  cursorTimeoutSeconds: 3600,
});
