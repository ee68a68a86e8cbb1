/**
 * Which documents each KYC level asks for (services/users/README.md, "KYC levels"); each
 * slot's label and hint are the catalogue's `kyc.slot.<slot>` and `kyc.slot.<slot>.hint`.
 */
import type { DocumentKind } from "../api/upload";

export type Slot = "documentFront" | "documentBack" | "selfie" | "proofOfAddress";

export interface SlotSpec {
  slot: Slot;
  kind: DocumentKind;
}

export const LEVEL_DOCUMENTS: Record<2 | 3, readonly SlotSpec[]> = {
  2: [
    { slot: "documentFront", kind: "kyc_document" },
    { slot: "documentBack", kind: "kyc_document" },
    { slot: "selfie", kind: "kyc_selfie" },
  ],
  3: [
    { slot: "proofOfAddress", kind: "proof_of_address" },
  ],
};

/** The level the user can apply for next, or null (nothing left, or a request pending). */
export function nextDocumentLevel(level: number, pending: boolean): 2 | 3 | null {
  if (pending) return null;
  if (level === 1) return 2;
  if (level === 2) return 3;
  return null;
}

/** Every slot of the level has an uploaded file. */
export function isComplete(level: 2 | 3, files: Partial<Record<Slot, string>>): boolean {
  return LEVEL_DOCUMENTS[level].every((s) => Boolean(files[s.slot]));
}

/** 0.4567 → "46 %" (the progress bar's words). */
export function percent(fraction: number): string {
  return `${Math.round(Math.min(1, Math.max(0, fraction)) * 100)} %`;
}
