/**
 * What Linux's /proc says about a process: the CPU it used and its peak RSS.
 * The benchmark reads both for its own clients and for the emulator, which
 * runs in another process and cannot report them itself. Off Linux both read
 * 0, and the benchmark falls back on its own RSS sampling. Not runnable on
 * its own.
 *
 * @module
 */

/**
 * CPU seconds (user + system) a process has used; 0 where there is no /proc. Clock ticks are
 * 1/100 s on every Linux build Deno ships for.
 *
 * @param pid The process, or `"self"`.
 * @returns The seconds.
 */
export function cpuSeconds(pid: number | "self" = "self"): number {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    const fields = Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * The kernel's record of a process's peak RSS (VmHWM), which no sampling can miss.
 *
 * @param pid The process, or `"self"`.
 * @returns Bytes; 0 where there is no /proc.
 */
export function highWaterMark(pid: number | "self" = "self"): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}
