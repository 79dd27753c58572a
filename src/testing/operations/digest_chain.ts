/**
 * Digest storage: an object's MD5 computed from its parts as they arrive, without keeping them.
 *
 * @module
 */
import type { Md5 } from "../../md5.ts";
import type { EmulatorUpload } from "../model.ts";

/** In digest storage: the MD5 of an upload's parts received in order so far. */
export interface Chain {
  /** The part number the digest waits for next. */
  next: number;
  /** The digest of the parts before `next`. */
  md5: Md5;
  /** Parts that arrived before their turn. */
  pending: Map<number, Uint8Array>;
  /** Set when a part already hashed was sent again: the digest no longer tells the object's. */
  broken: boolean;
}

/** Each upload's chain, in digest storage; uploads in byte storage have none. */
export const chains = new WeakMap<EmulatorUpload, Chain>();

/**
 * In digest storage, feeds parts to the object's MD5 in part-number order,
 * holding parts that arrive early until the gap before them is filled.
 */
export function chainPart(chain: Chain, partNumber?: number, data?: Uint8Array): void {
  if (partNumber !== undefined && data) {
    if (partNumber < chain.next || chain.pending.has(partNumber)) chain.broken = true;
    chain.pending.set(partNumber, data);
  }
  for (let part; (part = chain.pending.get(chain.next));) {
    chain.md5.update(part);
    chain.pending.delete(chain.next++);
  }
}
