/** Which documents each KYC level asks for (services/users/README.md, "KYC levels"). */
import type { DocumentKind } from "../api/upload";

export type Slot = "documentFront" | "documentBack" | "selfie" | "proofOfAddress";

export interface SlotSpec {
  slot: Slot;
  kind: DocumentKind;
  label: string;
  hint: string;
}

export const LEVEL_DOCUMENTS: Record<2 | 3, readonly SlotSpec[]> = {
  2: [
    { slot: "documentFront", kind: "kyc_document", label: "Identity document, front", hint: "Passport or Emirates ID: JPEG, PNG or PDF, up to 10 MB." },
    { slot: "documentBack", kind: "kyc_document", label: "Identity document, back", hint: "The other side (for a passport, the photo page again)." },
    { slot: "selfie", kind: "kyc_selfie", label: "Selfie holding the document", hint: "Your face and the document readable: JPEG or PNG." },
  ],
  3: [
    { slot: "proofOfAddress", kind: "proof_of_address", label: "Proof of address", hint: "A utility bill or bank statement of the last 3 months: JPEG, PNG or PDF." },
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
