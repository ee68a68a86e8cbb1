import type { APIRequestContext } from "@playwright/test";
import { admin, apiToken, bearer, expect, shot, signIn, test, verifiedUser } from "./fixtures";
import { pdf, png } from "./imageFiles";

async function upload(request: APIRequestContext, token: string, kind: string, name: string, mimeType: string, buffer: Buffer) {
  const res = await request.post(`/api/files/v1/files?kind=${kind}&name=${name}`, {
    headers: bearer(token),
    multipart: { file: { name, mimeType, buffer } },
  });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** A user at KYC level 1 with a level-2 submission (two images and a PDF) waiting for review. */
async function pendingLevel2(request: APIRequestContext): Promise<{ email: string; token: string }> {
  const email = await verifiedUser(request, "kycreview");
  const token = await apiToken(request, email);
  const saved = await request.patch("/api/users/v1/profile", {
    headers: bearer(token),
    data: {
      firstName: "Omar",
      lastName: "Saleh",
      dateOfBirth: "1988-07-09",
      country: "AE",
      phone: "+971501234569",
      address: { line1: "7 Corniche Road", city: "Abu Dhabi", country: "AE" },
    },
  });
  expect(saved.status(), await saved.text()).toBe(200);
  const level1 = await request.post("/api/users/v1/kyc/submissions", { headers: bearer(token), data: { level: 1 } });
  expect(level1.status(), await level1.text()).toBe(201);
  const documents = {
    documentFront: await upload(request, token, "kyc_document", "front.png", "image/png", png(320, 200, [30, 90, 160])),
    documentBack: await upload(request, token, "kyc_document", "back.pdf", "application/pdf", pdf("back")),
    selfie: await upload(request, token, "kyc_selfie", "selfie.png", "image/png", png(200, 200, [180, 120, 60])),
  };
  const level2 = await request.post("/api/users/v1/kyc/submissions", { headers: bearer(token), data: { level: 2, documents } });
  expect(level2.status(), await level2.text()).toBe(201);
  return { email, token };
}

test("compliance reviews a KYC submission with its documents and rejects it with a reason the user reads", async ({
  page,
  request,
}) => {
  const { token } = await pendingLevel2(request);
  const me = (await (await request.get("/api/auth/v1/me", { headers: bearer(token) })).json()) as { id: string; email: string };

  await signIn(page, admin().email, admin().password);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.goto("/admin/kyc");
  // the queue names the user by e-mail (auth's lookup), not by id
  const row = page.locator(`[data-submission][data-user-id="${me.id}"]`);
  await expect(row).toContainText(me.email);
  await row.getByRole("button", { name: "Review" }).click();
  const review = page.getByRole("region", { name: "Review" });
  await expect(review.getByRole("img", { name: "Identity document (front)" })).toBeVisible();
  await expect(review.getByRole("img", { name: "Selfie" })).toBeVisible();
  await expect(review.locator("figure")).toHaveCount(3);
  await expect(review.getByRole("link", { name: "Open in a new tab" })).toHaveCount(3);
  // the PDF cannot show inline: its type (from the files service) is said, it opens in a new tab
  await expect(review.getByText("A PDF document: open it to read it.")).toBeVisible();
  await shot(page, "admin-kyc");

  // a reason is required, and the user reads it
  await review.getByRole("button", { name: "Reject" }).click();
  await expect(review.getByText("Say why in at least 3 characters")).toBeVisible();
  await review.getByLabel("Reason to reject").fill("The document photo is blurred");
  await review.getByRole("button", { name: "Reject" }).click();
  await expect(row).toHaveCount(0);
  const kyc = (await (await request.get("/api/users/v1/kyc", { headers: bearer(token) })).json()) as {
    submissions: { level: number; status: string; reason: string | null }[];
  };
  const level2 = kyc.submissions.find((s) => s.level === 2);
  expect(level2?.status).toBe("REJECTED");
  expect(level2?.reason).toBe("The document photo is blurred");
});

test("compliance approves a KYC submission: the user reaches level 2", async ({ page, request }) => {
  const { token } = await pendingLevel2(request);
  const me = (await (await request.get("/api/auth/v1/me", { headers: bearer(token) })).json()) as { id: string; email: string };
  await signIn(page, admin().email, admin().password);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.goto("/admin/kyc");
  // the queue names the user by e-mail (auth's lookup), not by id
  const row = page.locator(`[data-submission][data-user-id="${me.id}"]`);
  await expect(row).toContainText(me.email);
  await row.getByRole("button", { name: "Review" }).click();
  const review = page.getByRole("region", { name: "Review" });
  await expect(review.locator("figure")).toHaveCount(3);
  await review.getByRole("button", { name: "Approve" }).click();
  await expect(row).toHaveCount(0);
  const kyc = (await (await request.get("/api/users/v1/kyc", { headers: bearer(token) })).json()) as { level: number };
  expect(kyc.level).toBe(2);
});
