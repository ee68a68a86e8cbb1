import { authFetch, unwrap, type Api } from "../../../lib/api/client";
import { ApiError, toProblem } from "../../../lib/api/problem";
import type { components } from "../../../lib/api/schema";
import type { Session } from "../../../lib/auth/session";

export type Profile = components["schemas"]["users_ProfileOut"];
export type ProfilePatch = components["schemas"]["users_ProfilePatchIn"];
export type StoredFile = components["schemas"]["files_FileOut"];

export const profileApi = {
  profile: (api: Api) => unwrap(api.GET("/api/users/v1/profile")),
  save: (api: Api, body: ProfilePatch) => unwrap(api.PATCH("/api/users/v1/profile", { body })),
  file: (api: Api, id: string) =>
    unwrap(api.GET("/api/files/v1/files/{file_id}", { params: { path: { file_id: id } } })),
};

/** Uploads an avatar as a raw body (the files service decides the type by content). */
export async function uploadAvatar(session: Session, file: File): Promise<StoredFile> {
  const request = new Request(new URL("/api/files/v1/files?kind=avatar", window.location.origin), {
    method: "POST",
    body: file,
    headers: { "content-type": "application/octet-stream", "x-file-name": encodeURIComponent(file.name) },
  });
  let response: Response;
  try {
    response = await authFetch(session)(request);
  } catch (err) {
    throw new ApiError({ status: 0, detail: err instanceof Error ? err.message : String(err) });
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(toProblem(response.status, body));
  return body as StoredFile;
}
