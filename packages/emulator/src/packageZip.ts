/**
 * The investigation package behind a download link: a ZIP with the folder layout Defender
 * produces for the device's OS family, filled with plausible text generated from the action id
 * alone (the same id always yields the same bytes).
 */
import { createCipheriv, createHash } from "node:crypto";
import type { ZipEntry } from "./zipWriter";

/** Facts about the action and device the package describes. */
export interface PackageSubject {
  actionId: string;
  machineId: string;
  computerDnsName: string;
  osPlatform: string;
  /** Extra incompressible bytes, to exercise large downloads (streamed, never held in memory). */
  paddingBytes?: number;
}

/** Deterministic byte stream seeded by a string (AES-256-CTR over zeros). */
class SeededStream {
  private readonly cipher;
  constructor(seed: string) {
    const key = createHash("sha256").update(`package:${seed}`).digest();
    this.cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  }
  bytes(count: number): Buffer {
    return this.cipher.update(Buffer.alloc(count));
  }
  /** Integer in [0, max). */
  int(max: number): number {
    return this.bytes(4).readUInt32LE(0) % max;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

const WINDOWS_PROCESSES = [
  "System",
  "smss.exe",
  "csrss.exe",
  "wininit.exe",
  "services.exe",
  "lsass.exe",
  "svchost.exe",
  "explorer.exe",
  "MsMpEng.exe",
  "SenseNdr.exe",
  "MsSense.exe",
  "OneDrive.exe",
  "msedge.exe",
  "Teams.exe",
  "powershell.exe",
];
const UNIX_PROCESSES = [
  "systemd",
  "kthreadd",
  "sshd",
  "cron",
  "rsyslogd",
  "dbus-daemon",
  "wdavdaemon",
  "mdatp_audis_plugin",
  "bash",
  "nginx",
  "postgres",
  "containerd",
];
const MAC_PROCESSES = [
  "launchd",
  "kernel_task",
  "WindowServer",
  "Finder",
  "Dock",
  "wdavdaemon",
  "Microsoft Defender",
  "Safari",
  "Slack",
  "mds_stores",
];
const PROGRAMS = [
  "Microsoft Edge",
  "Microsoft 365 Apps for enterprise",
  "7-Zip 23.01 (x64)",
  "Google Chrome",
  "Notepad++ (64-bit x64)",
  "Microsoft Visual C++ 2015-2022 Redistributable (x64)",
  "Zoom Workplace",
  "Adobe Acrobat (64-bit)",
  "Git",
  "Python 3.12.4 (64-bit)",
];
const USERS = ["Administrator", "svc_backup", "j.doe", "a.smith", "m.garcia", "helpdesk"];
const SERVICES = [
  "WinDefend",
  "Sense",
  "WdNisSvc",
  "EventLog",
  "Dnscache",
  "LanmanServer",
  "LanmanWorkstation",
  "Schedule",
  "W32Time",
  "WinRM",
  "Spooler",
  "BITS",
];

function lines(header: string, rows: string[]): Buffer {
  return Buffer.from(`${[header, ...rows].join("\r\n")}\r\n`, "utf8");
}

function address(random: SeededStream): string {
  return `10.${random.int(255)}.${random.int(255)}.${1 + random.int(253)}`;
}

function rows(count: number, make: (i: number) => string): string[] {
  return Array.from({ length: count }, (_, i) => make(i));
}

function windowsEntries(subject: PackageSubject, random: SeededStream): ZipEntry[] {
  const host = subject.computerDnsName.split(".")[0] ?? subject.computerDnsName;
  const processes = rows(40 + random.int(40), (i) => {
    const name = random.pick(WINDOWS_PROCESSES);
    return `${name},${4 + i * 4 + random.int(4)},${random.int(900_000)}K,${random.pick(USERS)},C:\\Windows\\System32\\${name}`;
  });
  return [
    { name: "Autoruns/" },
    {
      name: "Autoruns/Run.txt",
      data: lines(
        "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run",
        rows(
          5,
          () =>
            `  ${random.pick(PROGRAMS)}    REG_SZ    "C:\\Program Files\\${random.pick(PROGRAMS)}\\launcher.exe" /background`,
        ),
      ),
    },
    {
      name: "Autoruns/RunOnce.txt",
      data: lines("HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce", []),
    },
    {
      name: "Autoruns/Winlogon.txt",
      data: lines("HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon", [
        "    Shell    REG_SZ    explorer.exe",
        "    Userinit    REG_SZ    C:\\Windows\\system32\\userinit.exe,",
      ]),
    },
    { name: "Installed programs/" },
    {
      name: "Installed programs/InstalledPrograms.csv",
      data: lines(
        "DisplayName,DisplayVersion,Publisher,InstallDate",
        PROGRAMS.map(
          (p) =>
            `"${p}",${1 + random.int(30)}.${random.int(10)}.${random.int(9999)},"Publisher",2024${String(1 + random.int(12)).padStart(2, "0")}${String(1 + random.int(28)).padStart(2, "0")}`,
        ),
      ),
    },
    { name: "Network connections/" },
    {
      name: "Network connections/ActiveConnections.txt",
      data: lines(
        "  Proto  Local Address          Foreign Address        State           PID",
        rows(
          20 + random.int(20),
          () =>
            `  TCP    ${address(random)}:${1024 + random.int(60000)}    ${address(random)}:${random.pick([443, 445, 80, 135, 3389])}    ${random.pick(["ESTABLISHED", "TIME_WAIT", "LISTENING"])}    ${random.int(9000)}`,
        ),
      ),
    },
    {
      name: "Network connections/Arp.txt",
      data: lines(
        "  Internet Address      Physical Address      Type",
        rows(
          8,
          () =>
            `  ${address(random)}    ${random
              .bytes(6)
              .toString("hex")
              .replace(/(..)(?!$)/g, "$1-")}    dynamic`,
        ),
      ),
    },
    {
      name: "Network connections/DnsCache.txt",
      data: lines(
        "Record Name                 Record Type  Data",
        rows(
          12,
          () =>
            `${random.pick(["login.microsoftonline.com", "winatp-gw-eus.microsoft.com", "go.microsoft.com", "contoso.sharepoint.com", "update.googleapis.com"])}  A  ${address(random)}`,
        ),
      ),
    },
    {
      name: "Network connections/IpConfig.txt",
      data: lines("Windows IP Configuration", [
        `   Host Name . . . . . . . . . . . . : ${host}`,
        `   IPv4 Address. . . . . . . . . . . : ${address(random)}`,
      ]),
    },
    { name: "Prefetch files/" },
    {
      name: "Prefetch files/PrefetchFilesList.txt",
      data: lines(
        "C:\\Windows\\Prefetch",
        rows(
          25,
          () =>
            `${random.pick(WINDOWS_PROCESSES).toUpperCase()}-${random.bytes(4).toString("hex").toUpperCase()}.pf`,
        ),
      ),
    },
    { name: "Processes/" },
    { name: "Processes/Processes.csv", data: lines("Name,PID,Memory,User,Path", processes) },
    { name: "Scheduled tasks/" },
    {
      name: "Scheduled tasks/ScheduledTasks.csv",
      data: lines(
        "TaskName,NextRunTime,Status,Author",
        rows(15, (i) => `\\Microsoft\\Windows\\Task${i},N/A,Ready,${random.pick(USERS)}`),
      ),
    },
    { name: "Security event log/" },
    // EVTX files are binary; an ElfFile header plus noise is what a parser sees first.
    {
      name: "Security event log/Security.evtx",
      data: Buffer.concat([Buffer.from("ElfFile\0", "ascii"), random.bytes(4096)]),
    },
    { name: "Services/" },
    {
      name: "Services/Services.csv",
      data: lines(
        "Name,DisplayName,Status,StartType",
        SERVICES.map(
          (s) => `${s},${s},${random.pick(["Running", "Stopped"])},${random.pick(["Automatic", "Manual"])}`,
        ),
      ),
    },
    { name: "SMB sessions/" },
    {
      name: "SMB sessions/InboundSessions.txt",
      data: lines(
        "ClientComputerName  ClientUserName  NumOpens",
        rows(3, () => `${address(random)}  CONTOSO\\${random.pick(USERS)}  ${random.int(20)}`),
      ),
    },
    {
      name: "SMB sessions/OutboundSessions.txt",
      data: lines(
        "ServerName  ShareName  UserName",
        rows(2, () => `fs01  share$  CONTOSO\\${random.pick(USERS)}`),
      ),
    },
    { name: "System Information/" },
    {
      name: "System Information/SystemInformation.txt",
      data: lines(`Host Name:                 ${host}`, [
        `OS Name:                   ${subject.osPlatform}`,
        `Device ID:                 ${subject.machineId}`,
        `System Boot Time:          ${random.int(28) + 1}/1/2024, 08:${String(random.int(60)).padStart(2, "0")}:00`,
        `Total Physical Memory:     ${8 + 8 * random.int(4)},000 MB`,
      ]),
    },
    { name: "Temp Directories/" },
    ...USERS.slice(0, 3).map((user) => ({
      name: `Temp Directories/${user}.txt`,
      data: lines(
        `C:\\Users\\${user}\\AppData\\Local\\Temp`,
        rows(random.int(15), () => `${random.bytes(6).toString("hex")}.tmp`),
      ),
    })),
    { name: "Users and Groups/" },
    { name: "Users and Groups/Users.txt", data: lines("User accounts", USERS) },
    {
      name: "Users and Groups/Groups.txt",
      data: lines("Local groups", [
        "Administrators: Administrator, CONTOSO\\Domain Admins",
        "Remote Desktop Users: CONTOSO\\helpdesk",
        "Users: CONTOSO\\Domain Users",
      ]),
    },
    { name: "WdSupportLogs/" },
    {
      name: "WdSupportLogs/MpCmdRun.log",
      data: lines(
        "-------------------------------------------------------------------------------------",
        rows(
          20,
          () =>
            `MpCmdRun: Command Line: "C:\\Program Files\\Windows Defender\\MpCmdRun.exe" -SignatureUpdate  Result: 0x${random.bytes(4).toString("hex")}`,
        ),
      ),
    },
  ];
}

function unixEntries(subject: PackageSubject, random: SeededStream, mac: boolean): ZipEntry[] {
  const processes = mac ? MAC_PROCESSES : UNIX_PROCESSES;
  const entries: ZipEntry[] = [
    { name: "Disk volume/" },
    {
      name: "Disk volume/df.txt",
      data: lines("Filesystem      Size  Used Avail Use% Mounted on", [
        `/dev/${mac ? "disk3s1" : "sda1"}   ${100 + random.int(400)}G  ${random.int(99)}G  ${random.int(300)}G  ${random.int(99)}% /`,
      ]),
    },
    { name: "Network connections/" },
    {
      name: "Network connections/netstat.txt",
      data: lines(
        "Proto Recv-Q Send-Q Local Address           Foreign Address         State",
        rows(
          15,
          () =>
            `tcp        0      0 ${address(random)}:${1024 + random.int(60000)}   ${address(random)}:443   ESTABLISHED`,
        ),
      ),
    },
    { name: "Processes/" },
    {
      name: "Processes/ps.txt",
      data: lines(
        "USER  PID %CPU %MEM COMMAND",
        rows(
          30 + random.int(30),
          (i) =>
            `${random.pick(["root", "www-data", "postgres", "j.doe"])}  ${100 + i * 7} ${random.int(30)}.${random.int(9)} ${random.int(10)}.${random.int(9)} ${random.pick(processes)}`,
        ),
      ),
    },
    { name: "Scheduled tasks/" },
    {
      name: "Scheduled tasks/crontab.txt",
      data: lines(
        "# m h  dom mon dow   command",
        rows(
          4,
          () =>
            `${random.int(60)} ${random.int(24)} * * * /usr/local/bin/job-${random.bytes(2).toString("hex")}.sh`,
        ),
      ),
    },
    { name: "System Information/" },
    {
      name: "System Information/uname.txt",
      data: lines(
        mac
          ? `Darwin ${subject.computerDnsName} 23.5.0`
          : `Linux ${subject.computerDnsName} 5.15.0-${random.int(120)}-generic x86_64`,
        [`machineId ${subject.machineId}`],
      ),
    },
    { name: "Users and Groups/" },
    {
      name: "Users and Groups/passwd.txt",
      data: lines(
        "root:x:0:0:root:/root:/bin/bash",
        USERS.slice(1).map((u, i) => `${u}:x:${1000 + i}:${1000 + i}::/home/${u}:/bin/bash`),
      ),
    },
    { name: "Logs/" },
    {
      name: "Logs/mdatp.log",
      data: lines(
        "mdatp health",
        rows(
          10,
          () => `${random.pick(["INFO", "WARN"])} wdavdaemon: definitions updated (${random.int(1_000_000)})`,
        ),
      ),
    },
  ];
  if (mac) {
    entries.unshift(
      { name: "Applications/" },
      {
        name: "Applications/Applications.txt",
        data: lines(
          "/Applications",
          PROGRAMS.slice(0, 6).map((p) => `${p}.app`),
        ),
      },
    );
    entries.push(
      { name: "Kernel extensions/" },
      {
        name: "Kernel extensions/kextstat.txt",
        data: lines(
          "Index Refs Address Size Name",
          rows(
            8,
            (i) =>
              `${i + 1} ${random.int(60)} 0x${random.bytes(6).toString("hex")} 0x${random.bytes(2).toString("hex")} com.apple.kext${i}`,
          ),
        ),
      },
    );
  } else {
    entries.push(
      { name: "Kernel modules/" },
      {
        name: "Kernel modules/lsmod.txt",
        data: lines(
          "Module                  Size  Used by",
          rows(
            12,
            () =>
              `${random.pick(["xt_conntrack", "nf_nat", "overlay", "br_netfilter", "ext4", "xfs"])}  ${random.int(200_000)}  ${random.int(4)}`,
          ),
        ),
      },
    );
  }
  return entries;
}

function summaryReport(subject: PackageSubject, entries: readonly { name: string; size: number }[]): Buffer {
  // XML Spreadsheet 2003: a text format Excel opens as .xls, so the report stays readable.
  const rowsXml = entries
    .filter((e) => !e.name.endsWith("/"))
    .map(
      (e) =>
        `<Row><Cell><Data ss:Type="String">${escapeXml(e.name)}</Data></Cell><Cell><Data ss:Type="String">Collected</Data></Cell><Cell><Data ss:Type="Number">${e.size}</Data></Cell></Row>`,
    )
    .join("");
  return Buffer.from(
    `<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Summary"><Table><Row><Cell><Data ss:Type="String">Device</Data></Cell><Cell><Data ss:Type="String">${escapeXml(subject.computerDnsName)}</Data></Cell><Cell><Data ss:Type="String">${subject.machineId}</Data></Cell></Row><Row><Cell><Data ss:Type="String">Action</Data></Cell><Cell><Data ss:Type="String">${subject.actionId}</Data></Cell></Row>${rowsXml}</Table></Worksheet></Workbook>\n`,
    "utf8",
  );
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c] ?? c);
}

/** Which layout a platform gets. */
export function packageLayout(osPlatform: string): "windows" | "linux" | "macos" {
  const os = osPlatform.toLowerCase();
  if (os === "macos" || os === "mac") return "macos";
  if (os.startsWith("windows")) return "windows";
  return "linux";
}

/** Name of the padding member (see {@link PackageSubject.paddingBytes}) for a platform. */
export function paddingEntryName(osPlatform: string): string {
  return packageLayout(osPlatform) === "windows" ? "WdSupportLogs/SupportFiles.bin" : "Logs/SupportFiles.bin";
}

/**
 * The in-memory members of a package (folders and files). The padding member, when
 * `paddingBytes` is set, is not among them: its bytes are streamed (see `packageBlob.ts`); the
 * summary report still lists it with its size.
 */
export function packageEntries(subject: PackageSubject): ZipEntry[] {
  const random = new SeededStream(subject.actionId.toLowerCase());
  const layout = packageLayout(subject.osPlatform);
  const entries =
    layout === "windows" ? windowsEntries(subject, random) : unixEntries(subject, random, layout === "macos");
  const listed = entries.map((e) => ({ name: e.name, size: e.data?.length ?? 0 }));
  const padding = subject.paddingBytes ?? 0;
  if (padding > 0) listed.push({ name: paddingEntryName(subject.osPlatform), size: padding });
  entries.push({ name: "CollectionSummaryReport.xls", data: summaryReport(subject, listed) });
  return entries;
}
