/**
 * Registered applications of the emulated Entra ID, by tenant and client id.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { ALL_ROLES } from "./roles";
import type { AppRegistration, AppRegistrationInput } from "./types";

/** Applications and the tenants they live in. */
export class AppRegistry {
  private readonly apps = new Map<string, AppRegistration>();

  /** Registers an app, filling in generated ids and default roles. Replaces an app with the same ids. */
  add(input: AppRegistrationInput): AppRegistration {
    const app: AppRegistration = {
      tenantId: (input.tenantId ?? randomUUID()).toLowerCase(),
      clientId: (input.clientId ?? randomUUID()).toLowerCase(),
      roles: [...(input.roles ?? ALL_ROLES)],
      managedIdentity: input.managedIdentity ?? false,
      displayName: input.displayName ?? "emulated app",
      ...(input.clientSecret === undefined ? {} : { clientSecret: input.clientSecret }),
      ...(input.certificatePem === undefined ? {} : { certificatePem: input.certificatePem }),
      ...(input.federated === undefined ? {} : { federated: { ...input.federated } }),
    };
    this.apps.set(key(app.tenantId, app.clientId), app);
    return app;
  }

  /** The app with this client id in this tenant (both case-insensitive). */
  find(tenantId: string, clientId: string): AppRegistration | undefined {
    return this.apps.get(key(tenantId, clientId));
  }

  /** A managed identity app by client id in any tenant. */
  findManagedIdentity(clientId: string): AppRegistration | undefined {
    return [...this.apps.values()].find(
      (app) => app.managedIdentity && app.clientId === clientId.toLowerCase(),
    );
  }

  /** Whether any app lives in this tenant. */
  hasTenant(tenantId: string): boolean {
    const wanted = tenantId.toLowerCase();
    return [...this.apps.values()].some((app) => app.tenantId === wanted);
  }

  /** Every registered app. */
  list(): AppRegistration[] {
    return [...this.apps.values()];
  }
}

function key(tenantId: string, clientId: string): string {
  return `${tenantId.toLowerCase()}/${clientId.toLowerCase()}`;
}

/** A client secret in the style Entra generates (40 characters, with `~`). */
export function generateClientSecret(): string {
  const body = randomBytes(30).toString("base64url").slice(0, 37);
  return `${body.slice(0, 3)}8Q~${body.slice(3)}`;
}
