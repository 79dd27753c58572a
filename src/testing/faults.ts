/**
 * Injected faults: which rule, if any, hits a request.
 *
 * @module
 */
import type { Emulator, EmulatorOperation, FaultRule } from "./model.ts";

/** The error code an injected status answers with. */
export const STATUS_CODES: Record<number, string> = {
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
export function faultPicker(
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
