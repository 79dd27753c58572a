/**
 * The objects an emulator holds, by bucket and key.
 *
 * @module
 */
import type { EmulatorObject, OperationContext } from "../../model.ts";

/** The object the request's bucket and key name, if there is one. */
export function findObject(context: OperationContext): EmulatorObject | undefined {
  return context.emulator.state.objects.get(`${context.bucket}/${context.key}`);
}

/** Stores an object under its bucket and key, replacing any there. */
export function storeObject(context: OperationContext, object: EmulatorObject): void {
  context.emulator.state.objects.set(`${object.bucket}/${object.key}`, object);
}

/** Deletes the object the request's bucket and key name, if there is one. */
export function deleteObject(context: OperationContext): void {
  context.emulator.state.objects.delete(`${context.bucket}/${context.key}`);
}
