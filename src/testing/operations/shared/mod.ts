/**
 * The helpers operations share, in one place: import what an operation needs
 * from here.
 *
 * @module
 */
export { errorAnswer, noUpload, ok } from "./answers.ts";
export { checkContentMd5, readBody, receiveBody, type Received, streamBody } from "./body.ts";
export { chainDigest, newChain, takeTurn, type Turn } from "./digest_chain.ts";
export {
  checkReadKey,
  checkUploadKey,
  encryptionAnswer,
  OWN_KEY,
  readEncryption,
  SOURCE_KEY,
} from "./encryption.ts";
export { readObject } from "./object_answer.ts";
export { type ObjectAttributes, readMetadata, readObjectAttributes } from "./object_attributes.ts";
export { deleteObject, findObject, storeObject } from "./objects.ts";
export type { OperationContext, OperationDefinition } from "./operation.ts";
export { partTarget, storePart } from "./parts.ts";
export { type FailedCondition, failedCondition, preconditionFailed } from "./preconditions.ts";
export { findUpload, stillThere } from "./uploads.ts";
