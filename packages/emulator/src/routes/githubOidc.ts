/**
 * The runner's OIDC endpoint of an emulated GitHub Actions job (`ACTIONS_ID_TOKEN_REQUEST_URL`):
 * `GET ...?api-version=2.0&audience=<aud>` with `Authorization: Bearer <ACTIONS_ID_TOKEN_REQUEST_TOKEN>`
 * answers `{"value": "<ID token>"}`, as `@actions/core`'s `getIDToken` expects.
 */
import type { EmulatorContext, RouteRequest } from "../context";
import { type HandlerResult, jsonResult } from "../http";

/** `GET /github/idtoken`: 401 without a request token of a started job. */
export function handleGithubIdToken(ctx: EmulatorContext, req: RouteRequest): HandlerResult {
  const header = req.headers.authorization;
  const match = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  const idToken = match?.[1] ? ctx.github.idToken(match[1], req.url.searchParams.get("audience")) : undefined;
  if (!idToken) {
    // GitHub's body here is undocumented; a message is what @actions/core prints.
    return {
      status: 401,
      json: { message: "Bad credentials: the request token is missing, wrong or belongs to no running job" },
      errorCode: "Unauthorized",
    };
  }
  return jsonResult(200, { value: idToken });
}
