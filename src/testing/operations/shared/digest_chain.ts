/**
 * Digest storage: an object's MD5 computed from its parts as they stream in,
 * without keeping a byte of them. Parts take turns: a part that arrives while
 * an earlier one is still streaming waits, unread, so the hasher sees whole
 * parts one after another. A part that arrives out of part-number order would
 * need the parts after it kept until its turn; instead the chain gives up,
 * and says why.
 *
 * @module
 */
import { encodeHex } from "../../../encoding.ts";
import { Md5 } from "../../../md5.ts";
import type { DigestChain } from "../../model.ts";

/**
 * A new, empty chain.
 *
 * @returns The chain, to keep on the upload.
 */
export function newChain(): DigestChain {
  return { md5: new Md5(), hashed: [], last: -1, turn: Promise.resolve() };
}

/** A part's turn in the chain. */
export interface Turn {
  /** Hashes the part's next chunk; absent when the chain no longer tells the object's MD5. */
  feed?: (chunk: Uint8Array) => void;
  /** Ends the turn, with whether the whole part was read and stored; must always be called. */
  end(stored: boolean): void;
}

/**
 * Waits for a part's turn: until the parts that arrived before it have been
 * read. A part out of ascending order (or sent again) breaks the chain at once
 * and does not wait.
 *
 * @param chain The upload's chain.
 * @param partNumber The arriving part's number.
 * @returns The turn: feed the part's chunks to it, then end it.
 */
export async function takeTurn(chain: DigestChain, partNumber: number): Promise<Turn> {
  if (!chain.broken && partNumber <= chain.last) {
    chain.broken = partNumber == chain.last
      ? `part ${partNumber} was sent again`
      : `part ${partNumber} arrived after part ${chain.last}`;
  }
  if (chain.broken) return { end() {} };
  chain.last = partNumber;
  const before = chain.turn;
  let done!: () => void;
  chain.turn = new Promise((resolve) => (done = resolve));
  await before;
  const end = (stored: boolean) => {
    if (stored && !chain.broken) chain.hashed.push(partNumber);
    // Its bytes, or some of them, are in the hasher but not in the upload.
    else chain.broken ??= `part ${partNumber} failed while it was being hashed`;
    done();
  };
  return chain.broken ? { end: () => done() } : { feed: (chunk) => chain.md5.update(chunk), end };
}

/**
 * The object's MD5, when the chain hashed exactly the parts complete lists.
 *
 * @param chain The upload's chain.
 * @param listed The part numbers complete lists, in order.
 * @returns The MD5 in hex, or why it is unknown.
 */
export function chainDigest(
  chain: DigestChain,
  listed: number[],
): { md5: string } | { reason: string } {
  if (chain.broken) return { reason: chain.broken };
  if (chain.last != (chain.hashed.at(-1) ?? -1)) {
    return { reason: `part ${chain.last} was still arriving at complete` };
  }
  if (listed.join() != chain.hashed.join()) {
    return {
      reason: `complete lists parts ${listed.join(", ")}, but the parts hashed in turn were ${
        chain.hashed.join(", ") || "none"
      }`,
    };
  }
  return { md5: encodeHex(chain.md5.digest()) };
}
