/**
 * The emulated file systems live response GetFile reads: a few well-known files per platform
 * with deterministic content (same device, same path, same bytes), plus files tests put or remove.
 * Windows paths compare without case; Linux and macOS paths are exact.
 */
import { createHash } from "node:crypto";
import type { Device } from "./types";

/** Paths every device of a platform family has, by what they are. */
export const KNOWN_DEVICE_FILES = {
  windows: {
    hosts: "C:\\Windows\\System32\\drivers\\etc\\hosts",
    prefetch: "C:\\Windows\\Prefetch\\POWERSHELL.EXE-022A1004.pf",
    securityLog: "C:\\Windows\\System32\\winevt\\Logs\\Security.evtx",
    suspiciousBinary: "C:\\Users\\Public\\Downloads\\invoice-4711.exe",
  },
  linux: {
    hosts: "/etc/hosts",
    authLog: "/var/log/auth.log",
    suspiciousBinary: "/tmp/.cache/kworkerd",
  },
  macOS: {
    hosts: "/etc/hosts",
    systemLog: "/var/log/system.log",
    suspiciousBinary: "/private/tmp/.update/agent",
  },
} as const;

/** `count` deterministic bytes seeded by `seed`, after `header`. */
function seededBytes(seed: string, header: Buffer, count: number): Buffer {
  const out = Buffer.alloc(header.length + count);
  header.copy(out);
  for (let at = header.length, block = 0; at < out.length; block++) {
    const digest = createHash("sha256").update(`${seed}\n${block}`).digest();
    at += digest.copy(out, at, 0, Math.min(digest.length, out.length - at));
  }
  return out;
}

function hostsText(device: Device, lineEnd: string): Buffer {
  const lines = [
    "# hosts: static host names of this device (emulated)",
    "127.0.0.1       localhost",
    "::1             localhost",
    `${device.lastIpAddress}    ${device.computerDnsName}`,
    "",
  ];
  return Buffer.from(lines.join(lineEnd), "utf8");
}

function logText(device: Device, path: string, lines: number): Buffer {
  const digest = createHash("sha256").update(`${device.id}\n${path}`).digest("hex");
  const rows: string[] = [];
  for (let i = 0; i < lines; i++) {
    const minute = String(i % 60).padStart(2, "0");
    rows.push(
      `2026-01-15T10:${minute}:00Z ${device.computerDnsName} sshd[${1000 + i}]: session ${digest.slice(i % 48, (i % 48) + 16)}`,
    );
  }
  return Buffer.from(`${rows.join("\n")}\n`, "utf8");
}

/** The built-in files of a device, by path, each built when read. */
function builtinFiles(device: Device): Map<string, () => Buffer> {
  const seed = (path: string) => `${device.id}\n${path}`;
  const files = new Map<string, () => Buffer>();
  if (device.osPlatform.startsWith("Windows")) {
    const w = KNOWN_DEVICE_FILES.windows;
    files.set(w.hosts, () => hostsText(device, "\r\n"));
    files.set(w.prefetch, () => seededBytes(seed(w.prefetch), Buffer.from("MAM\u0004", "latin1"), 24 * 1024));
    files.set(w.securityLog, () =>
      seededBytes(seed(w.securityLog), Buffer.from("ElfFile\u0000", "latin1"), 256 * 1024),
    );
    files.set(w.suspiciousBinary, () =>
      seededBytes(seed(w.suspiciousBinary), Buffer.from("MZ\u0090\u0000", "latin1"), 48 * 1024),
    );
  } else if (device.osPlatform === "macOS") {
    const m = KNOWN_DEVICE_FILES.macOS;
    files.set(m.hosts, () => hostsText(device, "\n"));
    files.set(m.systemLog, () => logText(device, m.systemLog, 400));
    files.set(m.suspiciousBinary, () =>
      seededBytes(seed(m.suspiciousBinary), Buffer.from([0xcf, 0xfa, 0xed, 0xfe]), 32 * 1024),
    );
  } else {
    const l = KNOWN_DEVICE_FILES.linux;
    files.set(l.hosts, () => hostsText(device, "\n"));
    files.set(l.authLog, () => logText(device, l.authLog, 400));
    files.set(l.suspiciousBinary, () =>
      seededBytes(seed(l.suspiciousBinary), Buffer.from("\u007fELF", "latin1"), 32 * 1024),
    );
  }
  return files;
}

/** Files of every device: the built-in ones and what tests put (or removed). */
export class DeviceFileSystem {
  /** Per device id: normalized path → bytes, or null for a removed file. */
  private readonly changes = new Map<string, Map<string, Buffer | null>>();

  /** The bytes at `path` on `device` now, or undefined when there is no such file. */
  read(device: Device, path: string): Buffer | undefined {
    const key = normalize(device, path);
    const changed = this.changes.get(device.id)?.get(key);
    if (changed !== undefined) return changed ?? undefined;
    for (const [builtinPath, build] of builtinFiles(device)) {
      if (normalize(device, builtinPath) === key) return build();
    }
    return undefined;
  }

  /** Puts (or with `null` removes) a file. */
  write(device: Device, path: string, content: Buffer | string | null): void {
    const files = this.changes.get(device.id) ?? new Map<string, Buffer | null>();
    files.set(normalize(device, path), content === null ? null : Buffer.from(content));
    this.changes.set(device.id, files);
  }
}

function normalize(device: Device, path: string): string {
  return device.osPlatform.startsWith("Windows") ? path.toLowerCase() : path;
}
