/**
 * Injected faults: which rule, if any, hits a request, and what it does at
 * the named points of the request's handling (see {@linkcode RequestFaults}).
 *
 * @module
 */
import {
  DroppedConnection,
  type Emulator,
  type EmulatorOperation,
  type FaultRule,
  type Refusal,
} from "./model.ts";
import { pause } from "../pause.ts";

/** The error code an injected status answers with. */
const STATUS_CODES: Record<number, string> = {
  400: "invalid_request",
  401: "signature_not_matched",
  403: "permission_denied",
  404: "upload_not_exists",
  429: "fetch_throttled",
  500: "internal_error",
  502: "internal_error",
  503: "service_unavailable",
  504: "internal_error",
};

/**
 * A number in [0, 1) that depends only on the seed and the text: a fault is
 * decided by what is asked for (operation, object, part, which attempt), not
 * by the order concurrent requests happen to arrive in, so a run replays.
 */
function seededRandom(seed: number, text: string): number {
  // FNV-1a over the text, then murmur3's finaliser.
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/**
 * Makes the function that picks the fault for a request: the first rule that
 * applies to the operation, has hits left, and whose seeded chance comes up.
 * The chance depends on the request's target and how many times that target
 * was asked for, so a run replays whatever order concurrent requests arrive in.
 *
 * @param emulator The emulator, for its live list of rules and its seed.
 * @returns The picker: `(operation, target) => rule | undefined`.
 */
function faultPicker(
  emulator: Emulator,
): (operation: EmulatorOperation, target: string) => FaultRule | undefined {
  const seen = new Map<string, number>();
  const fired = new Map<FaultRule, number>();
  return (operation: EmulatorOperation, target: string): FaultRule | undefined => {
    const attempt = (seen.get(target) ?? 0) + 1;
    seen.set(target, attempt);
    for (const [index, rule] of emulator.faults.entries()) {
      if (rule.operations && !rule.operations.includes(operation)) continue;
      if ((fired.get(rule) ?? 0) >= (rule.times ?? Infinity)) continue;
      const chance = seededRandom(emulator.options.seed ?? 1, `${index} ${target} ${attempt}`);
      if (chance >= (rule.probability ?? 1)) continue;
      fired.set(rule, (fired.get(rule) ?? 0) + 1);
      return rule;
    }
    return undefined;
  };
}

/** What the fault that hit a request (if any) does, at each point of its handling. */
export interface RequestFaults {
  /**
   * Before handling (authenticated already): waits out a `delay`, then drops
   * the connection before the body, or gives the injected status to answer with.
   *
   * @throws {DroppedConnection} For a drop before the body (or mid-body, when there is no body).
   */
  beforeHandling(): Promise<Refusal | undefined>;
  /** During the body: hang up once this many bytes arrived (a mid-body drop), or never. */
  duringBody(): number | undefined;
  /**
   * After handling: holds the answer `delayAnswer` ms, then drops the
   * connection when the rule says so, though the request took effect.
   *
   * @throws {DroppedConnection} For a drop after handling.
   */
  afterHandling(): Promise<void>;
}

/**
 * Makes the function that finds the faults of a request: the rule picked by
 * {@linkcode faultPicker}, applied at the points of {@linkcode RequestFaults}.
 *
 * @param emulator The emulator, for its live list of rules and its seed.
 * @returns `(operation, target, request) => faults`; the target names what replays.
 */
export function faultInjector(
  emulator: Emulator,
): (operation: EmulatorOperation, target: string, request: Request) => RequestFaults {
  const pick = faultPicker(emulator);
  return (operation, target, request) => {
    const fault = pick(operation, target);
    return {
      async beforeHandling() {
        if (fault?.delay) await pause(fault.delay, request.signal);
        // A request with no body to drop a connection in the middle of is dropped before it.
        const hasBody = request.body !== null && request.headers.get("content-length") !== "0";
        if (fault?.drop == "before-body" || (fault?.drop == "mid-body" && !hasBody)) {
          throw new DroppedConnection("Injected fault: connection dropped");
        }
        if (!fault?.status) return undefined;
        return [fault.status, STATUS_CODES[fault.status] ?? "internal_error", "Injected fault."];
      },
      // Read about half of what was announced, then hang up on the sender.
      // In-process requests carry no Content-Length: then a first chunk stands for half.
      duringBody: () =>
        fault?.drop == "mid-body"
          ? Number(request.headers.get("content-length") ?? 1) / 2
          : undefined,
      async afterHandling() {
        if (fault?.delayAnswer) await pause(fault.delayAnswer, request.signal);
        if (fault?.drop == "after-handling") {
          throw new DroppedConnection(
            "Injected fault: connection dropped after the request took effect",
          );
        }
      },
    };
  };
}
