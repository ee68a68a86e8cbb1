import { admin, apiToken, bearer, expect, shot, signIn, test, verifiedUser } from "./fixtures";
import { pdf, png } from "./imageFiles";

test("KYC level 1: the profile form explains a wrong field, then the level is granted and level 2 is offered", async ({
  page,
  request,
}) => {
  const email = await verifiedUser(request, "kyc");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  // (the wallet's withdrawal form, with its "complete your profile" link, now waits for 2FA)
  await page.getByRole("button", { name: email }).click();
  await page.getByRole("link", { name: "Verification (KYC)" }).click();
  await expect(page).toHaveURL(/\/kyc$/);
  await expect(page.getByRole("list", { name: "Verification levels" }).getByText("done")).toHaveCount(1);

  await page.getByLabel("First name").fill("Omar");
  await page.getByLabel("Last name").fill("Saleh");
  await page.getByLabel("Date of birth").fill("2015-01-01"); // too young
  await page.getByLabel("Mobile phone").fill("+971501234567");
  await page.getByLabel("Address", { exact: true }).fill("12 Al Wasl Road");
  await page.getByLabel("City").fill("Dubai");
  await page.getByRole("button", { name: "Save and verify" }).click();
  await expect(page.locator('[data-field-error="dateOfBirth"]')).toBeVisible();

  await page.getByLabel("Date of birth").fill("1988-07-14");
  await page.getByRole("button", { name: "Save and verify" }).click();
  await expect(page.getByTestId("kyc-latest")).toContainText("approved");
  await expect(page.getByRole("list", { name: "Verification levels" }).getByText("done")).toHaveCount(2);
  await shot(page, "kyc-profile");
  // level 1 granted: the level-2 documents are asked for next
  await expect(page.getByRole("region", { name: "Identity documents (level 2)" })).toBeVisible();
});

test("KYC level 2: documents uploaded with preview and progress, submitted, then a rejection's reason shown", async ({
  page,
  request,
}) => {
  const email = await verifiedUser(request, "kyc2");
  const token = await apiToken(request, email);
  const saved = await request.patch("/api/users/v1/profile", {
    headers: bearer(token),
    data: {
      firstName: "Layla",
      lastName: "Haddad",
      dateOfBirth: "1990-03-02",
      country: "AE",
      phone: "+971501234568",
      address: { line1: "4 Marina Walk", line2: null, city: "Dubai", postalCode: null, country: "AE" },
    },
  });
  expect(saved.status(), await saved.text()).toBe(200);
  const level1 = await request.post("/api/users/v1/kyc/submissions", { headers: bearer(token), data: { level: 1 } });
  expect(level1.status(), await level1.text()).toBe(201);
  const { userId } = (await saved.json()) as { userId: string };

  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.goto("/kyc");
  const docs = page.getByRole("region", { name: "Identity documents (level 2)" });
  await expect(docs).toBeVisible();
  const submit = docs.getByRole("button", { name: "Submit for review" });
  await expect(submit).toBeDisabled();

  // a first choice replaced by a second: the first upload is removed from the files service
  await docs.getByLabel("Identity document, front", { exact: true }).setInputFiles({ name: "blurred.png", mimeType: "image/png", buffer: png(32, 20, [90, 90, 90]) });
  await expect(page.getByTestId("progress-documentFront")).toHaveText("Uploaded");
  await docs.getByLabel("Identity document, front", { exact: true }).setInputFiles({ name: "front.png", mimeType: "image/png", buffer: png(320, 200, [30, 90, 160]) });
  await docs.getByLabel("Identity document, back", { exact: true }).setInputFiles({ name: "back.pdf", mimeType: "application/pdf", buffer: pdf("back") });
  await docs.getByLabel("Selfie holding the document", { exact: true }).setInputFiles({ name: "selfie.png", mimeType: "image/png", buffer: png(200, 200, [180, 120, 60]) });
  for (const slot of ["documentFront", "documentBack", "selfie"]) {
    await expect(page.getByTestId(`progress-${slot}`)).toHaveText("Uploaded");
  }
  await expect(docs.getByRole("img", { name: "Preview: Identity document, front" })).toBeVisible();
  await expect(docs.getByRole("img", { name: "Preview: Selfie holding the document" })).toBeVisible();
  await expect(docs.getByRole("progressbar", { name: "Upload of Identity document, back" })).toHaveAttribute("aria-valuetext", "100 %");
  await shot(page, "kyc");

  const stored = (await (await request.get("/api/files/v1/files?limit=50", { headers: bearer(token) })).json()) as {
    items: { originalName: string }[];
  };
  expect(stored.items.map((f) => f.originalName).sort()).toEqual(["back.pdf", "front.png", "selfie.png"]);

  await submit.click();
  await expect(page.getByTestId("kyc-pending")).toContainText("level 2");
  await expect(docs).toBeHidden();

  // compliance rejects it: the reason is shown and the documents can be sent again
  const staff = await apiToken(request, admin().email, admin().password);
  const queue = (await (
    await request.get("/api/users/v1/admin/kyc/submissions?status=PENDING&level=2&limit=100", { headers: bearer(staff) })
  ).json()) as { items: { id: string; userId: string }[] };
  const mine = queue.items.find((s) => s.userId === userId);
  expect(mine).toBeTruthy();
  const rejected = await request.post(`/api/users/v1/admin/kyc/submissions/${mine?.id ?? ""}/reject`, {
    headers: bearer(staff),
    data: { reason: "The selfie does not show the document" },
  });
  expect(rejected.status(), await rejected.text()).toBe(200);
  await page.reload();
  await expect(page.getByTestId("kyc-rejected")).toContainText("The selfie does not show the document");
  await expect(page.getByRole("region", { name: "Identity documents (level 2)" })).toBeVisible();
});

test("KYC level 3: after level 2 is approved, a proof of address (PDF) is uploaded and submitted", async ({ page, request }) => {
  const email = await verifiedUser(request, "kyc3");
  const token = await apiToken(request, email);
  const saved = await request.patch("/api/users/v1/profile", {
    headers: bearer(token),
    data: {
      firstName: "Yousef",
      lastName: "Karim",
      dateOfBirth: "1985-11-20",
      country: "AE",
      phone: "+971501234569",
      address: { line1: "9 Jumeirah Street", line2: null, city: "Dubai", postalCode: null, country: "AE" },
    },
  });
  expect(saved.status(), await saved.text()).toBe(200);
  expect((await request.post("/api/users/v1/kyc/submissions", { headers: bearer(token), data: { level: 1 } })).status()).toBe(201);
  const upload = async (kind: string, body: Buffer): Promise<string> => {
    const res = await request.post(`/api/files/v1/files?kind=${kind}`, {
      headers: { ...bearer(token), "content-type": "application/octet-stream", "x-file-name": `${kind}.png` },
      data: body,
    });
    expect(res.status(), await res.text()).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const documents = {
    documentFront: await upload("kyc_document", png(64, 40, [10, 60, 120])),
    documentBack: await upload("kyc_document", png(64, 40, [60, 10, 120])),
    selfie: await upload("kyc_selfie", png(48, 48, [120, 60, 10])),
  };
  const level2 = await request.post("/api/users/v1/kyc/submissions", { headers: bearer(token), data: { level: 2, documents } });
  expect(level2.status(), await level2.text()).toBe(201);
  const staff = await apiToken(request, admin().email, admin().password);
  const approved = await request.post(`/api/users/v1/admin/kyc/submissions/${((await level2.json()) as { id: string }).id}/approve`, {
    headers: bearer(staff),
  });
  expect(approved.status(), await approved.text()).toBe(200);

  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.goto("/kyc");
  await expect(page.getByRole("list", { name: "Verification levels" }).getByText("done")).toHaveCount(3);
  const docs = page.getByRole("region", { name: "Proof of address (level 3)" });
  await docs.getByLabel("Proof of address", { exact: true }).setInputFiles({ name: "bill.pdf", mimeType: "application/pdf", buffer: pdf("utility bill") });
  await expect(page.getByTestId("progress-proofOfAddress")).toHaveText("Uploaded");
  await docs.getByRole("button", { name: "Submit for review" }).click();
  await expect(page.getByTestId("kyc-pending")).toContainText("level 3");
});
