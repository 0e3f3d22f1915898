/**
 * Live response commands: reading them from a runliveresponse body, planning how they run, and
 * their `commands[]` view at a moment. Commands run one after another; when one fails the later
 * ones never run (as Microsoft documents), so they stay `Created`.
 */
import { MdeErrorFactory } from "./errors";
import type { CommandEntry } from "./store";

/** Command types the real API accepts, in the order it requires. */
export const LIVE_RESPONSE_COMMAND_TYPES: readonly string[] = ["PutFile", "RunScript", "GetFile"];

/** The message of a GetFile whose path does not exist on the device. */
export const FILE_NOT_FOUND_MESSAGE = "File not found";

/** A command as posted. */
export interface PostedCommand {
  type: string;
  params: { key: string; value: string }[];
}

function isParam(value: unknown): value is { key: string; value: string } {
  const p = value as { key?: unknown; value?: unknown };
  return typeof p === "object" && p !== null && typeof p.key === "string" && typeof p.value === "string";
}

/**
 * The `Commands` of a runliveresponse body (property names as documented: `Commands`, and
 * `type`, `params`, `key`, `value` inside). Only `GetFile` runs in the emulator.
 * @throws MdeError 400 InvalidRequestBody for a malformed list, BadRequest for a command it does not run
 */
export function parseCommands(parsed: Record<string, unknown>): PostedCommand[] {
  const raw = parsed.Commands;
  if (!Array.isArray(raw) || raw.length === 0) {
    const hint = "commands" in parsed ? " (property names are case-sensitive: use 'Commands')" : "";
    throw MdeErrorFactory.invalidRequestBody(`'Commands' is required and must be a non-empty array${hint}`);
  }
  return raw.map((item: unknown, index) => {
    const command = item as { type?: unknown; params?: unknown };
    if (
      typeof command !== "object" ||
      command === null ||
      typeof command.type !== "string" ||
      !Array.isArray(command.params) ||
      !command.params.every(isParam)
    ) {
      throw MdeErrorFactory.invalidRequestBody(
        `Commands[${index}] must be {"type": "...", "params": [{"key": "...", "value": "..."}]}`,
      );
    }
    if (!LIVE_RESPONSE_COMMAND_TYPES.includes(command.type)) {
      throw MdeErrorFactory.invalidRequestBody(
        `Commands[${index}].type must be one of ${LIVE_RESPONSE_COMMAND_TYPES.join(", ")}`,
      );
    }
    if (command.type !== "GetFile") {
      throw MdeErrorFactory.invalidInput(`The emulator runs only GetFile commands, not ${command.type}`);
    }
    const path = command.params.find((p) => p.key === "Path")?.value;
    if (path === undefined || path.trim() === "") {
      throw MdeErrorFactory.invalidRequestBody(`Commands[${index}] (GetFile) needs the parameter 'Path'`);
    }
    return { type: command.type, params: command.params.map((p) => ({ key: p.key, value: p.value })) };
  });
}

/** The `Path` of a GetFile command. */
export function commandPath(command: PostedCommand): string {
  return command.params.find((p) => p.key === "Path")?.value ?? "";
}

/**
 * Plans the commands: each looked up now (`lookup` gives the file's bytes or undefined), the
 * first missing file fails and ends the session. Times are filled in by {@link scheduleCommands}.
 */
export function planCommands(
  commands: PostedCommand[],
  lookup: (path: string) => Buffer | undefined,
): { entries: CommandEntry[]; executed: number; failed: boolean } {
  const entries: CommandEntry[] = [];
  let executed = commands.length;
  for (const [index, command] of commands.entries()) {
    const base = { index, command, startsMs: undefined, endsMs: undefined };
    if (index >= executed) {
      // Never runs: the session stopped at an earlier failure.
      entries.push({ ...base, outcome: "Failed", errors: [] });
      continue;
    }
    const result = lookup(commandPath(command));
    if (result === undefined) {
      executed = index + 1;
      entries.push({ ...base, outcome: "Failed", errors: [FILE_NOT_FOUND_MESSAGE] });
    } else {
      entries.push({ ...base, outcome: "Completed", errors: [], result });
    }
  }
  return { entries, executed, failed: entries[executed - 1]?.outcome === "Failed" };
}

/** Gives the first `executed` commands consecutive slots of `commandMs` from `startsMs`. */
export function scheduleCommands(
  entries: CommandEntry[],
  executed: number,
  startsMs: number,
  commandMs: number,
): void {
  for (const entry of entries.slice(0, executed)) {
    entry.startsMs = startsMs + entry.index * commandMs;
    entry.endsMs = entry.startsMs + commandMs;
  }
}

/** Status of one command at `atMs`. */
export function commandStatus(
  entry: CommandEntry,
  atMs: number,
): "Created" | "InProgress" | "Completed" | "Failed" {
  if (entry.startsMs === undefined || atMs < entry.startsMs) return "Created";
  if (entry.endsMs === undefined || atMs < entry.endsMs) return "InProgress";
  return entry.outcome;
}

/** `commands[]` as the API returns it at `atMs`. */
export function commandsToApi(entries: CommandEntry[], atMs: number): Record<string, unknown>[] {
  return entries.map((entry) => {
    const status = commandStatus(entry, atMs);
    const started = status !== "Created" && entry.startsMs !== undefined;
    const ended = (status === "Completed" || status === "Failed") && entry.endsMs !== undefined;
    return {
      index: entry.index,
      startTime: started ? new Date(entry.startsMs as number).toISOString() : null,
      endTime: ended ? new Date(entry.endsMs as number).toISOString() : null,
      commandStatus: status,
      errors: status === "Failed" ? [...entry.errors] : [],
      command: { type: entry.command.type, params: entry.command.params.map((p) => ({ ...p })) },
    };
  });
}
