/**
 * Shared by the command line's tests (`tests/cli_*_test.ts`): the CLI run as a child process of
 * whichever runtime runs the tests (Deno, Bun, or Node on the tsc build), and the emulator served
 * over HTTP on 127.0.0.1 by the test process, its requests in view. Phases are reached by events
 * (a request answered, a line printed), never by sleeping.
 */
import { after } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { createClient } from "../../mod.ts";
import {
  createEmulator,
  type Emulator,
  type EmulatorOptions,
  serveEmulator,
} from "../../src/testing/mod.ts";
import { UsageError } from "../../src/cli/usage_error.ts";
import { CREDENTIALS } from "./harness.ts";

/**
 * The command that runs a program of the repository under the runtime running the tests (which
 * run in the repository's root): Deno and Bun run its TypeScript, Node the tsc build of it.
 *
 * @param source The program's path from the repository's root, e.g. `src/cli/main.ts`.
 * @returns The command and its arguments, before the program's own.
 */
export function runtimeCommand(source: string): string[] {
  return "Deno" in globalThis
    ? [process.execPath, "run", "-A", join(process.cwd(), source)]
    : process.versions.bun
    ? [process.execPath, join(process.cwd(), source)]
    : [process.execPath, join(process.cwd(), "build/node", source.replace(/\.ts$/, ".js"))];
}

/** The CLI under the runtime running the tests. */
export const CLI = runtimeCommand("src/cli/main.ts");

export const TIMEOUT = { timeout: 60_000 };
export const bucket = "mybucket";
/** Small parts, so that a few KiB make several; the emulator is told to accept them. */
export const SMALL = ["--part-size", "16KiB", "--min-part-size", "1KiB"];
export const PART = 16 * 1024;

/** A running CLI process, its output so far, and ways to wait for what it prints. */
export interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** The exit code, once the process has exited. */
  exit: Promise<number | null>;
  /** Resolves when stdout matches, or rejects if the process exits first. */
  untilStdout(pattern: RegExp): Promise<RegExpExecArray>;
  /** Resolves when stderr matches, or rejects if the process exits first. */
  untilStderr(pattern: RegExp): Promise<RegExpExecArray>;
}

/** How to run the CLI: another command line (the CLI in a shell), another working directory. */
export interface RunOptions {
  command?: string[];
  cwd?: string;
}

/** What a finished CLI run printed, and its exit code. */
export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Signals a child by its pid: Deno's node:child_process reports an exit after `child.kill()` as
 * death by that signal, whatever the code the child exited with, which is what is tested here.
 */
export function signal(running: Running, name: "SIGINT" | "SIGTERM" | "SIGHUP"): void {
  process.kill(running.child.pid!, name);
}

export function credentialsOf(credentials: { accessKeyId: string; secretAccessKey: string }) {
  return {
    QINGSTOR_ACCESS_KEY_ID: credentials.accessKeyId,
    QINGSTOR_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  };
}

/**
 * A test file's own scratch folder, HOME (with no config file unless a test writes one: the
 * user's own never leaks in) and children, all removed or killed after the file's tests. Called
 * at the top of each test file, so that one file's clean-up never pulls another's folder away
 * (Deno and Bun run every file in one process).
 */
export function cliSandbox() {
  const scratch = mkdtempSync(join(tmpdir(), "qingstor-cli-test-"));
  const home = join(scratch, "home");
  mkdirSync(home);
  const children = new Set<ChildProcess>();
  after(() => {
    for (const child of children) child.kill("SIGKILL");
    rmSync(scratch, { recursive: true, force: true });
  });

  /** A clean environment: what the runtime needs, the HOME of this file, and the variables. */
  function environment(variables: Record<string, string>): Record<string, string> {
    const env: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: home, NO_COLOR: "1" };
    if ("Deno" in globalThis) {
      // Deno's cache lives under HOME; without this, each child would transpile the source afresh.
      env.DENO_DIR = process.env.DENO_DIR ??
        join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "deno");
      env.DENO_NO_UPDATE_CHECK = "1";
    }
    return { ...env, ...variables };
  }

  function start(
    args: string[],
    variables: Record<string, string> = {},
    options: RunOptions & { stdin?: "pipe" | "ignore" } = {},
  ): Running {
    const [program, ...rest] = options.command ?? CLI;
    const child = spawn(program, [...rest, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: environment(variables),
      stdio: [options.stdin ?? "ignore", "pipe", "pipe"],
    });
    children.add(child);
    let out = "";
    let err = "";
    const waiters: (() => void)[] = [];
    child.stdout!.setEncoding("utf8").on("data", (text: string) => {
      out += text;
      for (const waiter of [...waiters]) waiter();
    });
    child.stderr!.setEncoding("utf8").on("data", (text: string) => {
      err += text;
      for (const waiter of [...waiters]) waiter();
    });
    const until = (read: () => string) => (pattern: RegExp) =>
      new Promise<RegExpExecArray>((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(read());
          if (match || exited) waiters.splice(waiters.indexOf(check), 1);
          if (match) resolve(match);
          else if (exited) reject(new Error(`exited before printing ${pattern}:\n${out}\n${err}`));
        };
        waiters.push(check);
        check();
      });
    let exited = false;
    const exit = new Promise<number | null>((resolve) =>
      child.once("close", (code) => {
        children.delete(child);
        exited = true;
        for (const waiter of [...waiters]) waiter();
        resolve(code);
      })
    );
    return {
      child,
      stdout: () => out,
      stderr: () => err,
      exit,
      untilStdout: until(() => out),
      untilStderr: until(() => err),
    };
  }

  /** Runs the CLI to its end. */
  async function cli(
    args: string[],
    variables: Record<string, string> = {},
    options: RunOptions = {},
  ): Promise<Ran> {
    const running = start(args, variables, options);
    const code = await running.exit;
    return { code, stdout: running.stdout(), stderr: running.stderr() };
  }

  /** Writes a file into the scratch folder and returns its path. */
  function file(name: string, bytes: Uint8Array): string {
    const path = join(scratch, name);
    writeFileSync(path, bytes);
    return path;
  }

  return { scratch, home, start, cli, file };
}

/** A request the emulator was sent, with the answer it gave (0 while held). */
export interface Seen {
  request: Request;
  url: URL;
  status: number;
}

/** What {@linkcode serve} returns. */
export type Service = Awaited<ReturnType<typeof serve>>;

/**
 * The emulator served over HTTP with its requests in view: a test can wait for one (`until`),
 * or hold matching ones unanswered until `release` (a slow service, reached on cue). A held
 * request is then answered 503 without being handled, or, held with `{ handle: true }`, handled
 * as if it had only been slow.
 */
export async function serve(options: EmulatorOptions = {}) {
  const emulator = createEmulator({ credentials: [CREDENTIALS], minPartSize: 1024, ...options });
  const seen: Seen[] = [];
  const waiters: (() => void)[] = [];
  let holds: ((url: URL, request: Request) => boolean) | undefined;
  let handleHeld = false;
  let release = () => {};
  let released = Promise.resolve();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const server = await serveEmulator({
    ...emulator,
    fetch: async (request) => {
      const url = new URL(request.url);
      if (holds?.(url, request)) {
        seen.push({ request, url, status: 0 });
        notify();
        const handle = handleHeld;
        await released;
        // Unless told otherwise, never handled: the sender has given up on it by then.
        if (!handle) return new Response(null, { status: 503 });
      }
      const response = await emulator.fetch(request);
      seen.push({ request, url, status: response.status });
      notify();
      return response;
    },
  });
  const env = {
    QINGSTOR_ENDPOINT: server.url,
    ...credentialsOf(CREDENTIALS),
  };
  return {
    emulator,
    server,
    env,
    seen,
    client: createClient({ endpoint: server.url, credentials: CREDENTIALS }),
    /** Resolves once a request satisfying the test has been answered (or held). */
    until: (test: (seen: Seen) => boolean) =>
      new Promise<Seen>((resolve) => {
        const check = () => {
          const found = seen.find(test);
          if (found) {
            waiters.splice(waiters.indexOf(check), 1);
            resolve(found);
          }
        };
        waiters.push(check);
        check();
      }),
    hold(test: (url: URL, request: Request) => boolean, options: { handle?: boolean } = {}) {
      holds = test;
      handleHeld = !!options.handle;
      released = new Promise((resolve) => (release = resolve));
    },
    release() {
      holds = undefined;
      release();
    },
    async close() {
      this.release();
      await server.close();
      assert.deepEqual(emulator.state.errors, []);
    },
  };
}

export function stored(emulator: Emulator, key: string) {
  const object = emulator.state.objects.get(`${bucket}/${key}`);
  assert.ok(object, `no object ${key}`);
  return object;
}

/** Matches an answered part, or part `number`. */
export const isPart = (number?: number) => ({ request, url, status }: Seen) =>
  request.method == "PUT" && url.searchParams.has("upload_id") && status == 201 &&
  (number === undefined || url.searchParams.get("part_number") == String(number));

/** Whether output holds a control character other than the line feeds that end its lines. */
export function hasRawControl(text: string): boolean {
  // deno-lint-ignore no-control-regex
  return /[\x00-\x09\x0b-\x1f\x7f-\x9f]/.test(text);
}

/** Asserts a UsageError whose message starts with the argument it names. */
export function refused(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error) => {
    assert.ok(error instanceof UsageError, String(error));
    assert.match(error.message, message);
    return true;
  });
}
