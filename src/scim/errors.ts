// The one SCIM protocol error type. The core throws it; the /scim/v2 error handler turns it into
// the RFC 7644 §3.12 body: {"schemas":[Error URN],"status":"<string>","scimType"?,"detail"}.

export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** RFC 7644 Table 9, plus the RFC 9865 cursor errors. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  | 'invalidCursor'
  | 'expiredCursor'
  | 'invalidCount';

export type ScimStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 429 | 500 | 501 | 503;

export interface ScimErrorOptions {
  /** Character offset in the filter/path text where the problem was found. */
  readonly position?: number;
  /** Index of the failing PATCH or Bulk operation. */
  readonly operationIndex?: number;
  readonly cause?: unknown;
  /** A uniqueness clash: which existing resource holds the value (for the activity log and console). */
  readonly conflict?: ScimConflict;
}

export interface ScimConflict {
  readonly attribute: string;
  readonly value: string;
  readonly existingId: string;
  readonly existingName: string;
}

export class ScimError extends Error {
  readonly position: number | undefined;
  readonly operationIndex: number | undefined;
  readonly conflict: ScimConflict | undefined;

  constructor(
    readonly status: ScimStatus,
    readonly scimType: ScimType | undefined,
    readonly detail: string,
    /** Stable, greppable id of the throw site, e.g. SCIM_E_FILTER_001. */
    readonly code: string,
    options: ScimErrorOptions = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ScimError';
    this.position = options.position;
    this.operationIndex = options.operationIndex;
    this.conflict = options.conflict;
  }

  /** The same error, tagged with the index of the PATCH/Bulk operation that raised it. */
  atOperation(index: number): ScimError {
    const detail = this.operationIndex === undefined ? `Operation ${index}: ${this.detail}` : this.detail;
    return new ScimError(this.status, this.scimType, detail, this.code, {
      ...(this.position === undefined ? {} : { position: this.position }),
      operationIndex: index,
      cause: this,
      ...(this.conflict ? { conflict: this.conflict } : {}),
    });
  }

  toBody(): Record<string, unknown> {
    return {
      schemas: [ERROR_SCHEMA],
      status: String(this.status),
      ...(this.scimType ? { scimType: this.scimType } : {}),
      detail: this.detail,
    };
  }
}

type Opts = ScimErrorOptions;
const make = (status: ScimStatus, scimType: ScimType | undefined) => (detail: string, code: string, options?: Opts) =>
  new ScimError(status, scimType, detail, code, options);

export const invalidFilter = make(400, 'invalidFilter');
export const tooMany = make(400, 'tooMany');
export const invalidSyntax = make(400, 'invalidSyntax');
export const invalidPath = make(400, 'invalidPath');
export const noTarget = make(400, 'noTarget');
export const invalidValue = make(400, 'invalidValue');
export const mutability = make(400, 'mutability');
export const invalidVers = make(400, 'invalidVers');
export const invalidCursor = make(400, 'invalidCursor');
export const expiredCursor = make(400, 'expiredCursor');
export const invalidCount = make(400, 'invalidCount');
export const uniqueness = make(409, 'uniqueness');
export const unauthorized = make(401, undefined);
export const forbidden = make(403, undefined);
export const notFound = make(404, undefined);
export const preconditionFailed = make(412, undefined);
export const payloadTooLarge = make(413, undefined);
export const tooManyRequests = make(429, undefined);
export const notImplemented = make(501, undefined);
export const serviceUnavailable = make(503, undefined);

export const isScimError = (e: unknown): e is ScimError => e instanceof ScimError;
