import { unwrap, type Api } from "../../../lib/api/client";
import type { components } from "../../../lib/api/schema";

export interface ProfileInput {
  firstName: string;
  lastName: string;
  dateOfBirth: string;
  country: string;
  phone: string;
  address: { line1: string; line2: string | null; city: string; postalCode: string | null; country: string };
}

export type KycDocuments = components["schemas"]["users_KycDocumentsIn"];

export const kycApi = {
  profile: (api: Api) => unwrap(api.GET("/api/users/v1/profile")),
  kyc: (api: Api) => unwrap(api.GET("/api/users/v1/kyc")),
  saveProfile: (api: Api, body: ProfileInput) => unwrap(api.PATCH("/api/users/v1/profile", { body })),
  submit: (api: Api, level: 1 | 2 | 3) => unwrap(api.POST("/api/users/v1/kyc/submissions", { body: { level } })),
  deleteFile: (api: Api, id: string) =>
    unwrap(api.DELETE("/api/files/v1/files/{file_id}", { params: { path: { file_id: id } } })),
  submitDocuments: (api: Api, level: 2 | 3, documents: KycDocuments) =>
    unwrap(api.POST("/api/users/v1/kyc/submissions", { body: { level, documents } })),
};
