import { randomUUID } from "node:crypto";
import { admin, apiToken, bearer, expect, signIn, test, verifiedUser } from "./fixtures";

test("the bell shows a deposit credited by staff without a reload, and marks it read", async ({ page, request }) => {
  const email = await verifiedUser(request, "bell");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  const bell = page.getByRole("button", { name: /^Notifications/ });
  await expect(bell).toBeVisible();
  await bell.click();
  const panel = page.getByRole("region", { name: "Notifications" });
  await expect(panel).toBeVisible();

  // the user asks for a deposit, staff approve it: the credit is pushed over the socket
  const token = await apiToken(request, email);
  const deposit = await request.post("/api/banking/v1/deposits/fiat", { headers: bearer(token), data: { asset: "AED", amount: "321.00" } });
  expect(deposit.status(), await deposit.text()).toBeLessThan(300);
  const { id } = (await deposit.json()) as { id: string };
  const staff = await apiToken(request, admin().email, admin().password);
  const approved = await request.post(`/api/banking/v1/admin/deposits/fiat/${id}/approve`, {
    headers: { ...bearer(staff), "Idempotency-Key": randomUUID() },
    data: { amount: null },
  });
  expect(approved.status(), await approved.text()).toBeLessThan(300);

  const item = panel.getByRole("listitem").filter({ hasText: "Deposit credited" });
  await expect(item).toBeVisible({ timeout: 30_000 });
  await expect(item).toContainText("321");
  await expect(page.getByTestId("bell-count")).toBeVisible();

  await panel.getByRole("button", { name: "Mark all read" }).click();
  await expect(page.getByTestId("bell-count")).toBeHidden();
  await expect(bell).toHaveAccessibleName("Notifications");
  // read on the server too: a reload keeps it read
  await page.reload();
  await page.getByRole("button", { name: /^Notifications/ }).click();
  await expect(page.getByRole("region", { name: "Notifications" }).getByText("Deposit credited")).toBeVisible();
  const feed = (await (await request.get("/api/notifications/v1/notifications", { headers: bearer(token) })).json()) as {
    unreadCount: number;
  };
  expect(feed.unreadCount).toBe(0);
});

test("preferences: the event × channel matrix saves a change; a security e-mail cannot be switched off", async ({
  page,
  request,
}) => {
  const email = await verifiedUser(request, "prefs");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/wallet$/);
  await page.goto("/settings/notifications");
  const box = page.getByRole("checkbox", { name: "Deposit credited: E-mail" });
  await expect(box).toBeChecked();
  await box.uncheck();
  await expect(page.getByText("Preferences saved.")).toBeVisible();
  await expect(page.getByRole("checkbox", { name: "New sign-in: E-mail" })).toBeDisabled();

  const token = await apiToken(request, email);
  const prefs = (await (await request.get("/api/notifications/v1/preferences", { headers: bearer(token) })).json()) as {
    items: { event: string; channel: string; enabled: boolean }[];
  };
  expect(prefs.items.find((p) => p.event === "deposit.credited" && p.channel === "email")?.enabled).toBe(false);
  await page.reload();
  await expect(page.getByRole("checkbox", { name: "Deposit credited: E-mail" })).not.toBeChecked();
});
