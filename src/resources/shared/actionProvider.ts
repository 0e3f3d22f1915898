/**
 * The one provider wrapper every resource of the package uses: `configure` stores the stack config, `check`
 * judges the settings too, and every method's failure reaches the engine as one clean paragraph with its
 * code (a partial failure passed through, so the engine keeps the resource). A resource provider then
 * writes only what is its own.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { InputFailure } from "./inputChecks";
import { checkedWithSettings, configureProcess, profileOf } from "./providerSettings";
import { surfaceError } from "./surfaceError";

/** What a resource provider writes itself; every method may throw. */
export interface ActionProviderMethods {
  /** Judges and normalises inputs, purely (no API call): runs at preview. */
  check(news: Record<string, unknown>): { inputs: Record<string, unknown>; failures: InputFailure[] };
  diff(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.DiffResult>;
  create(news: Record<string, unknown>): Promise<pulumi.dynamic.CreateResult>;
  read(id: string, props: Record<string, unknown>): Promise<pulumi.dynamic.ReadResult>;
  update(
    id: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
  ): Promise<pulumi.dynamic.UpdateResult>;
  delete(id: string, props: Record<string, unknown>): Promise<void>;
}

/** A provider as the dynamic-provider host calls it. */
export type ActionProvider = Required<
  Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "create" | "read" | "update" | "delete">
> & {
  configure(req: pulumi.dynamic.ConfigureRequest): Promise<void>;
};

/** Options of {@link actionProvider}. */
export interface ActionProviderOptions {
  /** Turns a failure into what the engine shows. @default surfaceError */
  surface?: (error: unknown) => Error;
}

/** The error with the resource's connection profile named first (errors of several tenants read apart). */
function namingProfile(error: unknown, props: unknown): unknown {
  const profile =
    props && typeof props === "object" ? profileOf(props as Record<string, unknown>) : undefined;
  if (profile && error instanceof Error && !error.message.startsWith(`Profile ${profile}:`)) {
    error.message = `Profile ${profile}: ${error.message}`;
  }
  return error;
}

/** Wraps a resource's own methods into a provider: configure, settings at check, errors surfaced. */
export function actionProvider(
  methods: ActionProviderMethods,
  options: ActionProviderOptions = {},
): ActionProvider {
  const surface = options.surface ?? surfaceError;
  const guarded =
    <A extends unknown[], R>(method: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await method(...args);
      } catch (error) {
        throw surface(namingProfile(error, args[args.length - 1]));
      }
    };
  return {
    /** Stores the stack config synchronously (concurrent first calls must see it). */
    async configure(req) {
      configureProcess(req);
    },
    /** Validates inputs and settings at preview: no API call. */
    async check(_olds, news) {
      return checkedWithSettings(methods.check(news));
    },
    diff: guarded(methods.diff.bind(methods)),
    create: guarded(methods.create.bind(methods)),
    read: guarded(methods.read.bind(methods)),
    update: guarded(methods.update.bind(methods)),
    delete: guarded(methods.delete.bind(methods)),
  };
}
