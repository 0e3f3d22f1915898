/**
 * Classification of transport failures into DefenderError codes, and whether the request may have
 * reached the server: the distinction the non-idempotent collect POST depends on.
 */
import {
  DefenderError,
  type DefenderErrorCode,
  type DefenderOperation,
  type DeliveryCertainty,
} from "../core/errors";

const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH)/;

interface Classification {
  code: DefenderErrorCode;
  delivery: DeliveryCertainty;
  hint: string;
}

/** Error codes along the `cause` chain, outermost first. */
function codesOf(error: unknown): { codes: string[]; names: string[] } {
  const codes: string[] = [];
  const names: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === "object"; depth++) {
    const { code, name, cause } = current as { code?: unknown; name?: unknown; cause?: unknown };
    if (typeof code === "string") codes.push(code);
    if (typeof name === "string") names.push(name);
    current = cause;
  }
  return { codes, names };
}

function classify(error: unknown): Classification {
  const { codes, names } = codesOf(error);
  const has = (...wanted: string[]) => codes.some((c) => wanted.includes(c));
  if (names.includes("AbortError") || has("UND_ERR_ABORTED", "ABORT_ERR")) {
    return { code: "MDE_ABORTED", delivery: "doubtful", hint: "The operation was aborted by the caller." };
  }
  if (has("UND_ERR_CONNECT_TIMEOUT")) {
    return {
      code: "MDE_HTTP_TIMEOUT",
      delivery: "notDelivered",
      hint: "Connecting timed out: check network access to the host (firewall, proxy via HTTPS_PROXY).",
    };
  }
  if (has("UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT")) {
    return {
      code: "MDE_HTTP_TIMEOUT",
      delivery: "doubtful",
      hint: "The server did not answer in time after the request was sent.",
    };
  }
  if (has("ECONNREFUSED")) {
    return {
      code: "MDE_CONNECTION_REFUSED",
      delivery: "notDelivered",
      hint: "The connection was refused: check mde:apiEndpoint / mde:authorityHost and that the service is running.",
    };
  }
  if (has("ENOTFOUND", "EAI_AGAIN", "EAI_NONAME", "EAI_FAIL")) {
    return {
      code: "MDE_DNS_FAILURE",
      delivery: "notDelivered",
      hint: "The host name could not be resolved: check mde:cloud / mde:apiEndpoint and DNS.",
    };
  }
  if (codes.some((c) => TLS_CODE.test(c)) || has("UND_ERR_PRX_TLS")) {
    return {
      code: "MDE_TLS_FAILURE",
      delivery: "notDelivered",
      hint:
        "The TLS handshake failed: if the server uses a private CA (emulator, TLS-inspecting proxy), set " +
        "mde:caCertPath (or MDE_CA_CERT_PATH / NODE_EXTRA_CA_CERTS) to its PEM.",
    };
  }
  if (has("ETIMEDOUT")) {
    return { code: "MDE_HTTP_TIMEOUT", delivery: "doubtful", hint: "The connection timed out." };
  }
  if (has("EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "UND_ERR_PRX_CONN")) {
    return {
      code: "MDE_NETWORK_ERROR",
      delivery: "notDelivered",
      hint: "The host is unreachable: check network routes and proxy settings.",
    };
  }
  if (has("ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED", "ECONNABORTED")) {
    return {
      code: "MDE_CONNECTION_RESET",
      delivery: "doubtful",
      hint: "The connection was closed before a complete answer arrived.",
    };
  }
  return { code: "MDE_NETWORK_ERROR", delivery: "doubtful", hint: "A network error occurred." };
}

/**
 * Wraps a transport failure into a DefenderError with a code, the delivery certainty and a hint.
 *
 * @param error - What undici (or Node) threw.
 * @param operation - What was being done, for the message.
 * @param target - Redacted description of the request, e.g. `GET https://host/api/machines/x`.
 */
export function networkError(error: unknown, operation: DefenderOperation, target: string): DefenderError {
  if (error instanceof DefenderError) return error;
  const { code, delivery, hint } = classify(error);
  const { codes } = codesOf(error);
  const detail = codes.length > 0 ? ` [${[...new Set(codes)].join(", ")}]` : "";
  return new DefenderError(code, `${target} failed${detail}. ${hint}`, { delivery, operation, cause: error });
}
