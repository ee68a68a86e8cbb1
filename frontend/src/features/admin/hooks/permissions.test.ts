import { describe, expect, it } from "vitest";
import { translate } from "../../../lib/i18n";
import { ADMIN_SECTIONS, ROLE_PERMISSIONS, can, sectionsAllowed, sectionsFor } from "./permissions";

describe("admin permissions", () => {
  it("a plain user sees no section and may do nothing", () => {
    expect(sectionsFor(["user"])).toEqual([]);
    expect(can(["user"], "users.read")).toBe(false);
    expect(sectionsFor([])).toEqual([]);
  });

  it("support reads users, markets and the audit log but moves no money and changes nothing", () => {
    const labels = sectionsFor(["user", "support"]).map((s) => translate("en", s.label));
    expect(labels).toEqual(["Users", "Markets", "Market data & bot", "Audit log"]);
    expect(sectionsFor(["admin"])[0]?.to).toBe("/admin/deposits");
    expect(can(["support"], "trading.admin")).toBe(false);
    expect(can(["support"], "roles.grant")).toBe(false);
  });

  it("compliance adds KYC review and deposit/withdrawal approvals", () => {
    const labels = sectionsFor(["compliance"]).map((s) => translate("en", s.label));
    expect(labels).toContain("KYC review");
    expect(labels).toContain("AED deposits");
    expect(labels).toContain("Withdrawals");
    expect(labels).not.toContain("Announcements");
  });

  it("admin sees every section, in navigation order", () => {
    expect(sectionsFor(["admin"])).toEqual([...ADMIN_SECTIONS]);
  });

  it("each role holds every permission of the role below it", () => {
    const ladder = ["user", "support", "compliance", "admin"];
    for (let i = 1; i < ladder.length; i += 1) {
      const lower = ROLE_PERMISSIONS[ladder[i - 1] ?? ""] ?? [];
      for (const p of lower) expect(can([ladder[i] ?? ""], p)).toBe(true);
    }
  });

  it("an unknown role grants nothing", () => {
    expect(can(["root"], "trading.admin")).toBe(false);
  });
});

describe("admin sections in Arabic", () => {
  it("every section has its Arabic name", () => {
    expect(sectionsFor(["admin"]).map((s) => translate("ar", s.label))).toEqual([
      "إيداعات الدرهم",
      "عمليات السحب",
      "مراجعة التحقق (KYC)",
      "المستخدمون",
      "الأسواق",
      "بيانات السوق والروبوت",
      "الإعلانات",
      "سجل التدقيق",
    ]);
  });
});

describe("sections from the permissions /me states", () => {
  it("open the same sections as the mirrored roles", () => {
    for (const role of ["user", "support", "compliance", "admin"]) {
      expect(sectionsAllowed(ROLE_PERMISSIONS[role] ?? [])).toEqual(sectionsFor([role]));
    }
    expect(sectionsAllowed(["kyc.review"]).map((s) => s.to)).toEqual(["/admin/kyc"]);
  });
});
