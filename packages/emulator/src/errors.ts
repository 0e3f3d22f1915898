/**
 * Defender for Endpoint API errors, one factory method per error, so every handler answers
 * with the same code, status and wording. Body shape: `{"error":{"code","message","target"}}`
 * where `target` is the correlation id (a fresh GUID per response).
 */

/** An API error ready to be sent. */
export class MdeError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Stable error code clients match on. */
  readonly code: string;
  /** Extra response headers (Retry-After on 429). */
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = "MdeError";
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** Default code the API uses for a status, for faults that name only a status. */
export function defaultCodeForStatus(status: number): string {
  const codes: Record<number, string> = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
  };
  return codes[status] ?? (status >= 500 ? "InternalServerError" : "BadRequest");
}

/** Headers of a throttled answer: whole seconds (rounded up) and exact milliseconds. */
export function retryAfterHeaders(retryAfterMs: number): Record<string, string> {
  const ms = Math.max(0, Math.ceil(retryAfterMs));
  return { "Retry-After": String(Math.max(1, Math.ceil(ms / 1000))), "retry-after-ms": String(ms) };
}

/** Factory of every error the emulated API returns. */
export const MdeErrorFactory = {
  /** 401: no bearer token. */
  missingToken(): MdeError {
    return new MdeError(401, "Unauthorized", "Authorization header is missing or is not a Bearer token");
  },
  /** 401: token expired, badly signed, for another audience or issuer. */
  invalidToken(reason: string): MdeError {
    return new MdeError(401, "Unauthorized", `Invalid token: ${reason}`);
  },
  /** 403: the application lacks every role that would allow the call. */
  missingRole(anyOf: readonly string[]): MdeError {
    return new MdeError(
      403,
      "Forbidden",
      `The application does not have any of the required application permissions (${anyOf.join(", ")}) to access the resource.`,
    );
  },
  /** 403: a delegated token whose `scp` holds none of the delegated permissions the call needs. */
  missingScope(anyOf: readonly string[]): MdeError {
    return new MdeError(
      403,
      "Forbidden",
      `The token does not have any of the required delegated permissions (scp: ${anyOf.join(", ")}) to access the resource.`,
    );
  },
  /** 403: a delegated token for a user the tenant no longer knows. */
  unknownUser(user: string): MdeError {
    return new MdeError(403, "Forbidden", `User ${user} is not a user of this Defender tenant.`);
  },
  /** 403: the user's Defender roles lack every permission that would allow the call. */
  missingRolePermission(upn: string, anyOf: readonly string[]): MdeError {
    return new MdeError(
      403,
      "Forbidden",
      `User ${upn} does not have the required Defender role permission (one of: ${anyOf.join(", ")}).`,
    );
  },
  /** 403: the device is in a device group the user has no access to. */
  noDeviceGroupAccess(upn: string, machineId: string, rbacGroupId: number): MdeError {
    return new MdeError(
      403,
      "Forbidden",
      `User ${upn} has no access to machine ${machineId}: its device group ${rbacGroupId} is not among the user's device groups.`,
    );
  },
  /** 404: unknown machine or machine action. */
  resourceNotFound(kind: "Machine" | "MachineAction", id: string): MdeError {
    return new MdeError(404, "ResourceNotFound", `${kind} ${id} was not found`);
  },
  /** 404: the action exists but has no package yet (or never will). */
  packageNotReady(actionId: string, status: string): MdeError {
    return new MdeError(
      404,
      "ResourceNotFound",
      `Investigation package of action ${actionId} is not available (status ${status})`,
    );
  },
  /** 404: no route matches. */
  notFound(path: string): MdeError {
    return new MdeError(404, "NotFound", `No resource matches the request URI '${path}'`);
  },
  /** 400: body missing, not JSON, or without a required property (names are case-sensitive). */
  invalidRequestBody(message: string): MdeError {
    return new MdeError(400, "InvalidRequestBody", message);
  },
  /** 400: a collection is already pending or running on the device. */
  activeRequestAlreadyExists(): MdeError {
    return new MdeError(400, "ActiveRequestAlreadyExists", "Action is already in progress");
  },
  /** 400: the device OS cannot collect an investigation package. */
  osPlatformNotSupported(osPlatform: string): MdeError {
    return new MdeError(
      400,
      "OsPlatformNotSupported",
      `Collect investigation package is not supported on OS platform ${osPlatform}`,
    );
  },
  /** 400: the device OS cannot run this kind of action. */
  actionNotSupported(action: string, osPlatform: string): MdeError {
    return new MdeError(
      400,
      "OsPlatformNotSupported",
      `${action} is not supported on OS platform ${osPlatform}`,
    );
  },
  /** 404: a live response command whose result cannot be downloaded (yet, or ever). */
  liveResponseResultNotReady(actionId: string, index: number, status: string): MdeError {
    return new MdeError(
      404,
      "ResourceNotFound",
      `Live response result ${index} of action ${actionId} is not available (command status ${status})`,
    );
  },
  /** 429: the tenant already runs as many live response sessions as it may. */
  tooManyLiveResponseSessions(retryAfterMs: number, limit: number): MdeError {
    return MdeErrorFactory.tooManyRequests(
      retryAfterMs,
      `${limit} concurrently running live response sessions`,
    );
  },
  /** 400: cancel on an action that is already final. */
  actionAlreadyFinal(actionId: string, status: string): MdeError {
    return new MdeError(400, "BadRequest", `Action ${actionId} is already in a final state (${status})`);
  },
  /** 400: an OData query option that cannot be parsed or names an unknown property. */
  odataError(message: string): MdeError {
    return new MdeError(400, "ODataError", message);
  },
  /** 400: a required query parameter is missing. */
  missingRequiredParameter(name: string): MdeError {
    return new MdeError(400, "MissingRequiredParameter", `Required parameter '${name}' is missing`);
  },
  /** 400: a query value out of range. */
  invalidInput(message: string): MdeError {
    return new MdeError(400, "InvalidInput", message);
  },
  /** 429: over the rate limit of this application and route. */
  tooManyRequests(retryAfterMs: number, limit: string): MdeError {
    return new MdeError(
      429,
      "TooManyRequests",
      `Rate limit is exceeded (${limit}). Try again in ${Math.max(1, Math.ceil(retryAfterMs / 1000))} seconds.`,
      retryAfterHeaders(retryAfterMs),
    );
  },
  /** 500. */
  internalServerError(): MdeError {
    return new MdeError(500, "InternalServerError", "An internal server error occurred");
  },
  /** Any status, for fault injection. */
  injected(status: number, code?: string, retryAfterSeconds?: number): MdeError {
    const headers = retryAfterSeconds === undefined ? {} : retryAfterHeaders(retryAfterSeconds * 1000);
    return new MdeError(status, code ?? defaultCodeForStatus(status), `Injected fault (${status})`, headers);
  },
};
