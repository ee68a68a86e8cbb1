/**
 * A KYC document upload with progress: fetch() cannot report upload progress, so this
 * is an XMLHttpRequest with the access token, refreshed and retried once on a 401 (as
 * `authFetch` does for every other call).
 */
import { ApiError, toProblem } from "../../../lib/api/problem";
import type { components } from "../../../lib/api/schema";
import type { Session } from "../../../lib/auth/session";

export type StoredFile = components["schemas"]["files_FileOut"];
export type DocumentKind = "kyc_document" | "kyc_selfie" | "proof_of_address";

interface Answer {
  status: number;
  body: unknown;
}

function send(url: string, file: File, token: string | null, onProgress: (fraction: number) => void): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    if (token) xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.setRequestHeader("x-file-name", encodeURIComponent(file.name));
    xhr.responseType = "text";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText) as unknown;
      } catch {
        body = null;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new ApiError({ status: 0, detail: "The upload was interrupted." }));
    xhr.send(file);
  });
}

export async function uploadDocument(
  session: Session,
  kind: DocumentKind,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<StoredFile> {
  const url = `/api/files/v1/files?kind=${kind}`;
  let answer = await send(url, file, session.getAccessToken(), onProgress);
  if (answer.status === 401) {
    const fresh = await session.refresh().catch(() => null);
    if (fresh) answer = await send(url, file, fresh, onProgress);
  }
  if (answer.status < 200 || answer.status >= 300) throw new ApiError(toProblem(answer.status, answer.body));
  onProgress(1);
  return answer.body as StoredFile;
}
