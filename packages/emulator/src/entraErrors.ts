/**
 * Entra ID (AADSTS) token endpoint errors, one factory method per error, in the shape
 * login.microsoftonline.com answers with:
 * `{"error","error_description":"AADSTSnnn: ...\r\nTrace ID: ...","error_codes":[n],"timestamp","trace_id","correlation_id","error_uri"}`.
 */
import { randomUUID } from "node:crypto";

/** A token endpoint error ready to be sent. */
export class EntraError extends Error {
  readonly status: number;
  /** OAuth error (`invalid_client`, ...). */
  readonly error: string;
  /** AADSTS number. */
  readonly aadsts: number;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    error: string,
    aadsts: number,
    message: string,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "EntraError";
    this.status = status;
    this.error = error;
    this.aadsts = aadsts;
    this.headers = headers;
  }

  /** Response body, with fresh trace and correlation ids. */
  toBody(origin: string): Record<string, unknown> {
    const traceId = randomUUID();
    const correlationId = randomUUID();
    const timestamp = new Date()
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, "Z");
    return {
      error: this.error,
      error_description: `AADSTS${this.aadsts}: ${this.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [this.aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${origin}/error?code=${this.aadsts}`,
    };
  }
}

/** Factory of every token endpoint error the emulator returns. */
export const EntraErrorFactory = {
  /** Unknown tenant in the path. */
  tenantNotFound(tenant: string): EntraError {
    return new EntraError(
      400,
      "invalid_request",
      90002,
      `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );
  },
  /** A required form parameter is missing. */
  missingParameter(parameter: string): EntraError {
    return new EntraError(
      400,
      "invalid_request",
      900144,
      `The request body must contain the following parameter: '${parameter}'.`,
    );
  },
  /** Only client credentials are emulated. */
  unsupportedGrantType(grantType: string): EntraError {
    return new EntraError(
      400,
      "unsupported_grant_type",
      70003,
      `The app requested an unsupported grant type '${grantType}'.`,
    );
  },
  /** No app with that client id in the tenant. */
  unknownApplication(clientId: string, tenant: string): EntraError {
    return new EntraError(
      400,
      "unauthorized_client",
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
    );
  },
  /** Wrong client secret. */
  invalidClientSecret(clientId: string): EntraError {
    return new EntraError(
      401,
      "invalid_client",
      7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
    );
  },
  /** Neither a secret nor an assertion. */
  missingCredential(): EntraError {
    return new EntraError(
      401,
      "invalid_client",
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  },
  /** Assertion type other than jwt-bearer. */
  invalidAssertionType(): EntraError {
    return new EntraError(
      400,
      "invalid_request",
      50027,
      "client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
    );
  },
  /** Assertion that is not a well-formed JWT, or with a wrong audience. */
  malformedAssertion(detail: string): EntraError {
    return new EntraError(400, "invalid_request", 50027, `JWT token is invalid or malformed. ${detail}`);
  },
  /** Certificate assertion whose signature does not verify or whose key is not registered. */
  assertionSignature(clientId: string, detail: string): EntraError {
    return new EntraError(
      401,
      "invalid_client",
      700027,
      `Client assertion failed signature validation. ${detail} (app '${clientId}')`,
    );
  },
  /** Assertion outside its validity window. */
  assertionExpired(): EntraError {
    return new EntraError(
      401,
      "invalid_client",
      700024,
      "Client assertion is not within its valid time range.",
    );
  },
  /** Certificate assertion whose iss or sub is not the client id. */
  assertionSubject(clientId: string): EntraError {
    return new EntraError(
      401,
      "invalid_client",
      700021,
      `Client assertion application identifier doesn't match 'client_id' parameter '${clientId}'.`,
    );
  },
  /** Federated assertion from an issuer the app does not trust. */
  federatedIssuer(issuer: string): EntraError {
    return new EntraError(
      400,
      "invalid_client",
      700211,
      `No matching federated identity record found for presented assertion issuer '${issuer}'.`,
    );
  },
  /** Federated assertion whose subject has no federated credential. */
  federatedSubject(subject: string): EntraError {
    return new EntraError(
      400,
      "invalid_client",
      700213,
      `No matching federated identity record found for presented assertion subject '${subject}'.`,
    );
  },
  /** Federated assertion for another audience. */
  federatedAudience(audience: string): EntraError {
    return new EntraError(
      400,
      "invalid_client",
      700212,
      `No matching federated identity record found for presented assertion audience '${audience}'.`,
    );
  },
  /** Scope without `/.default` or not a resource the emulator serves. */
  invalidScope(scope: string): EntraError {
    return new EntraError(
      400,
      "invalid_scope",
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  },
  /** A `/.default` scope for a resource other than Defender for Endpoint. */
  invalidResource(resource: string): EntraError {
    return new EntraError(
      400,
      "invalid_resource",
      500011,
      `The resource principal named ${resource} was not found in the tenant. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    );
  },
  /** Password grant for a user the tenant does not have. */
  userNotFound(tenant: string): EntraError {
    return new EntraError(
      400,
      "invalid_grant",
      50034,
      `The user account {EUII Hidden} does not exist in the ${tenant} directory. To sign into this application, the account must be added to the directory.`,
    );
  },
  /** Password grant with a wrong password. */
  invalidUserCredentials(): EntraError {
    return new EntraError(
      400,
      "invalid_grant",
      50126,
      "Error validating credentials due to invalid username or password.",
    );
  },
  /** Delegated scope the user's client was never granted. */
  consentRequired(clientId: string, scope: string): EntraError {
    return new EntraError(
      400,
      "invalid_grant",
      65001,
      `The user or administrator has not consented to use the application with ID '${clientId}'. Send an interactive authorization request for this user and resource (scope ${scope}).`,
    );
  },
  /** Fault injection: outage of the token endpoint. */
  injected(status: number, retryAfterSeconds?: number): EntraError {
    const headers: Record<string, string> =
      retryAfterSeconds === undefined ? {} : { "Retry-After": String(retryAfterSeconds) };
    if (status === 429) {
      return new EntraError(
        429,
        "temporarily_unavailable",
        50196,
        "The server is throttling requests.",
        headers,
      );
    }
    if (status >= 500) {
      return new EntraError(
        status,
        "temporarily_unavailable",
        90033,
        "A transient error has occurred. Please try again.",
        headers,
      );
    }
    return new EntraError(status, "invalid_request", 90000, `Injected fault (${status}).`, headers);
  },
};
